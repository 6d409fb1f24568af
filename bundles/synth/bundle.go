package synth

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// MemberInfo describes one archive entry that was (or, for a missing FRAG piece,
// would have been) written.
type MemberInfo struct {
	Name      string // archive path including the top folder, e.g. esx-h-2024-03-07--10.15-123/var/run/log/vmkernel.0.gz.FRAG-00001
	Rel       string // logical path relative to the root without .gz and FRAG suffix ("var/run/log/vmkernel.0")
	Kind      string // log kind ("vmkernel", "hostd", …) or "" for other files
	Size      int64  // bytes stored in this entry
	Content   int64  // uncompressed bytes of the whole logical file
	Gz        bool   // the logical file is gzip-compressed
	Piece     int    // FRAG piece number, -1 if not fragmented
	Pieces    int    // number of FRAG pieces of the logical file (0 if not fragmented)
	Missing   bool   // missing-frag: this piece was left out of the archive
	Corrupt   bool   // corrupt-gz: this .gz has flipped bytes
	Truncated bool   // truncated: the archive ends inside this entry
	Reversed  bool   // frag-reversed: the pieces of this file are stored last-to-first
}

// Manifest tells what a generation run wrote.
type Manifest struct {
	Root         string // top folder, esx-<host>-<YYYY-MM-DD>--<HH.MM>-<pid>
	Host         string
	Generation   Generation
	Version      string
	Build        string
	CollectedAt  time.Time
	Members      []MemberInfo
	Problems     []ProblemInfo
	Damage       []Damage
	Notes        []string // damage that could not be applied, and why
	ContentBytes int64    // uncompressed bytes of every logical file
	OutBytes     int64    // bytes written to the output (compressed)
}

// RootName returns the top folder name of a bundle for cfg.
func RootName(cfg Config) string {
	c, err := cfg.normalize()
	if err != nil {
		c = cfg
	}
	return "esx-" + c.Host + "-" + c.CollectedAt.Format("2006-01-02--15.04") + "-" + strconv.Itoa(c.PID)
}

// member is one logical file of the bundle.
type member struct {
	rel     string // path relative to the root
	kind    string
	data    []byte   // static or compressed content
	lf      *logFile // streamed plain log
	gzc     chan gzResult
	size    int64
	content int64
	gz      bool
}

type gzResult struct {
	data []byte
	err  error
}

// plan builds the member list and manifest skeleton.
type plan struct {
	cfg      Config
	d        *dialect
	members  []*member
	problems []ProblemInfo
}

func makePlan(cfg Config) (*plan, error) {
	c, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	p := &plan{cfg: c, d: newDialect(&c)}
	events, infos := buildEvents(&p.cfg, p.d)
	p.problems = infos
	for _, sf := range staticFiles(&p.cfg, p.d) {
		p.members = append(p.members, &member{rel: sf.name, data: sf.data, size: int64(len(sf.data)), content: int64(len(sf.data))})
	}
	specs := logSpecs(&p.cfg, p.d)
	for i := range specs {
		s := &specs[i]
		avg := avgLineLen(s.kind, p.d, p.cfg.Seed)
		files := planLog(&p.cfg, p.d, s, events[s.kind], avg)
		// archive order: rotations 0,1,2… then the current file
		for k := len(files) - 2; k >= 0; k-- {
			f := files[k]
			p.members = append(p.members, &member{rel: f.name, kind: s.kind, lf: f, gz: true, content: f.size})
		}
		f := files[len(files)-1]
		p.members = append(p.members, &member{rel: f.name, kind: s.kind, lf: f, content: f.size, size: f.size})
	}
	return p, nil
}

// Generate writes a vm-support .tgz for cfg to w and returns what it wrote.
func Generate(w io.Writer, cfg Config) (*Manifest, error) {
	return GenerateContext(context.Background(), w, cfg)
}

// Write writes a vm-support .tgz for cfg to w.
func Write(w io.Writer, cfg Config) error {
	_, err := Generate(w, cfg)
	return err
}

