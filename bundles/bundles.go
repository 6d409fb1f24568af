package bundles

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
)

// Defaults applied by Open/OpenReader to zero Options fields.
const (
	DefaultMaxTotal  = 64 << 30 // 64 GiB of uncompressed member bytes
	DefaultMaxRatio  = 1000     // per stream expansion ratio
	DefaultFragSpill = 16 << 20 // out-of-order FRAG bytes kept in memory
)

// Options tune a walk. Zero values take the defaults above; a negative
// MaxTotal or MaxRatio disables that cap.
type Options struct {
	Workers   int    // goroutines that inflate/deliver members; 0 = GOMAXPROCS
	MaxTotal  int64  // cap on total uncompressed member bytes (default 64 GiB)
	MaxRatio  int    // cap on per-stream expansion ratio (default 1000)
	FragSpill int64  // bytes of out-of-order FRAG pieces kept in memory before spilling to TempDir
	TempDir   string // "" = os.TempDir()
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.MaxTotal == 0 {
		o.MaxTotal = DefaultMaxTotal
	}
	if o.MaxRatio == 0 {
		o.MaxRatio = DefaultMaxRatio
	}
	if o.FragSpill <= 0 {
		o.FragSpill = DefaultFragSpill
	}
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	return o
}

// BundleKind says what a host bundle came from.
type BundleKind string

// Bundle kinds.
const (
	KindESXi          BundleKind = "esxi-vm-support" // a vm-support .tgz/.tar
	KindVCenterExport BundleKind = "vcenter-export"  // a host .tgz inside a vCenter export zip (or the zip's loose files)
	KindSingleLog     BundleKind = "single-log"      // one log file, plain or gzip
	KindSnippet       BundleKind = "snippet"         // text on stdin
	KindFolder        BundleKind = "folder"          // an extracted bundle folder
)

// BundleInfo is the metadata of one host bundle. Sources maps a field name
// ("host", "version", "build", "collected_at") to where its value came from:
// "folder-name", "README", "commands/vmware_-vl.txt", "commands/uname_-a.txt"
// or "log-header:<rel path>".
type BundleInfo struct {
	Path        string
	Kind        BundleKind
	Host        string
	Version     string
	Build       string
	CollectedAt time.Time
	Sources     map[string]string
}

func (b BundleInfo) clone() BundleInfo {
	m := make(map[string]string, len(b.Sources))
	for k, v := range b.Sources {
		m[k] = v
	}
	b.Sources = m
	return b
}

// Member is one logical file of a bundle. R is decompressed and FRAG-joined;
// it is valid only during the Walk callback. R never returns an error other
// than io.EOF: a member that cannot be read to its end ends early and the
// problem is recorded as a MemberError (see Source.Errors).
type Member struct {
	Bundle int    // index into Bundles()
	Path   string // virtual path naming the chain: "x.zip!esx-h1-….tgz!esx-h1-…/var/run/log/vmkernel.0.gz"
	Rel    string // path relative to the bundle root, without .gz, FRAG joined: "var/run/log/vmkernel.0"
	Seq    int    // order of the member in the container walk (deterministic)
	Size   int64  // uncompressed size if known, else -1
	R      io.Reader
}

type format int

const (
	fmtUnknown format = iota
	fmtEmpty
	fmtDir
	fmtTar
	fmtGzipTar
	fmtGzipBad
	fmtZip
	fmtPlain // single log, plain text or gzip (the worker inflates it)
)

// Source is an opened input. Walk may be called once.
type Source struct {
	name   string // as given
	base   string // base name used as the first element of virtual paths
	path   string // file system path ("" for readers)
	format format
	opts   Options
	size   int64

	in      *countReader  // raw input, counts compressed bytes
	br      *bufio.Reader // over in
	file    *os.File      // when the input is a regular file (zip ReaderAt)
	readAt  io.ReaderAt   // zip random access, when available
	closers []io.Closer

	walked atomic.Bool

	mu      sync.Mutex
	errs    map[string]*errKeep // per Op, bounded (see addError)
	bundles []*bundleState
}

type bundleState struct {
	info BundleInfo
	prio map[string]int
}

