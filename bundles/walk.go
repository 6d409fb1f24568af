package bundles

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
)

const (
	chunkSize  = 256 << 10 // bytes per in-flight buffer
	maxBuffers = 64        // upper bound on buffers in flight (64 × 256 KiB = 16 MiB)
	ratioSlack = 1 << 20   // a stream may always expand to 1 MiB before the ratio cap applies
	metaCap    = 64 << 10  // bytes of a metadata/log member inspected for bundle metadata
)

// stream carries the raw bytes of one member from the walker to a worker in
// pooled buffers; the walker closes ch at the end of the member.
type stream struct {
	ch chan []byte
}

// pieceSrc opens one part of a member that a worker reads by itself
// (folder files, zip entries, stored FRAG pieces).
type pieceSrc struct {
	vpath   string
	size    int64
	open    func() (io.ReadCloser, error)
	release func()
}

type job struct {
	m      Member
	st     *stream    // live bytes from the walker, or
	pieces []pieceSrc // parts read by the worker
	comp   int64      // compressed size when the parts are compressed by the container (zip), for the ratio cap
	meta   metaKind
}

type walk struct {
	s      *Source
	ctx    context.Context
	cancel context.CancelCauseFunc
	fn     func(*Member) error
	jobs   chan *job
	free   chan []byte
	nbuf   int
	nalloc int // buffers allocated so far (walker only); at most nbuf
	seq    int // walker goroutine only
	frags  *fragStore
	total  atomic.Int64
	stop   atomic.Bool
	wg     sync.WaitGroup
	after  []func() // cleanups run once the workers are done
}

// Walk streams every member of the input to fn. fn is called concurrently
// from up to Options.Workers goroutines; m.R is valid only during the call.
// Walk returns only fatal errors (ctx cancellation, an error from fn);
// per-member problems are listed by Errors. Walk may be called once.
func (s *Source) Walk(ctx context.Context, fn func(m *Member) error) error {
	if !s.walked.CompareAndSwap(false, true) {
		return fmt.Errorf("bundles: %s: Walk called twice", s.name)
	}
	defer s.Close()
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	nbuf := 4*s.opts.Workers + 4
	if nbuf > maxBuffers {
		nbuf = maxBuffers
	}
	w := &walk{
		s: s, ctx: cctx, cancel: cancel, fn: fn,
		jobs:  make(chan *job, nbuf),
		free:  make(chan []byte, nbuf),
		nbuf:  nbuf,
		frags: newFragStore(s.opts.FragSpill, s.opts.TempDir),
	}
	for i := 0; i < s.opts.Workers; i++ {
		w.wg.Add(1)
		go w.worker()
	}
	w.walkSource()
	close(w.jobs)
	w.wg.Wait()
	w.frags.close()
	for _, f := range w.after {
		f()
	}
	if cause := context.Cause(cctx); cause != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return cause
	}
	return nil
}

func (w *walk) fail(err error) { w.cancel(err) }

func (w *walk) alive() bool { return w.ctx.Err() == nil && !w.stop.Load() }

// containerErr records a problem that is not tied to a delivered member.
func (w *walk) containerErr(p string, off int64, op string, err error) {
	w.s.addError(&MemberError{Path: p, Offset: off, Op: op, Err: err, Seq: w.seq})
}

func (w *walk) walkSource() {
	s := w.s
	switch s.format {
	case fmtEmpty:
		w.containerErr(s.base, 0, "detect", ErrEmpty)
	case fmtUnknown:
		w.containerErr(s.base, 0, "detect", ErrUnknownFormat)
	case fmtDir:
		w.walkDir(s.path)
	case fmtGzipBad:
		_, err := gzip.NewReader(s.br)
		w.containerErr(s.base, 0, "gzip", fmt.Errorf("%w: %v", ErrCorrupt, err))
	case fmtGzipTar:
		zr, err := gzip.NewReader(s.br)
		if err != nil {
			w.containerErr(s.base, 0, "gzip", fmt.Errorf("%w: %v", ErrCorrupt, err))
			return
		}
		in := s.in
		br := s.br
		rr := &ratioReader{r: zr, comp: func() int64 { return in.n.Load() - int64(br.Buffered()) }, max: s.opts.MaxRatio}
		w.walkTar(rr, s.base, KindESXi)
	case fmtTar:
		w.walkTar(&ratioReader{r: s.br, max: -1}, s.base, KindESXi)
	case fmtZip:
		w.walkZip()
	case fmtPlain:
		kind := KindSingleLog
		if s.name == "-" {
			kind = KindSnippet
		}
		b := s.addBundle(s.base, kind)
		rel := strings.TrimSuffix(s.base, ".gz")
		j := &job{m: Member{Bundle: b, Path: s.base, Rel: rel, Size: s.size}, meta: metaLog}
		w.pumpMember(j, s.br, s.base, "read")
	}
}