var errCut = errors.New("synth: truncated on purpose")

// GenerateContext is Generate with cancellation.
func GenerateContext(ctx context.Context, w io.Writer, cfg Config) (*Manifest, error) {
	p, err := makePlan(cfg)
	if err != nil {
		return nil, err
	}
	cw := &countWriter{w: w}
	hw := &holdWriter{w: cw}
	gz, err := gzip.NewWriterLevel(hw, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	cut := &cutWriter{w: gz, at: -1}
	tw := tar.NewWriter(cut)
	ts := &tarSink{tw: tw, cut: cut, root: RootName(p.cfg), mtime: p.cfg.CollectedAt}
	m, err := p.run(ctx, ts, true)
	if errors.Is(err, errCut) {
		// end the stream abruptly: flush what deflate holds, then drop the held-back
		// tail so the stream stops inside a block, without a gzip trailer.
		if ferr := gz.Flush(); ferr != nil {
			return nil, ferr
		}
		m.OutBytes = cw.n
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("synth: tar: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("synth: gzip: %w", err)
	}
	if err := hw.flush(); err != nil {
		return nil, err
	}
	m.OutBytes = cw.n
	return m, nil
}

// WriteDir writes the bundle as an extracted folder dir/<root>/… . The truncated
// and frag-reversed damage modes have no meaning for a folder and are ignored.
func WriteDir(dir string, cfg Config) error {
	_, err := GenerateDir(context.Background(), dir, cfg)
	return err
}

// GenerateDir is WriteDir returning the manifest.
func GenerateDir(ctx context.Context, dir string, cfg Config) (*Manifest, error) {
	p, err := makePlan(cfg)
	if err != nil {
		return nil, err
	}
	ds := &dirSink{base: filepath.Join(dir, RootName(p.cfg))}
	m, err := p.run(ctx, ds, false)
	if cerr := ds.closeCur(); err == nil {
		err = cerr
	}
	return m, err
}

// sink receives archive entries in order; begin returns the writer of the entry's bytes.
type sink interface {
	dir(name string) error
	begin(name string, size int64) (io.Writer, error)
}

func (p *plan) run(ctx context.Context, s sink, archive bool) (*Manifest, error) {
	cfg := &p.cfg
	root := RootName(*cfg)
	m := &Manifest{Root: root, Host: cfg.Host, Generation: cfg.Generation, Version: cfg.Version, Build: cfg.Build,
		CollectedAt: cfg.CollectedAt, Problems: p.problems, Damage: cfg.Damage}
	for _, mb := range p.members {
		m.ContentBytes += mb.content
	}
	// compress rotations in parallel, at most `workers` ahead of the writer
	workers := runtime.GOMAXPROCS(0)
	sem := make(chan struct{}, workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, mb := range p.members {
		if mb.gz {
			mb.gzc = make(chan gzResult, 1)
		}
	}
	go func() {
		for _, mb := range p.members {
			if !mb.gz {
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func(mb *member) {
				var buf bytes.Buffer
				buf.Grow(int(mb.content/4) + 1024)
				zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
				err := mb.lf.writeContent(zw)
				if err == nil {
					err = zw.Close()
				}
				mb.gzc <- gzResult{data: buf.Bytes(), err: err}
			}(mb)
		}
	}()
	// damage targets
	corruptDone := !cfg.has(CorruptGz)
	missingDone := !cfg.has(MissingFrag)
	missTarget := -1
	for i, mb := range p.members {
		if !mb.gz && cfg.FragBytes > 0 && mb.size > 2*cfg.FragBytes {
			missTarget = i
			break
		}
	}
	reverseDone := !cfg.has(FragReversed) || !archive
	cutIdx := -1
	if cfg.has(Truncated) && archive {
		var acc int64
		for i, mb := range p.members {
			acc += mb.content
			if acc*10 >= m.ContentBytes*6 {
				cutIdx = i
				break
			}
		}
	}
	dirs := map[string]bool{}
	ensureDir := func(rel string) error {
		parts := strings.Split(rel, "/")
		cur := ""
		for _, q := range parts[:len(parts)-1] {
			cur += q + "/"
			if !dirs[cur] {
				dirs[cur] = true
				if err := s.dir(cur); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := s.dir(""); err != nil {
		return m, err
	}
	for i, mb := range p.members {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		if err := ensureDir(mb.rel); err != nil {
			return m, err
		}
		if mb.gz {
			res := <-mb.gzc
			<-sem
			if res.err != nil {
				return m, fmt.Errorf("synth: %s: %w", mb.rel, res.err)
			}
			mb.data = res.data
			mb.size = int64(len(res.data))
		}
		info := MemberInfo{Rel: logicalRel(mb.rel), Kind: mb.kind, Content: mb.content, Gz: mb.gz, Piece: -1}
		if mb.gz && !corruptDone {
			corruptDone = true
			info.Corrupt = true
			corrupt(mb.data)
		}
		pieces := 1
		if cfg.FragBytes > 0 && mb.size > cfg.FragBytes {
			pieces = int((mb.size + cfg.FragBytes - 1) / cfg.FragBytes)
		}
		missing := -1
		reverse := false
		if pieces > 1 {
			// missing-frag: FRAG-00001 of the first plain member with ≥ 3 pieces
			// (known up front), else of the first fragmented member; a set of
			// two loses FRAG-00000 instead, since a lost last piece cannot be
			// told from a complete set.
			if !missingDone && (i == missTarget || missTarget < 0) {
				missingDone = true
				missing = 1
				if pieces == 2 {
					missing = 0
				}
			}
			if !reverseDone && missing < 0 {
				reverseDone = true
				reverse = true
			}
		}
		if i == cutIdx {
			// cut halfway into the first piece of this member
			first := mb.size
			if pieces > 1 {
				first = cfg.FragBytes
			}
			if ts, ok := s.(*tarSink); ok {
				ts.cutAfter = first / 2
			}
		}
		if reverse && mb.data == nil {
			var buf bytes.Buffer
			buf.Grow(int(mb.size))
			if err := mb.lf.writeContent(&buf); err != nil {
				return m, err
			}
			mb.data = buf.Bytes()
		}
		order := make([]int, pieces)
		for k := range order {
			order[k] = k
			if reverse {
				order[k] = pieces - 1 - k
			}
		}
		if pieces == 1 {
			info.Name = root + "/" + mb.rel
			info.Size = mb.size
			info.Truncated = i == cutIdx
			m.Members = append(m.Members, info)
			wr, err := s.begin(mb.rel, mb.size)
			if err != nil {
				return m, err
			}
			if err := writeMember(mb, ctxWriter{ctx, wr}); err != nil {
				return m, err
			}
			mb.data = nil // written: let the compressed bytes go
			continue
		}
		// fragmented
		pieceSize := func(k int) int64 {
			if k < pieces-1 {
				return cfg.FragBytes
			}
			return mb.size - cfg.FragBytes*int64(pieces-1)
		}
		for idx, k := range order {
			pi := info
			pi.Piece, pi.Pieces = k, pieces
			pi.Name = root + "/" + mb.rel + ".FRAG-" + pad5(k)
			pi.Size = pieceSize(k)
			pi.Missing = k == missing
			pi.Reversed = reverse
			pi.Truncated = i == cutIdx && idx == 0
			m.Members = append(m.Members, pi)
		}
		if mb.data != nil {
			for _, k := range order {
				if k == missing {
					continue
				}
				wr, err := s.begin(mb.rel+".FRAG-"+pad5(k), pieceSize(k))
				if err != nil {
					return m, err
				}
				off := cfg.FragBytes * int64(k)
				if _, err := wr.Write(mb.data[off : off+pieceSize(k)]); err != nil {
					return m, err
				}
			}
			mb.data = nil
			continue
		}
		fw := &fragWriter{s: s, rel: mb.rel, frag: cfg.FragBytes, total: mb.size, missing: missing}
		if err := pipeContent(mb.lf, ctxWriter{ctx, fw}); err != nil {
			return m, err
		}
		if err := fw.finish(); err != nil {
			return m, err
		}
	}
	if !missingDone {
		m.Notes = append(m.Notes, "missing-frag: no member is larger than FragBytes")
	}
	if !reverseDone {
		m.Notes = append(m.Notes, "frag-reversed: no fragmented member left to reverse")
	}
	if !corruptDone {
		m.Notes = append(m.Notes, "corrupt-gz: no nested .gz member")
	}
	return m, nil
}

func writeMember(mb *member, w io.Writer) error {
	if mb.data != nil {
		_, err := w.Write(mb.data)
		return err
	}
	return pipeContent(mb.lf, w)
}

// pipeContent generates f in a second goroutine so line generation overlaps
// with compression of the previous chunk; a few chunk buffers bound memory.
func pipeContent(f *logFile, w io.Writer) error {
	if f.size < 2*chunkSize {
		return f.writeContent(w)
	}
	full := make(chan []byte, 2)
	free := make(chan []byte, 3)
	for i := 0; i < 3; i++ {
		free <- make([]byte, 0, chunkSize+64<<10)
	}
	done := make(chan struct{})
	genErr := make(chan error, 1)
	go func() {
		cw := &chanWriter{full: full, free: free, done: done}
		err := f.writeContent(cw)
		close(full)
		genErr <- err
	}()
	var werr error
	for b := range full {
		if werr == nil {
			_, werr = w.Write(b)
			if werr != nil {
				close(done)
			}
		}
		free <- b[:0]
	}
	gerr := <-genErr
	if werr != nil {
		return werr
	}
	return gerr
}

var errStopped = errors.New("synth: consumer stopped")

type chanWriter struct {
	full chan<- []byte
	free <-chan []byte
	done <-chan struct{}
}

func (c *chanWriter) Write(p []byte) (int, error) {
	var b []byte
	select {
	case b = <-c.free:
	case <-c.done:
		return 0, errStopped
	}
	b = append(b, p...)
	select {
	case c.full <- b:
	case <-c.done:
		return 0, errStopped
	}
	return len(p), nil
}

// logicalRel strips .gz and FRAG: the path bundles.Member.Rel reports.
func logicalRel(rel string) string { return strings.TrimSuffix(rel, ".gz") }

func pad5(k int) string {
	s := strconv.Itoa(k)
	for len(s) < 5 {
		s = "0" + s
	}
	return s
}

// corrupt flips 32 bytes in the middle of a gzip stream's deflate data.
func corrupt(b []byte) {
	if len(b) < 64 {
		return
	}
	mid := len(b) / 2
	for i := 0; i < 32 && mid+i < len(b)-8; i++ {
		b[mid+i] ^= 0xA5
	}
}

// fragWriter spreads a stream over successive FRAG entries.
type fragWriter struct {
	s       sink
	rel     string
	frag    int64
	total   int64
	missing int
	k       int
	left    int64 // bytes left in current piece
	cur     io.Writer
	written int64
}

func (f *fragWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if f.left == 0 {
			size := f.frag
			if rem := f.total - f.written; rem < size {
				size = rem
			}
			if size <= 0 {
				return n, fmt.Errorf("synth: %s: content longer than planned", f.rel)
			}
			if f.k == f.missing {
				f.cur = io.Discard
			} else {
				w, err := f.s.begin(f.rel+".FRAG-"+pad5(f.k), size)
				if err != nil {
					return n, err
				}
				f.cur = w
			}
			f.k++
			f.left = size
		}
		c := int64(len(p))
		if c > f.left {
			c = f.left
		}
		if _, err := f.cur.Write(p[:c]); err != nil {
			return n, err
		}
		n += int(c)
		p = p[c:]
		f.left -= c
		f.written += c
	}
	return n, nil
}

func (f *fragWriter) finish() error {
	if f.written != f.total {
		return fmt.Errorf("synth: %s: wrote %d of %d bytes", f.rel, f.written, f.total)
	}
	return nil
}

// tarSink writes entries under root/ with fixed metadata (deterministic output).
type tarSink struct {
	tw       *tar.Writer
	cut      *cutWriter
	root     string
	mtime    time.Time
	cutAfter int64 // >0: cut the stream this many bytes into the next entry's data
}

func (t *tarSink) hdr(name string, typ byte, size int64) *tar.Header {
	mode := int64(0o644)
	if typ == tar.TypeDir {
		mode = 0o755
	}
	return &tar.Header{Typeflag: typ, Name: name, Size: size, Mode: mode, ModTime: t.mtime.Truncate(time.Second),
		Uname: "root", Gname: "root", Format: tar.FormatPAX}
}

func (t *tarSink) dir(name string) error {
	return t.tw.WriteHeader(t.hdr(t.root+"/"+name, tar.TypeDir, 0))
}

func (t *tarSink) begin(name string, size int64) (io.Writer, error) {
	if err := t.tw.WriteHeader(t.hdr(t.root+"/"+name, tar.TypeReg, size)); err != nil {
		return nil, err
	}
	if t.cutAfter > 0 {
		t.cut.at = t.cut.n + t.cutAfter
		t.cutAfter = 0
	}
	return t.tw, nil
}

// cutWriter passes bytes through until `at` (when ≥ 0), then fails with errCut.
type cutWriter struct {
	w  io.Writer
	n  int64
	at int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.at >= 0 && c.n+int64(len(p)) > c.at {
		k := c.at - c.n
		if k > 0 {
			if _, err := c.w.Write(p[:k]); err != nil {
				return 0, err
			}
		}
		c.n = c.at
		return int(max(k, 0)), errCut
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// holdWriter keeps the last holdN bytes back until flush, so a deliberately
// truncated stream can stop inside a deflate block rather than on a flush marker.
const holdN = 8

type holdWriter struct {
	w    io.Writer
	tail [holdN]byte
	n    int
}

func (h *holdWriter) Write(p []byte) (int, error) {
	total := len(p)
	if h.n+len(p) <= holdN {
		copy(h.tail[h.n:], p)
		h.n += len(p)
		return total, nil
	}
	// emit held bytes and all but the last holdN of p
	out := h.n + len(p) - holdN
	if out <= h.n {
		if _, err := h.w.Write(h.tail[:out]); err != nil {
			return 0, err
		}
		rest := h.n - out
		copy(h.tail[:], h.tail[out:h.n])
		copy(h.tail[rest:], p)
		h.n = rest + len(p)
		return total, nil
	}
	if h.n > 0 {
		if _, err := h.w.Write(h.tail[:h.n]); err != nil {
			return 0, err
		}
	}
	k := len(p) - holdN
	if _, err := h.w.Write(p[:k]); err != nil {
		return 0, err
	}
	copy(h.tail[:], p[k:])
	h.n = holdN
	return total, nil
}

func (h *holdWriter) flush() error {
	if h.n == 0 {
		return nil
	}
	_, err := h.w.Write(h.tail[:h.n])
	h.n = 0
	return err
}

// dirSink writes entries as files below base.
type dirSink struct {
	base string
	cur  *os.File
}

func (d *dirSink) closeCur() error {
	if d.cur == nil {
		return nil
	}
	err := d.cur.Close()
	d.cur = nil
	return err
}

func (d *dirSink) dir(name string) error {
	return os.MkdirAll(filepath.Join(d.base, filepath.FromSlash(name)), 0o755)
}

func (d *dirSink) begin(name string, size int64) (io.Writer, error) {
	if err := d.closeCur(); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(d.base, filepath.FromSlash(name)))
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	d.cur = f
	return f, nil
}

// ctxWriter stops a long member between chunks when ctx is cancelled.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
