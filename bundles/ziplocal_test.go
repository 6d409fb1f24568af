package bundles

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// zipOf writes entries with Go's zip.Writer (so every entry has a data
// descriptor): stored when the name ends in .tgz, deflated otherwise.
// Sizes in the local header are set only when sized is true (CreateRaw).
func zipOf(t *testing.T, sized bool, ents ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		method := zip.Deflate
		if strings.HasSuffix(e.name, ".tgz") {
			method = zip.Store
		}
		if sized {
			if method != zip.Store {
				t.Fatal("sized entries are stored")
			}
			fh := &zip.FileHeader{Name: e.name, Method: zip.Store, CompressedSize64: uint64(len(e.body)), UncompressedSize64: uint64(len(e.body))}
			w, err := zw.CreateRaw(fh)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(e.body))
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A vCenter export cut short (no central directory) is read from the local
// headers: the hosts before the cut are analysed, the cut is reported with
// the entry it hits.
func TestZipWithoutCentralDirectory(t *testing.T) {
	h1 := string(gz(t, mkTar(t, ent{name: "esx-h1-2024-03-07--10.15-1/var/run/log/vmkernel.log", body: "host one\n"})))
	h2 := string(gz(t, mkTar(t, ent{name: "esx-h2-2024-03-07--10.15-2/var/run/log/vmkernel.log", body: strings.Repeat("host two\n", 20000)})))
	loose := strings.Repeat("a loose log line\n", 1000)
	full := zipOf(t, false, ent{name: "h1.tgz", body: h1}, ent{name: "vpxd.log", body: loose}, ent{name: "../evil.log", body: "x"}, ent{name: "h2.tgz", body: h2})
	cd := bytes.Index(full, []byte("PK\x01\x02")) // first central directory record
	if cd < 0 {
		t.Fatal("no central directory")
	}
	h2at := bytes.LastIndex(full[:cd], []byte("PK\x03\x04"))

	tests := []struct {
		name     string
		data     []byte
		bodies   map[string]string // rel -> exact body
		partial  string            // rel delivered cut short
		errIs    error
		errPath  string
		nbundles int
	}{
		{"central directory cut", full[:len(full)-10], map[string]string{"var/run/log/vmkernel.log": "host one\n" + strings.Repeat("host two\n", 20000), "vpxd.log": loose},
			"", ErrCorrupt, "x.zip", 3},
		{"cut inside the last host", full[:h2at+(cd-h2at)/2], map[string]string{"vpxd.log": loose}, "var/run/log/vmkernel.log", ErrTruncated, "x.zip!h2.tgz", 3},
		{"sized stored entries", zipOf(t, true, ent{name: "h1.tgz", body: h1}, ent{name: "h2.tgz", body: h2})[:len(h1)+len(h2)+100],
			map[string]string{"var/run/log/vmkernel.log": "host one\n" + strings.Repeat("host two\n", 20000)}, "", ErrCorrupt, "x.zip", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, g := range []*got{walkBytes(t, "x.zip", tc.data, Options{Workers: 2}), walkStream(t, "x.zip", tc.data, Options{Workers: 2})} {
				if g.err != nil {
					t.Fatal(g.err)
				}
				rels := g.byRel()
				for rel, want := range tc.bodies {
					if rel == tc.partial {
						continue
					}
					if rels[rel] != want && !(tc.partial != "" && strings.HasPrefix(rels[rel], want)) {
						t.Errorf("%s: %d bytes, want %d", rel, len(rels[rel]), len(want))
					}
				}
				if tc.partial != "" && !strings.HasPrefix(rels[tc.partial], "host one\n") {
					t.Errorf("%s: first host lost: %q", tc.partial, rels[tc.partial][:min(20, len(rels[tc.partial]))])
				}
				found := false
				for _, e := range g.errs {
					if e.Path == tc.errPath && errors.Is(e.Err, tc.errIs) {
						found = true
					}
					if e.Op == "path" && !strings.HasSuffix(e.Path, "../evil.log") {
						t.Errorf("unexpected path error %v", e)
					}
				}
				if !found {
					t.Errorf("no %v error on %s in %v", tc.errIs, tc.errPath, g.errs)
				}
				if len(g.bundles) != tc.nbundles {
					t.Errorf("%d bundles, want %d", len(g.bundles), tc.nbundles)
				}
			}
		})
	}
}

// A zip of more entries than maxZipEntries is not loaded through its central
// directory (whose records archive/zip holds in memory all at once) but read
// from the local headers one by one. 70,001 entries also makes Go's writer
// use the zip64 end record, whose count zipEntries must read.
func TestZipManyEntriesStreamed(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("r/vmkernel.log", "the one log\n")
	const n = 70000
	for i := 0; i < n; i++ {
		add(fmt.Sprintf("r/e%d", i), "")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if got, ok := zipEntries(bytes.NewReader(buf.Bytes()), int64(buf.Len())); !ok || got != n+1 {
		t.Fatalf("zipEntries = %d, %v; want %d", got, ok, n+1)
	}
	g := walkBytes(t, "x.zip", buf.Bytes(), Options{Workers: 2})
	if g.err != nil {
		t.Fatal(g.err)
	}
	if got := g.byRel()["r/vmkernel.log"]; got != "the one log\n" {
		t.Fatalf("vmkernel.log = %q", got)
	}
	if len(g.members) != n+1 {
		t.Fatalf("%d members, want %d", len(g.members), n+1)
	}
	if len(g.errs) != 1 || !strings.Contains(g.errs[0].Error(), fmt.Sprintf("%d entries, more than %d", n+1, maxZipEntries)) {
		t.Fatalf("errors: %v", g.errs)
	}
}