// newSeq hands out the next member position.
func (w *walk) newSeq() int {
	q := w.seq
	w.seq++
	return q
}

// enqueue hands a job to the worker pool.
func (w *walk) enqueue(j *job) bool {
	select {
	case w.jobs <- j:
		return true
	case <-w.ctx.Done():
		if j.st != nil {
			close(j.st.ch)
		}
		return false
	}
}

// startStream enqueues j with a live stream that the walker then fills.
func (w *walk) startStream(j *job) bool {
	j.st = &stream{ch: make(chan []byte, w.nbuf)}
	j.m.Seq = w.newSeq()
	return w.enqueue(j)
}

// pump copies r into st in pooled buffers until r ends. It returns the bytes
// copied and the read error (nil at a clean end).
func (w *walk) pump(st *stream, r io.Reader) (int64, error) {
	var n int64
	for {
		buf, err := w.getBuf()
		if err != nil {
			return n, err
		}
		k, err := readFill(r, buf)
		if k > 0 {
			st.ch <- buf[:k]
			n += int64(k)
		} else {
			w.free <- buf
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// getBuf takes a free buffer, allocating up to nbuf of them lazily (small
// inputs never allocate the whole pool), then waiting for one to come back.
func (w *walk) getBuf() ([]byte, error) {
	select {
	case b := <-w.free:
		return b, nil
	default:
	}
	if w.nalloc < w.nbuf {
		w.nalloc++
		return make([]byte, chunkSize), nil
	}
	select {
	case b := <-w.free:
		return b, nil
	case <-w.ctx.Done():
		return nil, context.Cause(w.ctx)
	}
}

// pumpMember streams one whole member read by the walker; a read error is
// recorded against the member and returned.
func (w *walk) pumpMember(j *job, r io.Reader, vpath, op string) error {
	if !w.startStream(j) {
		return context.Cause(w.ctx)
	}
	n, err := w.pump(j.st, r)
	close(j.st.ch)
	if err != nil && w.ctx.Err() == nil {
		w.s.addError(&MemberError{Path: vpath, Offset: n, Op: opOf(err, op), Err: classify(err), Seq: j.m.Seq})
	}
	return err
}

// readFill reads until buf is full or r fails; io.EOF only at a clean end.
// (io.ReadFull would turn a short final read into io.ErrUnexpectedEOF,
// which tar also uses for a truncated archive.)
func readFill(r io.Reader, buf []byte) (int, error) {
	n, empty := 0, 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
		if k == 0 {
			if empty++; empty > 100 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// classify maps low-level errors to the package sentinels. A file system
// error (a folder member that cannot be opened or read: permission denied,
// I/O error) is kept as it is: the data is not corrupt, it was never read.
func classify(err error) error {
	var pe *fs.PathError
	switch {
	case errors.Is(err, ErrRatio), errors.Is(err, ErrTotal), errors.Is(err, ErrTruncated), errors.Is(err, ErrCorrupt):
		return err
	case errors.As(err, &pe):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %v", ErrTruncated, err)
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, err)
}

func opOf(err error, def string) string {
	switch {
	case errors.Is(err, ErrRatio):
		return "ratio"
	case errors.Is(err, ErrTotal):
		return "total"
	}
	return def
}

// ratioReader caps the expansion of a decompressed container stream and
// counts its offset.
type ratioReader struct {
	r    io.Reader
	comp func() int64 // compressed bytes consumed; nil = not compressed
	max  int
	n    int64
}

func (rr *ratioReader) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	rr.n += int64(n)
	if rr.comp != nil && rr.max > 0 && rr.n > ratioSlack && rr.n > int64(rr.max)*rr.comp() {
		return n, fmt.Errorf("%w: %d bytes from %d compressed (cap %d×)", ErrRatio, rr.n, rr.comp(), rr.max)
	}
	return n, err
}

// worker state reused across members.
type workerState struct {
	br  *bufio.Reader
	gz  *gzip.Reader
	cap []byte
}

func (w *walk) worker() {
	defer w.wg.Done()
	ws := &workerState{br: bufio.NewReaderSize(nil, 64<<10), cap: make([]byte, 0, metaCap)}
	for j := range w.jobs {
		w.run(ws, j)
	}
}

// chunkReader reads a stream, returning buffers to the pool as it goes.
type chunkReader struct {
	w   *walk
	st  *stream
	buf []byte
	cur []byte
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.buf != nil {
			c.w.free <- c.buf[:cap(c.buf)]
			c.buf = nil
		}
		b, ok := <-c.st.ch
		if !ok {
			return 0, io.EOF
		}
		c.buf, c.cur = b, b
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

func (c *chunkReader) drain() {
	c.cur = nil
	for {
		if c.buf != nil {
			c.w.free <- c.buf[:cap(c.buf)]
			c.buf = nil
		}
		b, ok := <-c.st.ch
		if !ok {
			return
		}
		c.buf = b
	}
}

// pieceReader reads parts in order; an open or read failure ends the member
// (never continuing past a missing part).
type pieceReader struct {
	pieces []pieceSrc
	i      int
	cur    io.ReadCloser
	err    error
}

func (pr *pieceReader) Read(p []byte) (int, error) {
	for {
		if pr.err != nil {
			return 0, pr.err
		}
		if pr.cur == nil {
			if pr.i >= len(pr.pieces) {
				return 0, io.EOF
			}
			rc, err := pr.pieces[pr.i].open()
			if err != nil {
				pr.err = &MemberError{Path: pr.pieces[pr.i].vpath, Op: "read", Err: classify(err)}
				return 0, pr.err
			}
			pr.cur = rc
		}
		n, err := pr.cur.Read(p)
		if err == io.EOF {
			pr.closeCur()
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != nil {
			pr.err = &MemberError{Path: pr.pieces[pr.i].vpath, Op: "read", Err: classify(err)}
		}
		return n, err
	}
}

func (pr *pieceReader) closeCur() {
	if pr.cur != nil {
		pr.cur.Close()
		pr.cur = nil
		if r := pr.pieces[pr.i].release; r != nil {
			r()
		}
		pr.i++
	}
}

func (pr *pieceReader) finish() {
	if pr.cur != nil {
		pr.cur.Close()
		pr.cur = nil
	}
	for ; pr.i < len(pr.pieces); pr.i++ {
		if r := pr.pieces[pr.i].release; r != nil {
			r()
		}
	}
}

// countingReader counts raw member bytes (for the ratio cap).
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// run delivers one job: sniff gzip, wrap caps and the metadata tap, call fn,
// then drain whatever fn left so the walker's buffers come back.
func (w *walk) run(ws *workerState, j *job) {
	var raw io.Reader
	var cr *chunkReader
	var pr *pieceReader
	if j.st != nil {
		cr = &chunkReader{w: w, st: j.st}
		raw = cr
	} else {
		pr = &pieceReader{pieces: j.pieces}
		raw = pr
	}
	defer func() {
		if cr != nil {
			cr.drain()
		}
		if pr != nil {
			pr.finish()
		}
	}()
	if !w.alive() {
		return
	}
	cnt := &countingReader{r: raw}
	ws.br.Reset(cnt)
	mr := &memberReader{w: w, j: j, cnt: cnt, br: ws.br, r: ws.br}
	head, _ := ws.br.Peek(2)
	if isGzip(head) {
		var err error
		if ws.gz == nil {
			ws.gz, err = gzip.NewReader(ws.br)
		} else {
			err = ws.gz.Reset(ws.br)
		}
		if err != nil {
			w.s.addError(&MemberError{Path: j.m.Path, Op: "gzip", Err: fmt.Errorf("%w: %v", ErrCorrupt, err), Seq: j.m.Seq})
			return
		}
		mr.r, mr.gz = ws.gz, true
		j.m.Size = -1
	}
	if j.meta != metaNone {
		mr.tap = ws.cap[:0]
	}
	m := j.m
	m.R = mr
	if err := w.fn(&m); err != nil {
		w.fail(err)
		return
	}
	if j.meta != metaNone {
		mr.fillTap()
		w.s.noteMeta(j.m.Bundle, j.meta, j.m.Rel, mr.tap)
		ws.cap = mr.tap[:0]
	}
}

// memberReader is Member.R: it applies the caps, feeds the metadata tap and
// turns every failure into a recorded MemberError plus io.EOF.
type memberReader struct {
	w    *walk
	j    *job
	r    io.Reader
	cnt  *countingReader
	br   *bufio.Reader
	gz   bool
	off  int64
	done bool
	tap  []byte
}

func (mr *memberReader) Read(p []byte) (int, error) {
	if mr.done {
		return 0, io.EOF
	}
	n, err := mr.r.Read(p)
	if n > 0 {
		opts := &mr.w.s.opts
		if opts.MaxTotal > 0 {
			if t := mr.w.total.Add(int64(n)); t > opts.MaxTotal {
				over := t - opts.MaxTotal
				if over > int64(n) {
					over = int64(n)
				}
				n -= int(over)
				mr.off += int64(n)
				mr.fail("total", fmt.Errorf("%w: %d bytes (cap %d)", ErrTotal, t, opts.MaxTotal))
				mr.w.stop.Store(true)
				return n, nil
			}
		}
		mr.off += int64(n)
		if len(mr.tap) < cap(mr.tap) && mr.tap != nil {
			k := cap(mr.tap) - len(mr.tap)
			if k > n {
				k = n
			}
			mr.tap = append(mr.tap, p[:k]...)
		}
		if (mr.gz || mr.j.comp > 0) && opts.MaxRatio > 0 && mr.off > ratioSlack {
			in := mr.j.comp
			if mr.gz {
				in = mr.cnt.n - int64(mr.br.Buffered())
			}
			if mr.off > int64(opts.MaxRatio)*in {
				mr.fail("ratio", fmt.Errorf("%w: %d bytes from %d compressed (cap %d×)", ErrRatio, mr.off, in, opts.MaxRatio))
				return n, nil
			}
		}
	}
	if err != nil {
		if err != io.EOF {
			var me *MemberError
			if errors.As(err, &me) {
				me.Offset, me.Seq = mr.off, mr.j.m.Seq
				mr.w.s.addError(me)
				mr.done = true
			} else {
				op := "read"
				if mr.gz {
					op = "gzip"
				}
				mr.fail(op, classify(err))
			}
		}
		mr.done = true
		return n, io.EOF
	}
	return n, nil
}

func (mr *memberReader) fail(op string, err error) {
	mr.done = true
	mr.w.s.addError(&MemberError{Path: mr.j.m.Path, Offset: mr.off, Op: op, Err: err, Seq: mr.j.m.Seq})
}

// fillTap reads the rest of a small metadata file fn did not read.
func (mr *memberReader) fillTap() {
	if mr.j.meta == metaLog {
		return // logs: only what fn read is inspected
	}
	var buf [4096]byte
	for !mr.done && len(mr.tap) < cap(mr.tap) {
		if _, err := mr.Read(buf[:]); err != nil {
			break
		}
	}
}

// relOf turns an entry name into the rel path: root folder, FRAG suffix and
// .gz stripped.
func relOf(name, root string) string {
	if root != "" && strings.HasPrefix(name, root+"/") {
		name = name[len(root)+1:]
	}
	if b, _, ok := fragSuffix(name); ok {
		name = b
	}
	return strings.TrimSuffix(name, ".gz")
}

// rootOf returns the bundle root folder given the first entry: its first
// path element, unless that is a folder found at the top of a bundle
// (entries without a root folder).
func rootOf(name string, isDir bool) string {
	name = strings.TrimSuffix(name, "/")
	first := name
	if i := strings.IndexByte(name, '/'); i >= 0 {
		first = name[:i]
	} else if !isDir {
		return ""
	}
	switch first {
	case "var", "commands", "etc", "usr", "json", "tmp", "proc", "vmfs", "dev", "opt", "bin", "lib", "scratch", "locker", "vsantraces", "reconstruct.sh", "action.log":
		return ""
	}
	return first
}
