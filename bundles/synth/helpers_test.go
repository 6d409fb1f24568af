package synth

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"io"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// entry is one tar entry as read back.
type entry struct {
	name string
	data []byte
	dir  bool
}

// readTgz reads a .tgz with the standard library (independent of the generator's
// klauspost writer). It returns the entries read before any error and the error.
func readTgz(t testing.TB, b []byte) ([]entry, error) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	var out []entry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		data, err := io.ReadAll(tr)
		out = append(out, entry{name: h.Name, data: data, dir: h.Typeflag == tar.TypeDir})
		if err != nil {
			return out, err
		}
	}
}

// logical joins FRAG pieces (in numeric order) and gunzips .gz members: the map
// is keyed by the path below the root without .gz, like bundles.Member.Rel.
func logical(t testing.TB, es []entry) map[string][]byte {
	t.Helper()
	frags := map[string][]entry{}
	out := map[string][]byte{}
	for _, e := range es {
		if e.dir {
			continue
		}
		_, rel, _ := strings.Cut(e.name, "/")
		if i := strings.Index(rel, ".FRAG-"); i >= 0 {
			frags[rel[:i]] = append(frags[rel[:i]], entry{name: rel, data: e.data})
			continue
		}
		out[rel] = e.data
	}
	for base, ps := range frags {
		sort.Slice(ps, func(i, j int) bool { return ps[i].name < ps[j].name })
		var b []byte
		for _, p := range ps {
			b = append(b, p.data...)
		}
		out[base] = b
	}
	for name, data := range out {
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			delete(out, name)
			out[strings.TrimSuffix(name, ".gz")] = plain
		}
	}
	return out
}

func genBundle(t testing.TB, cfg Config) ([]byte, *Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := Generate(&buf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), m
}

// logsOf returns the concatenated text of every logical log file whose kind is
// kind (rotations and current file), keyed by file.
func logsOf(files map[string][]byte, paths ...string) map[string][]byte {
	out := map[string][]byte{}
	for name, data := range files {
		for _, p := range paths {
			if name == p || strings.HasPrefix(name, p+".") {
				out[name] = data
			}
		}
	}
	return out
}
