package bundles

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// walkDir walks an extracted bundle folder in lexical order. The bundle root
// is the folder itself, or its only sub-folder when that one is named
// esx-<host>-<date>--<time>-<pid>.
func (w *walk) walkDir(dir string) {
	root := dir
	if _, _, ok := parseFolder(filepath.Base(dir)); !ok {
		if ents, err := os.ReadDir(dir); err == nil && len(ents) == 1 && ents[0].IsDir() {
			if _, _, ok := parseFolder(ents[0].Name()); ok {
				root = filepath.Join(dir, ents[0].Name())
			}
		}
	}
	b := -1
	bundle := func() int { // created at the first loose member (a folder of .tgz files has none)
		if b < 0 {
			b = w.newBundle(dir, KindFolder, filepath.Base(root))
		}
		return b
	}
	var items []dirItem
	groups := map[string]*fragGroup{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if !w.alive() {
			return filepath.SkipAll
		}
		if err != nil {
			w.containerErr(p, 0, "dir", err)
			return nil
		}
		if d.IsDir() {
			return nil
		}
		relp, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		rel := filepath.ToSlash(relp)
		t := d.Type()
		switch {
		case t&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			w.containerErr(p, 0, "link", fmt.Errorf("%w: -> %s", ErrSymlink, target))
			return nil
		case !t.IsRegular():
			w.containerErr(p, 0, "special", fmt.Errorf("%w: mode %v", ErrSpecial, t))
			return nil
		}
		var size int64 = -1
		if info, err := d.Info(); err == nil {
			size = info.Size()
		}
		ps := pieceSrc{vpath: p, size: size, open: func() (io.ReadCloser, error) {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			return countedFile{f: f, n: &w.s.in.n}, nil
		}}
		if base, idx, ok := fragSuffix(rel); ok {
			g := groups[base]
			if g == nil {
				g = &fragGroup{vbase: filepath.Join(root, filepath.FromSlash(base)), rel: relOf(base, ""), pieces: map[int]pieceSrc{}}
				groups[base] = g
				items = append(items, dirItem{frag: g})
			}
			g.pieces[idx] = ps
			return nil
		}
		items = append(items, dirItem{ps: ps, rel: relOf(rel, "")})
		return nil
	})
	if err != nil {
		w.containerErr(dir, 0, "dir", err)
	}
	defer func() {
		if b < 0 && len(w.s.Bundles()) == 0 {
			bundle() // an empty folder is still one (empty) bundle
		}
	}()
	for _, it := range items {
		if !w.alive() {
			return
		}
		if it.frag != nil {
			w.deliverGroup(it.frag, bundle())
			continue
		}
		if archiveName(it.rel) && w.nested(it.ps, KindESXi) {
			continue
		}
		j := &job{m: Member{Bundle: bundle(), Path: it.ps.vpath, Rel: it.rel, Size: it.ps.size, Seq: w.newSeq()}, pieces: []pieceSrc{it.ps}, meta: metaOf(it.rel)}
		w.enqueue(j)
	}
}

// countedFile adds the bytes read from a folder member to Source.BytesRead.
type countedFile struct {
	f *os.File
	n *atomic.Int64
}

func (c countedFile) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c countedFile) Close() error { return c.f.Close() }

// archiveName says whether a folder member may be a whole bundle: a
// top-level *.tgz, *.tar or *.tar.gz (rel has ".gz" already stripped). Only
// these are sniffed, so ordinary members are not opened twice, and archives
// deeper inside an extracted bundle stay members.
func archiveName(rel string) bool {
	return !strings.Contains(rel, "/") && (strings.HasSuffix(rel, ".tgz") || strings.HasSuffix(rel, ".tar"))
}
