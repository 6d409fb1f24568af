package bundles

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// countReaderAt counts bytes read into the Source's BytesRead.
type countReaderAt struct {
	r io.ReaderAt
	s *Source
}

func (c countReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.s.in.n.Add(int64(n))
	return n, err
}

// fragGroup collects the pieces of one FRAG set in a random-access
// container (zip, folder), where every piece is known before delivery.
type fragGroup struct {
	vbase, rel string
	pieces     map[int]pieceSrc
}

type dirItem struct {
	frag *fragGroup // or
	ps   pieceSrc
	rel  string
	comp int64
}

// walkZip walks a zip (a vCenter export): every inner tar or tgz is its own
// host bundle, walked in order; other entries belong to one bundle for the
// zip itself.
func (w *walk) walkZip() {
	s := w.s
	ra, size := s.readAt, s.size
	if ra == nil {
		f, err := os.CreateTemp(s.opts.TempDir, "esxdiag-zip-*")
		if err != nil {
			w.containerErr(s.base, 0, "zip", fmt.Errorf("spool: %w", err))
			return
		}
		w.after = append(w.after, func() { f.Close(); os.Remove(f.Name()) })
		n, err := io.Copy(f, s.br)
		if err != nil {
			w.containerErr(s.base, n, "zip", fmt.Errorf("spool: %w", err))
			return
		}
		ra, size = f, n
	} else {
		s.in.n.Store(0) // the sniffed head is read again through ReadAt: count it once
		ra = countReaderAt{r: ra, s: s}
	}
	if n, ok := zipEntries(ra, size); ok && n > maxZipEntries {
		// archive/zip holds every central directory record in memory
		// (~430 bytes each with the walk's own list: 300k entries took
		// 434 MB); the local headers are read one at a time.
		w.containerErr(s.base, size, "zip", fmt.Errorf("%w: %d entries, more than %d: entries read from their local headers", ErrCorrupt, n, maxZipEntries))
		w.walkZipLocal(ra, size)
		return
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		// No usable central directory (most often a download cut short):
		// read what the local headers still give.
		w.containerErr(s.base, size, "zip", fmt.Errorf("%w: %v; entries read from their local headers", ErrCorrupt, err))
		w.walkZipLocal(ra, size)
		return
	}
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	loose := -1
	looseBundle := func() int {
		if loose < 0 {
			loose = w.newBundle(s.base, KindVCenterExport, "")
		}
		return loose
	}
	var items []dirItem
	groups := map[string]*fragGroup{}
	for _, f := range zr.File {
		vpath := s.base + "!" + f.Name
		off, _ := f.DataOffset()
		name, safe := cleanName(f.Name)
		if !safe {
			w.containerErr(vpath, off, "path", ErrUnsafePath)
			continue
		}
		mode := f.Mode()
		switch {
		case mode.IsDir() || (len(name) > 0 && name[len(name)-1] == '/'):
			continue
		case mode&os.ModeSymlink != 0:
			w.containerErr(vpath, off, "link", ErrSymlink)
			continue
		case !mode.IsRegular():
			w.containerErr(vpath, off, "special", fmt.Errorf("%w: mode %v", ErrSpecial, mode))
			continue
		}
		f := f
		ps := pieceSrc{vpath: vpath, size: int64(f.UncompressedSize64), open: func() (io.ReadCloser, error) { return f.Open() }}
		if base, idx, ok := fragSuffix(name); ok {
			g := groups[base]
			if g == nil {
				rawBase, _, _ := fragSuffix(f.Name)
				g = &fragGroup{vbase: s.base + "!" + rawBase, rel: relOf(base, ""), pieces: map[int]pieceSrc{}}
				groups[base] = g
				items = append(items, dirItem{frag: g})
			}
			if _, dup := g.pieces[idx]; dup {
				w.containerErr(vpath, off, "frag-order", fmt.Errorf("%w: duplicate piece skipped", ErrFragOrder))
				continue
			}
			g.pieces[idx] = ps
			continue
		}
		comp := int64(0)
		if f.Method != zip.Store {
			comp = int64(f.CompressedSize64)
		}
		items = append(items, dirItem{ps: ps, rel: relOf(name, ""), comp: comp})
	}
	for _, it := range items {
		if !w.alive() {
			return
		}
		if it.frag != nil {
			w.deliverGroup(it.frag, looseBundle())
			continue
		}
		if w.nested(it.ps, KindVCenterExport) {
			continue
		}
		j := &job{m: Member{Bundle: looseBundle(), Path: it.ps.vpath, Rel: it.rel, Size: it.ps.size, Seq: w.newSeq()}, pieces: []pieceSrc{it.ps}, comp: it.comp, meta: metaOf(it.rel)}
		w.enqueue(j)
	}
}

