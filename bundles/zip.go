package bundles

import (
	"archive/zip"
	"bufio"
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
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		w.containerErr(s.base, 0, "zip", fmt.Errorf("%w: %v", ErrCorrupt, err))
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
