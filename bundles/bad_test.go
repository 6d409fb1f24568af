package bundles

import (
	"archive/tar"
	"bytes"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

func TestBadInput(t *testing.T) {
	good1, good2 := "first member\n", "second member\n"
	big := strings.Repeat("0123456789abcdef", 1<<14) // 256 KiB, spans a buffer
	base := mkTar(t, ent{name: "r/a.log", body: good1}, ent{name: "r/b.log", body: good2}, ent{name: "r/c.log", body: big})
	tgz := gz(t, base)
	// the gzip stream cut inside the data of r/c.log
	truncTgz := tgz[:len(tgz)-40]
	corruptTgz := append([]byte(nil), tgz...)
	for i := len(corruptTgz) - 200; i < len(corruptTgz)-100; i++ {
		corruptTgz[i] ^= 0x55
	}
	corruptNested := []byte(gzs(t, strings.Repeat("nested line\n", 5000)))
	for i := 40; i < 60; i++ {
		corruptNested[i] ^= 0xff
	}
	rnd := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(rnd)
	long := make([]byte, 10<<20)
	rr := rand.New(rand.NewSource(2))
	for i := range long {
		long[i] = byte('a' + rr.Intn(26))
	}
	tenMB := string(long)
	zeros := gz(t, make([]byte, 64<<20))
	bombTar := gz(t, mkTar(t, ent{name: "r/zero", body: string(make([]byte, 20<<20))}, ent{name: "r/after", body: good1}))

	type wantErr struct {
		op   string
		is   error
		path string
	}
	tests := []struct {
		name     string
		data     []byte
		opts     Options
		rels     map[string]string // exact members (by rel) unless nil
		relPart  map[string]int    // rel -> minimum and strict-prefix check for a cut member
		errs     []wantErr
		nbundles int
	}{
		{"truncated outer gzip", truncTgz, Options{}, map[string]string{"a.log": good1, "b.log": good2}, map[string]int{"c.log": 1},
			[]wantErr{{"tar", ErrTruncated, "x!r/c.log"}}, 1},
		{"corrupt outer gzip", corruptTgz, Options{}, map[string]string{"a.log": good1, "b.log": good2}, map[string]int{"c.log": 0},
			[]wantErr{{"tar", ErrCorrupt, "x!r/c.log"}}, 1},
		{"corrupt gzip header", append([]byte{0x1f, 0x8b, 0x99}, rnd[:100]...), Options{}, map[string]string{}, nil,
			[]wantErr{{"gzip", ErrCorrupt, "x"}}, 0},
		{"truncated tar", base[:2048+512+1000], Options{}, map[string]string{"a.log": good1, "b.log": good2}, map[string]int{"c.log": 1000},
			[]wantErr{{"tar", ErrTruncated, "x!r/c.log"}}, 1},
		{"tar cut in a header", base[:1024+100], Options{}, map[string]string{"a.log": good1}, nil,
			[]wantErr{{"tar", ErrTruncated, "x"}}, 1},
		{"corrupt nested gz", mkTar(t, ent{name: "r/bad.gz", body: string(corruptNested)}, ent{name: "r/ok", body: good1}), Options{},
			nil, map[string]int{"bad": 0, "ok": len(good1)}, []wantErr{{"gzip", ErrCorrupt, "x!r/bad.gz"}}, 1},
		{"random bytes", rnd, Options{}, map[string]string{}, nil, []wantErr{{"detect", ErrUnknownFormat, "x"}}, 0},
		{"empty", nil, Options{}, map[string]string{}, nil, []wantErr{{"detect", ErrEmpty, "x"}}, 0},
		{"zip unsafe paths", mkZip(t, ent{name: "../../etc/passwd", body: "no"}, ent{name: "/abs/file", body: "no"}, ent{name: "a/../../up", body: "no"}, ent{name: "ok.log", body: good1}), Options{},
			map[string]string{"ok.log": good1}, nil,
			[]wantErr{{"path", ErrUnsafePath, "x!../../etc/passwd"}, {"path", ErrUnsafePath, "x!/abs/file"}, {"path", ErrUnsafePath, "x!a/../../up"}}, 1},
		{"tar links, devices, unsafe", mkTar(t,
			ent{name: "r/var/log/vmkernel.log", typ: tar.TypeSymlink, link: "/var/run/log/vmkernel.log"},
			ent{name: "r/hard", typ: tar.TypeLink, link: "r/ok"},
			ent{name: "r/dev/sda", typ: tar.TypeBlock},
			ent{name: "r/dev/tty", typ: tar.TypeChar},
			ent{name: "r/fifo", typ: tar.TypeFifo},
			ent{name: "r/../../escape", body: "no"},
			ent{name: "r/ok", body: good1}), Options{},
			map[string]string{"ok": good1}, nil,
			[]wantErr{{"link", ErrSymlink, "x!r/var/log/vmkernel.log"}, {"link", ErrSymlink, "x!r/hard"}, {"special", ErrSpecial, "x!r/dev/sda"},
				{"special", ErrSpecial, "x!r/dev/tty"}, {"special", ErrSpecial, "x!r/fifo"}, {"path", ErrUnsafePath, "x!r/../../escape"}}, 1},
		{"nested gz bomb", mkTar(t, ent{name: "r/bomb.gz", body: string(zeros)}, ent{name: "r/ok", body: good1}), Options{},
			nil, map[string]int{"bomb": 1 << 20, "ok": len(good1)}, []wantErr{{"ratio", ErrRatio, "x!r/bomb.gz"}}, 1},
		{"outer bomb", bombTar, Options{MaxRatio: 100}, map[string]string{}, map[string]int{"zero": 1 << 20},
			[]wantErr{{"ratio", ErrRatio, "x!r/zero"}}, 1},
		{"max total", mkTar(t, ent{name: "r/a", body: good1}, ent{name: "r/b", body: big}, ent{name: "r/c", body: good2}), Options{MaxTotal: 1000, Workers: 1},
			nil, map[string]int{"a": len(good1), "b": 1000 - len(good1)}, []wantErr{{"total", ErrTotal, "x!r/b"}}, 1},
		{"10 MB line", gz(t, mkTar(t, ent{name: "r/long.log", body: tenMB}, ent{name: "r/ok", body: good1})), Options{},
			map[string]string{"long.log": tenMB, "ok": good1}, nil, nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := walkBytes(t, "x", tc.data, tc.opts)
			if g.err != nil {
				t.Fatalf("Walk returned %v; bad input must not be fatal", g.err)
			}
			rels := g.byRel()
			for rel, min := range tc.relPart {
				body, ok := rels[rel]
				if !ok {
					t.Errorf("member %s not delivered", rel)
					continue
				}
				if len(body) < min {
					t.Errorf("member %s: %d bytes, want >= %d", rel, len(body), min)
				}
				if rel == "c.log" && !strings.HasPrefix(big, body) {
					t.Errorf("member %s: bytes are not a prefix of the original", rel)
				}
				if rel == "b" && len(body) != min {
					t.Errorf("member b: %d bytes, want exactly %d", len(body), min)
				}
				delete(rels, rel)
			}
			if tc.rels != nil && !reflect.DeepEqual(rels, tc.rels) {
				t.Errorf("members: got %d %q", len(rels), keys(rels))
			}
			if len(g.errs) != len(tc.errs) {
				t.Fatalf("errors: got %v, want %v", g.errs, tc.errs)
			}
			for i, w := range tc.errs {
				e := g.errs[i]
				var me *MemberError
				if !errors.As(e, &me) || e.Op != w.op || !errors.Is(e, w.is) || e.Path != w.path {
					t.Errorf("error %d = %v (op %q path %q), want %+v", i, e, e.Op, e.Path, w)
				}
				if !strings.HasPrefix(e.Error(), "bundles: "+e.Path+" at offset ") {
					t.Errorf("Error() = %q", e.Error())
				}
			}
			if len(g.bundles) != tc.nbundles {
				t.Errorf("bundles: %d, want %d", len(g.bundles), tc.nbundles)
			}
		})
	}
}