// nested walks an entry of a zip or folder that is a tar or tgz (by
// content) as its own host bundle; false means deliver it as a member.
func (w *walk) nested(ps pieceSrc, kind BundleKind) bool {
	rc, err := ps.open()
	if err != nil {
		return false // delivered as a plain member; its reader reports the error
	}
	defer rc.Close()
	cnt := &countingReader{r: rc}
	br := bufio.NewReaderSize(cnt, 64<<10)
	head, _ := br.Peek(8 << 10) // a tar header inflates from far fewer bytes
	switch sniff(head) {
	case fmtGzipTar:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return false
		}
		rr := &ratioReader{r: zr, comp: func() int64 { return cnt.n - int64(br.Buffered()) }, max: w.s.opts.MaxRatio}
		w.walkTar(rr, ps.vpath, kind)
		return true
	case fmtTar:
		w.walkTar(&ratioReader{r: br, max: -1}, ps.vpath, kind)
		return true
	}
	return false
}

// deliverGroup plans and enqueues one FRAG set of a random-access container.
func (w *walk) deliverGroup(g *fragGroup, bundle int) {
	idxs := make([]int, 0, len(g.pieces))
	for i := range g.pieces {
		idxs = append(idxs, i)
	}
	plans, _ := planFrags(g.vbase, idxs, func(i int) pieceSrc { return g.pieces[i] }, -1, 0)
	w.deliverPlans(plans, bundle, g.rel)
}

