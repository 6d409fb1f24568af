package bundles

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"testing"
	"time"
)

// FuzzWalk feeds arbitrary bytes (seeded with every fixture kind) to the
// container reader: it must never panic, hang or fail the walk.
func FuzzWalk(f *testing.F) {
	host := hostBundle(f, root1)
	frag := mkTar(f,
		ent{name: "r/a.gz.FRAG-00001", body: gzs(f, "one\ntwo\n")[10:]},
		ent{name: "r/a.gz.FRAG-00000", body: gzs(f, "one\ntwo\n")[:10]},
		ent{name: "r/b.FRAG-00002", body: "c"},
		ent{name: "r/link", typ: tar.TypeSymlink, link: "../x"},
	)
	for _, seed := range [][]byte{
		host, gz(f, host), frag, gz(f, frag),
		mkZip(f, ent{name: "h.tgz", body: string(gz(f, host))}, ent{name: "../x", body: "y"}),
		gz(f, []byte(vmk)), []byte(vmk), nil, {0x1f, 0x8b}, []byte("PK\x03\x04"),
		noCentralDir(mkZip(f, ent{name: "h.tgz", body: string(gz(f, host))}, ent{name: "v.log", body: vmk})),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		opts := Options{Workers: 2, MaxTotal: 64 << 20, FragSpill: 256, TempDir: t.TempDir()}
		s, err := OpenReader(ctx, "fuzz", bytes.NewReader(data), opts)
		if err != nil {
			t.Fatalf("OpenReader: %v", err)
		}
		err = s.Walk(ctx, func(m *Member) error {
			_, err := io.Copy(io.Discard, m.R)
			return err
		})
		if err != nil {
			t.Fatalf("Walk: %v (a hang shows as a deadline error)", err)
		}
		for _, e := range s.Errors() {
			if e.Err == nil || e.Error() == "" {
				t.Fatalf("malformed error %#v", e)
			}
		}
	})
}

// noCentralDir cuts a zip before its central directory (a download cut
// short), so the walk reads the local headers.
func noCentralDir(z []byte) []byte {
	if i := bytes.Index(z, []byte("PK\x01\x02")); i > 0 {
		return z[:i]
	}
	return z
}