// Open opens a file, a folder or stdin ("-") and detects its format by content.
func Open(ctx context.Context, path string, opts Options) (*Source, error) {
	if path == "-" {
		return OpenReader(ctx, "-", os.Stdin, opts)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("bundles: %s: %w", path, err)
	}
	if st.IsDir() {
		s := &Source{name: path, base: filepath.Base(path), path: path, format: fmtDir, opts: opts.withDefaults(), size: -1, in: &countReader{}}
		return s, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bundles: %s: %w", path, err)
	}
	s, err := newSource(ctx, path, f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.path = path
	s.file = f
	if st.Mode().IsRegular() {
		s.size = st.Size()
		s.readAt = f
	}
	s.closers = append(s.closers, f)
	return s, nil
}

// OpenReader wraps a stream; name is used in virtual paths and to tell a
// snippet ("-") from a single log. A zip read from a plain stream is spooled
// to a temporary file in Options.TempDir at Walk time.
func OpenReader(ctx context.Context, name string, r io.Reader, opts Options) (*Source, error) {
	s, err := newSource(ctx, name, r, opts)
	if err != nil {
		return nil, err
	}
	type sizer interface{ Size() int64 }
	if ra, ok := r.(io.ReaderAt); ok {
		if sz, ok := r.(sizer); ok {
			s.readAt, s.size = ra, sz.Size()
		} else if f, ok := r.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				s.readAt, s.size = f, st.Size()
			}
		}
	}
	return s, nil
}

func newSource(ctx context.Context, name string, r io.Reader, opts Options) (*Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &Source{name: name, base: filepath.Base(name), opts: opts.withDefaults(), size: -1}
	if name == "-" {
		s.base = "stdin"
	}
	s.in = &countReader{r: r}
	s.br = bufio.NewReaderSize(s.in, 256<<10)
	head, err := s.br.Peek(64 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull && len(head) == 0 {
		return nil, fmt.Errorf("bundles: %s: %w", name, err)
	}
	s.format = sniff(head)
	return s, nil
}

// sniff detects the container format from the first bytes of the input.
func sniff(head []byte) format {
	switch {
	case len(head) == 0:
		return fmtEmpty
	case isGzip(head):
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return fmtGzipBad
		}
		zr.Multistream(false)
		var inner [512]byte
		n, _ := io.ReadFull(zr, inner[:])
		if isTar(inner[:n]) {
			return fmtGzipTar
		}
		return fmtPlain
	case isZip(head):
		return fmtZip
	case isTar(head):
		return fmtTar
	case isText(head):
		return fmtPlain
	}
	return fmtUnknown
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

func isZip(b []byte) bool {
	return len(b) >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6))
}

// isTar accepts a ustar/GNU magic or, for old v7 headers, a valid checksum.
func isTar(b []byte) bool {
	if len(b) < 512 {
		return false
	}
	if bytes.HasPrefix(b[257:], []byte("ustar")) {
		return true
	}
	if b[0] == 0 {
		return false
	}
	field := bytes.TrimRight(bytes.TrimLeft(b[148:156], " \x00"), " \x00")
	if len(field) == 0 {
		return false
	}
	var want int64
	for _, c := range field {
		if c < '0' || c > '7' {
			return false
		}
		want = want*8 + int64(c-'0')
	}
	var sum int64
	for i, c := range b[:512] {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	return sum == want
}

// isText accepts input without NUL bytes whose bytes are mostly valid UTF-8
// and printable, so that random bytes are not mistaken for a log.
func isText(b []byte) bool {
	if len(b) > 4096 {
		b = b[:4096]
	}
	bad := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0 {
			return false
		}
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b {
				bad++
			}
			i++
			continue
		}
		r, sz := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && sz == 1 && len(b)-i >= utf8.UTFMax {
			bad++
		}
		i += sz
	}
	return bad*20 <= len(b) // at most 5% odd bytes
}

// Name returns the input name as given to Open/OpenReader.
func (s *Source) Name() string { return s.name }

// Size returns the compressed input size, -1 when unknown.
func (s *Source) Size() int64 { return s.size }

// BytesRead returns the input bytes consumed so far, for progress; safe
// during Walk. It never exceeds Size when Size is known (zip entries that
// are sniffed are read twice).
func (s *Source) BytesRead() int64 {
	if s.in == nil {
		return 0
	}
	n := s.in.n.Load()
	if s.size >= 0 && n > s.size {
		n = s.size
	}
	return n
}

// Close releases the input file. Walk closes it too when done.
func (s *Source) Close() error {
	var first error
	for _, c := range s.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	s.closers = nil
	return first
}

