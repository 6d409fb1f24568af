package bundles

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"io"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// ent is one fixture archive entry.
type ent struct {
	name string
	body string
	typ  byte   // tar type; 0 = regular
	link string // link target
}

func mkTar(t testing.TB, ents ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Linkname: e.link, ModTime: time.Unix(1709806500, 0), Format: tar.FormatGNU}
		if typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if typ == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzs(t testing.TB, s string) string { return string(gz(t, []byte(s))) }

func mkZip(t testing.TB, ents ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// got is what a walk delivered.
type got struct {
	members []Member          // R nil; sorted by Seq
	bodies  map[string]string // by Path
	errs    []*MemberError
	bundles []BundleInfo
	err     error
}

func (g *got) byRel() map[string]string {
	m := map[string]string{}
	for _, mm := range g.members {
		m[mm.Rel] += g.bodies[mm.Path]
	}
	return m
}

func (g *got) paths() []string {
	var p []string
	for _, m := range g.members {
		p = append(p, m.Path)
	}
	return p
}

func walkSource(t testing.TB, s *Source) *got {
	t.Helper()
	g := &got{bodies: map[string]string{}}
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g.err = s.Walk(ctx, func(m *Member) error {
		b, err := io.ReadAll(m.R)
		if err != nil {
			t.Errorf("%s: reader returned %v, want only io.EOF", m.Path, err)
		}
		mu.Lock()
		defer mu.Unlock()
		mm := *m
		mm.R = nil
		g.members = append(g.members, mm)
		if _, dup := g.bodies[m.Path]; dup {
			t.Errorf("member path %s delivered twice", m.Path)
		}
		g.bodies[m.Path] = string(b)
		return nil
	})
	sort.Slice(g.members, func(i, j int) bool { return g.members[i].Seq < g.members[j].Seq })
	g.errs = s.Errors()
	g.bundles = s.Bundles()
	return g
}

func walkBytes(t testing.TB, name string, data []byte, opts Options) *got {
	t.Helper()
	s, err := OpenReader(context.Background(), name, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	return walkSource(t, s)
}

// walkStream hides ReaderAt so the stream paths (zip spooling) are used.
func walkStream(t testing.TB, name string, data []byte, opts Options) *got {
	t.Helper()
	s, err := OpenReader(context.Background(), name, struct{ io.Reader }{bytes.NewReader(data)}, opts)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	return walkSource(t, s)
}