// walkZipLocal reads a zip whose central directory is missing or broken
// entry by entry from the local file headers, in file order, as a tar is
// read: inner tar/tgz entries are host bundles, other entries loose members.
// It stops at the first entry whose end it cannot find (a stored entry
// with a data descriptor, an unknown method) or that is cut short, and
// records why. FRAG pieces are delivered as separate members here.
func (w *walk) walkZipLocal(ra io.ReaderAt, size int64) {
	s := w.s
	cr := &countingReader{r: io.NewSectionReader(ra, 0, size)}
	br := bufio.NewReaderSize(cr, 64<<10)
	pos := func() int64 { return cr.n - int64(br.Buffered()) }
	le16 := func(b []byte) int64 { return int64(b[0]) | int64(b[1])<<8 }
	le32 := func(b []byte) int64 { return le16(b) | le16(b[2:])<<16 }
	loose := -1
	for w.alive() {
		off := pos()
		if sig, err := br.Peek(4); err != nil || le32(sig) != 0x04034b50 {
			return // the end, or the central directory (what is left of it)
		}
		var h [30]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			if off < size {
				w.containerErr(s.base, off, "zip", fmt.Errorf("%w: local header cut short", ErrTruncated))
			}
			return
		}
		flags, method := le16(h[6:]), le16(h[8:])
		csize, usize := le32(h[18:]), le32(h[22:])
		nameExtra := make([]byte, le16(h[26:])+le16(h[28:]))
		if _, err := io.ReadFull(br, nameExtra); err != nil {
			w.containerErr(s.base, off, "zip", fmt.Errorf("%w: local header cut short", ErrTruncated))
			return
		}
		rawName := string(nameExtra[:le16(h[26:])])
		for x := nameExtra[le16(h[26:]):]; len(x) >= 4; {
			id, n := le16(x), le16(x[2:])
			if int(n) > len(x)-4 {
				break
			}
			if d := x[4 : 4+n]; id == 1 && len(d) >= 16 { // zip64 sizes
				usize, csize = le32(d)|le32(d[4:])<<32, le32(d[8:])|le32(d[12:])<<32
			}
			x = x[4+n:]
		}
		vpath := s.base + "!" + rawName
		dataOff := pos()
		sized := flags&8 == 0 || csize > 0
		var body io.Reader
		switch {
		case method == int64(zip.Deflate):
			// bufio.Reader is an io.ByteReader: flate reads no byte past
			// the end of the stream, so pos() stays exact.
			body = &ratioReader{r: flate.NewReader(br), comp: func() int64 { return pos() - dataOff }, max: s.opts.MaxRatio}
		case method == int64(zip.Store) && sized:
			body = io.LimitReader(br, csize)
		case method == int64(zip.Store) && isGzipHead(br):
			// Stored with a data descriptor (Go's zip.Writer and other
			// streaming zippers): a gzip entry, such as a host .tgz, shows
			// where it ends by its own trailer. gzip, like flate, reads no
			// byte past it from an io.ByteReader.
			zr, err := gzip.NewReader(br)
			if err != nil {
				w.containerErr(vpath, dataOff, "gzip", fmt.Errorf("%w: %v", ErrCorrupt, err))
				return
			}
			zr.Multistream(false)
			body = &ratioReader{r: zr, comp: func() int64 { return pos() - dataOff }, max: s.opts.MaxRatio}
		default:
			w.containerErr(vpath, off, "zip", fmt.Errorf("%w: method %d, sizes unknown: cannot find the entry's end without the central directory", ErrCorrupt, method))
			return
		}
		name, safe := cleanName(rawName)
		isDir := len(name) == 0 || name[len(name)-1] == '/'
		switch {
		case !safe:
			w.containerErr(vpath, off, "path", ErrUnsafePath)
		case isDir:
		default:
			eb := bufio.NewReaderSize(body, 64<<10)
			head, _ := eb.Peek(8 << 10)
			switch sniff(head) {
			case fmtGzipTar:
				if zr, err := gzip.NewReader(eb); err == nil {
					cnt := pos
					w.walkTar(&ratioReader{r: zr, comp: func() int64 { return cnt() - dataOff }, max: s.opts.MaxRatio}, vpath, KindVCenterExport)
				}
			case fmtTar:
				w.walkTar(&ratioReader{r: eb, max: -1}, vpath, KindVCenterExport)
			default:
				if loose < 0 {
					loose = w.newBundle(s.base, KindVCenterExport, "")
				}
				rel := relOf(name, "")
				sz := int64(-1)
				if sized {
					sz = usize
				}
				j := &job{m: Member{Bundle: loose, Path: vpath, Rel: rel, Size: sz}, meta: metaOf(rel)}
				if err := w.pumpMember(j, eb, vpath, "zip"); err != nil {
					return
				}
			}
			body = eb
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			if w.alive() {
				w.containerErr(vpath, pos(), opOf(err, "zip"), classify(err))
			}
			return
		}
		if flags&8 != 0 { // data descriptor: [signature] crc, sizes (8 or 16 bytes)
			var d [4]byte
			if _, err := io.ReadFull(br, d[:]); err != nil {
				return
			}
			n := 8
			if le32(d[:]) == 0x08074b50 {
				n = 12
			}
			if _, err := br.Discard(n); err != nil {
				return
			}
			if next, err := br.Peek(4); err == nil && le32(next) != 0x04034b50 && le32(next) != 0x02014b50 {
				br.Discard(4) // zip64 descriptor: 8-byte sizes
			}
		}
	}
}

func isGzipHead(br *bufio.Reader) bool {
	head, _ := br.Peek(2)
	return isGzip(head)
}

// maxZipEntries bounds the zips read through their central directory. A
// vCenter export holds one .tgz per host and a few loose files.
const maxZipEntries = 50000

// zipEntries reads the entry count of the end of central directory record
// (zip64 too) without reading the directory itself.
func zipEntries(ra io.ReaderAt, size int64) (int64, bool) {
	tail := int64(22 + 65535) // EOCD and its longest comment
	if tail > size {
		tail = size
	}
	b := make([]byte, tail)
	if _, err := ra.ReadAt(b, size-tail); err != nil && err != io.EOF {
		return 0, false
	}
	le := func(b []byte, n int) int64 {
		var v int64
		for i := n - 1; i >= 0; i-- {
			v = v<<8 | int64(b[i])
		}
		return v
	}
	i := bytes.LastIndex(b, []byte("PK\x05\x06"))
	if i < 0 || len(b)-i < 22 {
		return 0, false
	}
	n := le(b[i+10:], 2)
	if n != 0xffff || i < 20 || !bytes.Equal(b[i-20:i-16], []byte("PK\x06\x07")) {
		return n, true
	}
	off := le(b[i-20+8:], 8) // zip64 end of central directory record
	var z [56]byte
	if off < 0 || off > size-56 {
		return 0, false
	}
	if _, err := ra.ReadAt(z[:], off); err != nil || !bytes.Equal(z[:4], []byte("PK\x06\x06")) {
		return 0, false
	}
	return le(z[32:], 8), true
}