// Errors returns the per-member problems, sorted by Seq, then Offset, Path
// and Op (deterministic); complete after Walk. At most MaxErrorsPerOp are
// kept for each Op (the first ones in that order); when more were seen, the
// first one left out is listed last for its Op, its Err saying how many
// more there were, so memory stays bounded whatever the input holds.
func (s *Source) Errors() []*MemberError {
	s.mu.Lock()
	var out []*MemberError
	for _, k := range s.errs {
		out = append(out, k.kept...)
		if k.dropped > 0 {
			d := *k.firstDropped
			d.Err = fmt.Errorf("%w (and %d more %q problems not listed)", d.Err, k.dropped-1, d.Op)
			out = append(out, &d)
		}
	}
	s.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return errLess(out[i], out[j]) })
	return out
}

// MaxErrorsPerOp bounds the MemberErrors a Source keeps for each Op: a
// hostile archive of a million "../" entries must not cost a million
// errors of memory (and of report).
const MaxErrorsPerOp = 1000

// errKeep holds the smallest MaxErrorsPerOp errors of one Op (a max-heap
// by errLess, so the choice does not depend on the order in which the
// workers report) and the smallest of those left out.
type errKeep struct {
	kept         []*MemberError
	dropped      int
	firstDropped *MemberError
}

func errLess(a, b *MemberError) bool {
	if a.Seq != b.Seq {
		return a.Seq < b.Seq
	}
	if a.Offset != b.Offset {
		return a.Offset < b.Offset
	}
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	return a.Op < b.Op
}

func (k *errKeep) add(e *MemberError) {
	if len(k.kept) < MaxErrorsPerOp {
		k.kept = append(k.kept, e)
		for i := len(k.kept) - 1; i > 0; { // sift up
			p := (i - 1) / 2
			if !errLess(k.kept[p], k.kept[i]) {
				break
			}
			k.kept[p], k.kept[i] = k.kept[i], k.kept[p]
			i = p
		}
		return
	}
	drop := e
	if errLess(e, k.kept[0]) {
		drop, k.kept[0] = k.kept[0], e
		for i := 0; ; { // sift down
			l, m := 2*i+1, i
			if l < len(k.kept) && errLess(k.kept[m], k.kept[l]) {
				m = l
			}
			if r := l + 1; r < len(k.kept) && errLess(k.kept[m], k.kept[r]) {
				m = r
			}
			if m == i {
				break
			}
			k.kept[m], k.kept[i] = k.kept[i], k.kept[m]
			i = m
		}
	}
	k.dropped++
	if k.firstDropped == nil || errLess(drop, k.firstDropped) {
		k.firstDropped = drop
	}
}

// Bundles returns a snapshot of the host bundles seen so far; complete after
// Walk. Safe to call during Walk (e.g. from the callback).
func (s *Source) Bundles() []BundleInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]BundleInfo, len(s.bundles))
	for i, b := range s.bundles {
		out[i] = b.info.clone()
	}
	return out
}

// Bundle returns a snapshot of bundle i, callable from the Walk callback:
// the folder-name metadata is already there when the first member of a
// bundle is delivered. (SPEC change: added.)
func (s *Source) Bundle(i int) BundleInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < 0 || i >= len(s.bundles) {
		return BundleInfo{}
	}
	return s.bundles[i].info.clone()
}

func (s *Source) addError(e *MemberError) {
	s.mu.Lock()
	if s.errs == nil {
		s.errs = map[string]*errKeep{}
	}
	k := s.errs[e.Op]
	if k == nil {
		k = &errKeep{}
		s.errs[e.Op] = k
	}
	k.add(e)
	s.mu.Unlock()
}

func (s *Source) addBundle(path string, kind BundleKind) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bundles = append(s.bundles, &bundleState{
		info: BundleInfo{Path: path, Kind: kind, Sources: map[string]string{}},
		prio: map[string]int{},
	})
	return len(s.bundles) - 1
}

// countReader counts bytes read, atomically (BytesRead reads it concurrently).
type countReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// cleanName turns an archive entry name into a slash path without a leading
// "./"; ok is false for absolute names and names with a ".." element.
func cleanName(name string) (string, bool) {
	name = strings.ReplaceAll(name, "\\", "/")
	for strings.HasPrefix(name, "./") {
		name = name[2:]
	}
	if strings.HasPrefix(name, "/") || (len(name) >= 2 && name[1] == ':') {
		return name, false
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return name, false
		}
	}
	return name, true
}