func keys(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want format
	}{
		{"empty", nil, fmtEmpty},
		{"text", []byte("hello\n"), fmtPlain},
		{"utf8 text", []byte("Grüße – ok\n"), fmtPlain},
		{"nul", []byte("a\x00b"), fmtUnknown},
		{"zip", []byte("PK\x03\x04rest"), fmtZip},
		{"empty zip", []byte("PK\x05\x06rest"), fmtZip},
		{"gz text", gz(t, []byte("log\n")), fmtPlain},
		{"tar", mkTar(t, ent{name: "a", body: "b"}), fmtTar},
		{"tgz", gz(t, mkTar(t, ent{name: "a", body: "b"})), fmtGzipTar},
		{"v7 tar", v7tar(t), fmtTar},
		{"bad gz", []byte{0x1f, 0x8b, 1, 2, 3}, fmtGzipBad},
	}
	for _, tc := range tests {
		if got := sniff(tc.in); got != tc.want {
			t.Errorf("%s: sniff = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// v7tar is a tar header without the ustar magic (checksum detection).
func v7tar(t *testing.T) []byte {
	b := mkTar(t, ent{name: "a", body: "b"})
	copy(b[257:265], make([]byte, 8))
	var sum int
	for i, c := range b[:512] {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int(c)
	}
	copy(b[148:156], []byte(strings.Repeat("0", 6-len(itoa8(sum)))+itoa8(sum)+"\x00 "))
	return bytes.Clone(b)
}

func itoa8(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%8)) + s
		n /= 8
	}
	return s
}
