package bundles

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	root1  = "esx-h1.example.com-2024-03-07--10.15-1234"
	root2  = "esx-h2-2024-03-08--23.59-99"
	vmk    = "2024-03-07T10:15:01.123Z cpu3:2097)ScsiDeviceIO: 4325: Cmd(0x45d8) 0x28, CmdSN 0x1 from world 0 to dev \"naa.1\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x29 0x0.\n"
	hostd  = "2024-03-07T09:00:00.000Z info hostd[1000] [Originator@6876 sub=Default] Section for VMware ESX, pid=1000, version=7.0.2, build=17867351, option=Release\n"
	readme = "Key: value\nCaptured on: 2024-03-07 10:15:42.123456\nOptions: {}\n"
	vl     = "VMware ESXi 7.0.3 build-20328353\nVMware ESXi 7.0 Update 3\n"
	uname  = "VMkernel h1short 7.0.3 #1 SMP Release build-20328353 Mar 27 2022 05:06:06 x86_64 x86_64 x86_64 ESXi\n"
)

// hostBundle is a small realistic host bundle tar.
func hostBundle(t testing.TB, root string) []byte {
	return mkTar(t,
		ent{name: root + "/", typ: tar.TypeDir},
		ent{name: root + "/README", body: readme},
		ent{name: root + "/commands/vmware_-vl.txt", body: vl},
		ent{name: root + "/commands/uname_-a.txt", body: uname},
		ent{name: root + "/var/run/log/vmkernel.log", body: vmk + vmk},
		ent{name: root + "/var/run/log/vmkernel.0.gz", body: gzs(t, vmk)},
		ent{name: root + "/var/run/log/hostd.log", body: hostd},
	)
}

var hostRels = map[string]string{
	"README":                   readme,
	"commands/vmware_-vl.txt":  vl,
	"commands/uname_-a.txt":    uname,
	"var/run/log/vmkernel.log": vmk + vmk,
	"var/run/log/vmkernel.0":   vmk,
	"var/run/log/hostd.log":    hostd,
}

func wantHostInfo(path string, kind BundleKind, host string) BundleInfo {
	return BundleInfo{
		Path: path, Kind: kind, Host: host, Version: "7.0.3", Build: "20328353",
		CollectedAt: time.Date(2024, 3, 7, 10, 15, 42, 123456000, time.UTC),
		Sources: map[string]string{
			"host": "folder-name", "collected_at": "README",
			"version": "commands/vmware_-vl.txt", "build": "commands/vmware_-vl.txt",
		},
	}
}

func noErrs(t *testing.T, g *got) {
	t.Helper()
	if g.err != nil {
		t.Fatalf("Walk: %v", g.err)
	}
	for _, e := range g.errs {
		t.Errorf("unexpected member error: %v", e)
	}
}

func TestInputKinds(t *testing.T) {
	tgz := gz(t, hostBundle(t, root1))
	dir := t.TempDir()
	writeTree(t, filepath.Join(dir, root1))
	parent := t.TempDir() // holds only the bundle folder: its root is found
	writeTree(t, filepath.Join(parent, root1))
	files := map[string][]byte{
		"bundle.tgz":   tgz,
		"bundle.tar":   hostBundle(t, root1),
		"vmkernel.log": []byte(vmk),
		"vmk.0.gz":     gz(t, []byte(vmk)),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		open     func() (*Source, error)
		wantRels map[string]string
		wantInfo []BundleInfo
		pathPref string
	}{
		{"tgz file", func() (*Source, error) {
			return Open(context.Background(), filepath.Join(dir, "bundle.tgz"), Options{})
		},
			hostRels, []BundleInfo{wantHostInfo("bundle.tgz", KindESXi, "h1.example.com")}, "bundle.tgz!" + root1 + "/"},
		{"tgz stream named .bin", func() (*Source, error) {
			return OpenReader(context.Background(), "x.bin", bytes.NewReader(tgz), Options{Workers: 1})
		}, hostRels, []BundleInfo{wantHostInfo("x.bin", KindESXi, "h1.example.com")}, "x.bin!" + root1 + "/"},
		{"tar", func() (*Source, error) {
			return Open(context.Background(), filepath.Join(dir, "bundle.tar"), Options{Workers: 3})
		},
			hostRels, []BundleInfo{wantHostInfo("bundle.tar", KindESXi, "h1.example.com")}, "bundle.tar!" + root1 + "/"},
		{"folder root", func() (*Source, error) { return Open(context.Background(), filepath.Join(dir, root1), Options{}) },
			hostRels, []BundleInfo{wantHostInfo(filepath.Join(dir, root1), KindFolder, "h1.example.com")}, filepath.Join(dir, root1)},
		{"folder parent", func() (*Source, error) { return Open(context.Background(), parent, Options{}) },
			hostRels, []BundleInfo{wantHostInfo(parent, KindFolder, "h1.example.com")}, filepath.Join(parent, root1)},
		{"plain log", func() (*Source, error) {
			return Open(context.Background(), filepath.Join(dir, "vmkernel.log"), Options{})
		},
			map[string]string{"vmkernel.log": vmk}, []BundleInfo{{Path: "vmkernel.log", Kind: KindSingleLog, Sources: map[string]string{}}}, "vmkernel.log"},
		{"gz log", func() (*Source, error) { return Open(context.Background(), filepath.Join(dir, "vmk.0.gz"), Options{}) },
			map[string]string{"vmk.0": vmk}, []BundleInfo{{Path: "vmk.0.gz", Kind: KindSingleLog, Sources: map[string]string{}}}, "vmk.0.gz"},
		{"stdin snippet", func() (*Source, error) {
			return OpenReader(context.Background(), "-", strings.NewReader(hostd), Options{})
		},
			map[string]string{"stdin": hostd}, []BundleInfo{{Path: "stdin", Kind: KindSnippet, Version: "7.0.2", Build: "17867351",
				Sources: map[string]string{"version": "log-header:stdin", "build": "log-header:stdin"}}}, "stdin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			g := walkSource(t, s)
			noErrs(t, g)
			if !reflect.DeepEqual(g.byRel(), tc.wantRels) {
				t.Errorf("rels:\n got %q\nwant %q", g.byRel(), tc.wantRels)
			}
			for _, m := range g.members {
				if !strings.HasPrefix(m.Path, tc.pathPref) {
					t.Errorf("path %q lacks prefix %q", m.Path, tc.pathPref)
				}
			}
			if tc.wantInfo != nil && !reflect.DeepEqual(g.bundles, tc.wantInfo) {
				t.Errorf("bundles:\n got %+v\nwant %+v", g.bundles, tc.wantInfo)
			}
			if s.Size() > 0 && s.BytesRead() != s.Size() {
				t.Errorf("BytesRead %d, Size %d", s.BytesRead(), s.Size())
			}
		})
	}
}

// writeTree writes the hostBundle files as an extracted folder.
func writeTree(t *testing.T, root string) {
	t.Helper()
	for rel, body := range map[string]string{
		"README": readme, "commands/vmware_-vl.txt": vl, "commands/uname_-a.txt": uname,
		"var/run/log/vmkernel.log": vmk + vmk, "var/run/log/vmkernel.0.gz": gzs(t, vmk), "var/run/log/hostd.log": hostd,
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSeqDeterministic(t *testing.T) {
	tgz := gz(t, hostBundle(t, root1))
	var first []string
	for i := 0; i < 5; i++ {
		g := walkBytes(t, "b.tgz", tgz, Options{Workers: 4})
		var p []string
		for _, m := range g.members {
			p = append(p, fmt.Sprint(m.Seq, " ", m.Path))
		}
		if i == 0 {
			first = p
			want := []string{"0 b.tgz!" + root1 + "/README", "1 b.tgz!" + root1 + "/commands/vmware_-vl.txt"}
			if len(p) != 6 || !reflect.DeepEqual(p[:2], want) {
				t.Fatalf("seq order %q", p)
			}
		} else if !reflect.DeepEqual(p, first) {
			t.Fatalf("run %d order %q != %q", i, p, first)
		}
	}
}

func TestNestedGz(t *testing.T) {
	multi := gzs(t, "part one\n") + gzs(t, "part two\n")
	b := mkTar(t,
		ent{name: "r/a.log.gz", body: gzs(t, "alpha\n")},
		ent{name: "r/misnamed.log", body: gzs(t, "gzip without .gz name\n")},
		ent{name: "r/multi.gz", body: multi},
		ent{name: "r/plain.gz", body: "not gzip at all\n"},
		ent{name: "r/empty.log", body: ""},
		ent{name: "r/one", body: "x"},
	)
	g := walkBytes(t, "t.tar", b, Options{})
	noErrs(t, g)
	want := map[string]string{
		"a.log": "alpha\n", "misnamed.log": "gzip without .gz name\n", "multi": "part one\npart two\n",
		"plain": "not gzip at all\n", "empty.log": "", "one": "x",
	}
	if !reflect.DeepEqual(g.byRel(), want) {
		t.Errorf("got %q", g.byRel())
	}
	for _, m := range g.members {
		if m.Rel == "a.log" && m.Size != -1 {
			t.Errorf("gz member Size = %d, want -1", m.Size)
		}
		if m.Rel == "one" && m.Size != 1 {
			t.Errorf("plain member Size = %d, want 1", m.Size)
		}
	}
}

// frags cuts data into n pieces at arbitrary points.
func frags(data string, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		a, b := len(data)*i/n, len(data)*(i+1)/n
		out = append(out, data[a:b])
	}
	return out
}

func TestFrag(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&sb, "line %d %s", i, vmk)
	}
	logText := sb.String()
	gzLog := gzs(t, logText)
	p := frags(gzLog, 4) // cuts the gzip stream (and lines) anywhere
	tp := frags(logText, 3)
	base := "r/commands/vsi_traverse_-s.txt"
	lb := "r/var/run/log/vmkernel.log.gz"
	piece := func(b string, i int, body string) ent {
		return ent{name: fmt.Sprintf("%s.FRAG-%05d", b, i), body: body}
	}
	type wantErr struct {
		op   string
		is   error
		path string
		off  int64
	}
	tests := []struct {
		name  string
		ents  []ent
		opts  Options
		rels  map[string]string
		paths []string
		errs  []wantErr
	}{
		{"in order, gzip cut", []ent{piece(lb, 0, p[0]), piece(lb, 1, p[1]), piece(lb, 2, p[2]), piece(lb, 3, p[3]), {name: "r/x", body: "x"}}, Options{},
			map[string]string{"var/run/log/vmkernel.log": logText, "x": "x"}, []string{"t!" + lb + ".FRAG-00000", "t!r/x"}, nil},
		{"gap", []ent{piece(base, 0, tp[0]), piece(base, 2, tp[2])}, Options{},
			nil, []string{"t!" + base + ".FRAG-00000", "t!" + base + ".FRAG-00002"},
			[]wantErr{{"frag-gap", ErrFragGap, "t!" + base + ".FRAG-00001", int64(len(tp[0]))}}},
		{"missing first", []ent{piece(base, 1, tp[1]), piece(base, 2, tp[2])}, Options{},
			map[string]string{"commands/vsi_traverse_-s.txt": tp[1] + tp[2]}, []string{"t!" + base + ".FRAG-00001"},
			[]wantErr{{"frag-gap", ErrFragGap, "t!" + base + ".FRAG-00000", 0}}},
		{"reversed, memory", []ent{{name: "r/a", body: "a"}, piece(lb, 3, p[3]), piece(lb, 2, p[2]), {name: "r/b", body: "b"}, piece(lb, 1, p[1]), piece(lb, 0, p[0])}, Options{},
			map[string]string{"var/run/log/vmkernel.log": logText, "a": "a", "b": "b"}, []string{"t!r/a", "t!r/b", "t!" + lb + ".FRAG-00000"}, nil},
		{"reversed, spilled", []ent{piece(lb, 3, p[3]), piece(lb, 2, p[2]), piece(lb, 1, p[1]), piece(lb, 0, p[0])}, Options{FragSpill: int64(len(p[3]) + 1)},
			map[string]string{"var/run/log/vmkernel.log": logText}, []string{"t!" + lb + ".FRAG-00000"}, nil},
		{"interleaved two sets", []ent{piece(base, 0, tp[0]), piece(lb, 0, p[0]), piece(base, 1, tp[1]), piece(lb, 1, p[1]), piece(base, 2, tp[2]), piece(lb, 2, p[2]), piece(lb, 3, p[3])}, Options{FragSpill: 1},
			// the late .gz pieces are the middle of a deflate stream: reported, not delivered
			nil, []string{"t!" + base + ".FRAG-00000", "t!" + lb + ".FRAG-00000", "t!" + base + ".FRAG-00001"},
			[]wantErr{
				{"frag-order", ErrFragOrder, "t!" + base + ".FRAG-00001", int64(len(tp[0]))},
				{"frag-order", ErrFragOrder, "t!" + lb + ".FRAG-00001", int64(len(p[0]))},
				{"gzip", ErrTruncated, "t!" + lb + ".FRAG-00000", -1}, // piece 0 alone is a cut gzip stream
			}},
		{"duplicate", []ent{piece(base, 0, tp[0]), piece(base, 1, tp[1]), piece(base, 1, "dup"), piece(base, 2, tp[2])}, Options{},
			map[string]string{"commands/vsi_traverse_-s.txt": strings.Join(tp, "")}, []string{"t!" + base + ".FRAG-00000"},
			[]wantErr{{"frag-order", ErrFragOrder, "t!" + base + ".FRAG-00001", -1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.TempDir = t.TempDir()
			g := walkBytes(t, "t", mkTar(t, tc.ents...), tc.opts)
			if g.err != nil {
				t.Fatal(g.err)
			}
			if tc.rels != nil && !reflect.DeepEqual(g.byRel(), tc.rels) {
				t.Errorf("rels: got %d members %q", len(g.members), g.paths())
			}
			if !reflect.DeepEqual(g.paths(), tc.paths) {
				t.Errorf("paths:\n got %q\nwant %q", g.paths(), tc.paths)
			}
			if len(g.errs) != len(tc.errs) {
				t.Fatalf("errors: got %v, want %d", g.errs, len(tc.errs))
			}
			for i, w := range tc.errs {
				e := g.errs[i]
				if e.Op != w.op || !errors.Is(e, w.is) || e.Path != w.path || (w.off >= 0 && e.Offset != w.off) {
					t.Errorf("error %d = %v (op %s, off %d), want %+v", i, e, e.Op, e.Offset, w)
				}
			}
			if ents, _ := os.ReadDir(tc.opts.TempDir); len(ents) != 0 {
				t.Errorf("temp files left: %v", ents)
			}
		})
	}
	// the gap case delivers exactly the bytes on each side of the gap
	g := walkBytes(t, "t", mkTar(t, piece(base, 0, tp[0]), piece(base, 2, tp[2])), Options{})
	if g.bodies["t!"+base+".FRAG-00000"] != tp[0] || g.bodies["t!"+base+".FRAG-00002"] != tp[2] {
		t.Errorf("gap bodies wrong")
	}
}

func TestFragFolderAndZip(t *testing.T) {
	tp := frags("0123456789abcdefghij\nline two\n", 3)
	dir := t.TempDir()
	for i, s := range tp {
		if i == 1 {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f.txt.FRAG-%05d", i)), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := walkSource(t, s)
	if len(g.members) != 2 || g.bodies[filepath.Join(dir, "f.txt.FRAG-00000")] != tp[0] || len(g.errs) != 1 || !errors.Is(g.errs[0], ErrFragGap) {
		t.Errorf("folder gap: %q %v", g.paths(), g.errs)
	}
	z := mkZip(t, ent{name: "d/f.txt.FRAG-00002", body: tp[2]}, ent{name: "d/f.txt.FRAG-00000", body: tp[0]}, ent{name: "d/f.txt.FRAG-00001", body: tp[1]})
	g = walkBytes(t, "z.zip", z, Options{})
	noErrs(t, g)
	if want := map[string]string{"d/f.txt": strings.Join(tp, "")}; !reflect.DeepEqual(g.byRel(), want) {
		t.Errorf("zip frag: %q", g.byRel())
	}
}

func TestVCenterZip(t *testing.T) {
	z := mkZip(t,
		ent{name: "esxi-h1-vm2024-3-07@10-15-26.tgz", body: string(gz(t, hostBundle(t, root1)))},
		ent{name: "manifest.txt", body: "two hosts\n"},
		ent{name: "esxi-h2-vm2024-3-08@23-59-00.tar", body: string(mkTar(t, ent{name: root2 + "/var/run/log/vmkernel.log", body: vmk}))},
	)
	zpath := filepath.Join(t.TempDir(), "vc.zip")
	if err := os.WriteFile(zpath, z, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), zpath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g := walkSource(t, s); len(g.members) != 8 || s.BytesRead() > s.Size() || s.BytesRead() < s.Size()/2 {
		t.Errorf("zip file: %d members, BytesRead %d of %d", len(g.members), s.BytesRead(), s.Size())
	}
	for _, walkFn := range []func(testing.TB, string, []byte, Options) *got{walkBytes, walkStream} {
		g := walkFn(t, "vc.zip", z, Options{TempDir: t.TempDir()})
		noErrs(t, g)
		if len(g.bundles) != 3 {
			t.Fatalf("bundles: %+v", g.bundles)
		}
		want0 := wantHostInfo("vc.zip!esxi-h1-vm2024-3-07@10-15-26.tgz", KindVCenterExport, "h1.example.com")
		if !reflect.DeepEqual(g.bundles[0], want0) {
			t.Errorf("bundle 0 = %+v", g.bundles[0])
		}
		if b := g.bundles[1]; b.Path != "vc.zip" || b.Kind != KindVCenterExport {
			t.Errorf("bundle 1 = %+v", b)
		}
		if b := g.bundles[2]; b.Host != "h2" || !b.CollectedAt.Equal(time.Date(2024, 3, 8, 23, 59, 0, 0, time.UTC)) || b.Sources["collected_at"] != "folder-name" {
			t.Errorf("bundle 2 = %+v", b)
		}
		wantPaths := []string{
			"vc.zip!esxi-h1-vm2024-3-07@10-15-26.tgz!" + root1 + "/README",
			"vc.zip!esxi-h1-vm2024-3-07@10-15-26.tgz!" + root1 + "/commands/vmware_-vl.txt",
			"vc.zip!esxi-h1-vm2024-3-07@10-15-26.tgz!" + root1 + "/commands/uname_-a.txt",
			"vc.zip!esxi-h1-vm2024-3-07@10-15-26.tgz!" + root1 + "/var/run/log/vmkernel.log",
			"vc.zip!esxi-h1-vm2024-3-07@10-15-26.tgz!" + root1 + "/var/run/log/vmkernel.0.gz",
			"vc.zip!esxi-h1-vm2024-3-07@10-15-26.tgz!" + root1 + "/var/run/log/hostd.log",
			"vc.zip!manifest.txt",
			"vc.zip!esxi-h2-vm2024-3-08@23-59-00.tar!" + root2 + "/var/run/log/vmkernel.log",
		}
		if !reflect.DeepEqual(g.paths(), wantPaths) {
			t.Errorf("paths %q", g.paths())
		}
		for _, m := range g.members {
			wantB := map[string]int{"manifest.txt": 1, "var/run/log/vmkernel.log": 0}[m.Rel]
			if strings.Contains(m.Path, "h2") {
				wantB = 2
			}
			if m.Bundle != wantB && !strings.Contains(m.Path, "h1") {
				t.Errorf("%s in bundle %d, want %d", m.Path, m.Bundle, wantB)
			}
		}
	}
}

func TestMetadataSources(t *testing.T) {
	tests := []struct {
		name string
		ents []ent
		want BundleInfo
	}{
		{"log header only, no folder", []ent{{name: "var/run/log/hostd.log", body: "junk\n" + hostd}},
			BundleInfo{Path: "b", Kind: KindESXi, Version: "7.0.2", Build: "17867351", Sources: map[string]string{"version": "log-header:var/run/log/hostd.log", "build": "log-header:var/run/log/hostd.log"}}},
		{"uname beats log, folder time", []ent{{name: root2 + "/var/run/log/hostd.log", body: hostd}, {name: root2 + "/commands/uname_-a.txt", body: uname}},
			BundleInfo{Path: "b", Kind: KindESXi, Host: "h2", Version: "7.0.3", Build: "20328353", CollectedAt: time.Date(2024, 3, 8, 23, 59, 0, 0, time.UTC),
				Sources: map[string]string{"host": "folder-name", "version": "commands/uname_-a.txt", "build": "commands/uname_-a.txt", "collected_at": "folder-name"}}},
		{"uname host when folder is not esx-", []ent{{name: "bundle/commands/uname_-a.txt", body: uname}},
			BundleInfo{Path: "b", Kind: KindESXi, Host: "h1short", Version: "7.0.3", Build: "20328353",
				Sources: map[string]string{"host": "commands/uname_-a.txt", "version": "commands/uname_-a.txt", "build": "commands/uname_-a.txt"}}},
		{"leading ./ entries", []ent{{name: "./", typ: tar.TypeDir}, {name: "./" + root2 + "/", typ: tar.TypeDir}, {name: "./" + root2 + "/commands/vmware_-vl.txt", body: vl}},
			BundleInfo{Path: "b", Kind: KindESXi, Host: "h2", Version: "7.0.3", Build: "20328353", CollectedAt: time.Date(2024, 3, 8, 23, 59, 0, 0, time.UTC),
				Sources: map[string]string{"host": "folder-name", "version": "commands/vmware_-vl.txt", "build": "commands/vmware_-vl.txt", "collected_at": "folder-name"}}},
		{"ESX 3.5 vmware -vl", []ent{{name: "r/commands/vmware_-vl.txt", body: "VMware ESX Server 3.5.0 build-64607\n"}},
			BundleInfo{Path: "b", Kind: KindESXi, Version: "3.5.0", Build: "64607", Sources: map[string]string{"version": "commands/vmware_-vl.txt", "build": "commands/vmware_-vl.txt"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := walkBytes(t, "b", mkTar(t, tc.ents...), Options{Workers: 1})
			noErrs(t, g)
			if len(g.bundles) != 1 || !reflect.DeepEqual(g.bundles[0], tc.want) {
				t.Errorf("got %+v\nwant %+v", g.bundles, tc.want)
			}
		})
	}
}

func TestParseFolder(t *testing.T) {
	tests := []struct {
		in   string
		host string
		ok   bool
	}{
		{"esx-esxi-dell-m.rainpole.com-2021-03-08--14.49-17885597", "esxi-dell-m.rainpole.com", true},
		{"esx-a-b-c-2021-03-08--14.49-1", "a-b-c", true},
		{"esx-2021-03-08--14.49-1", "", false},
		{"esx-h-2021-13-08--14.49-1", "", false},
		{"esx-h-2021-03-08--14.49-", "", false},
		{"vc-h-2021-03-08--14.49-1", "", false},
		{"esx-h-2021-03-08-14.49-1", "", false},
	}
	for _, tc := range tests {
		h, _, ok := parseFolder(tc.in)
		if h != tc.host || ok != tc.ok {
			t.Errorf("parseFolder(%q) = %q %v", tc.in, h, ok)
		}
	}
}

func TestMetadataEarly(t *testing.T) {
	s, err := OpenReader(context.Background(), "b.tgz", bytes.NewReader(gz(t, hostBundle(t, root1))), Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	first := true
	err = s.Walk(context.Background(), func(m *Member) error {
		if first {
			first = false
			if b := s.Bundle(m.Bundle); b.Host != "h1.example.com" || b.CollectedAt.IsZero() {
				return fmt.Errorf("metadata at first member: %+v", b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCancelAndFnError(t *testing.T) {
	tgz := gz(t, hostBundle(t, root1))
	boom := errors.New("boom")
	s, _ := OpenReader(context.Background(), "b", bytes.NewReader(tgz), Options{Workers: 2})
	if err := s.Walk(context.Background(), func(m *Member) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("fn error: got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, _ = OpenReader(context.Background(), "b", bytes.NewReader(tgz), Options{Workers: 2})
	err := s.Walk(ctx, func(m *Member) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: got %v", err)
	}
	if err := s.Walk(context.Background(), func(*Member) error { return nil }); err == nil {
		t.Error("second Walk should fail")
	}
}

func TestFragSkippedEntriesKeepStream(t *testing.T) {
	tp := frags(strings.Repeat(vmk, 50), 3)
	b := mkTar(t,
		ent{name: "r/f.FRAG-00000", body: tp[0]},
		ent{name: "r/link", typ: tar.TypeSymlink, link: "f"},
		ent{name: "r/d/", typ: tar.TypeDir},
		ent{name: "r/f.FRAG-00001", body: tp[1]},
		ent{name: "r/f.FRAG-00002", body: tp[2]},
	)
	g := walkBytes(t, "t", b, Options{})
	if want := map[string]string{"f": strings.Join(tp, "")}; !reflect.DeepEqual(g.byRel(), want) || len(g.members) != 1 {
		t.Errorf("members %q", g.paths())
	}
	if len(g.errs) != 1 || !errors.Is(g.errs[0], ErrSymlink) {
		t.Errorf("errors %v", g.errs)
	}
}

// TestOpenStdin feeds a zip through a pipe on stdin: Open("-") must spool it.
func TestOpenStdin(t *testing.T) {
	z := mkZip(t, ent{name: "esxi-h1.tgz", body: string(gz(t, hostBundle(t, root1)))})
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = pr
	t.Cleanup(func() { os.Stdin = old; pr.Close() })
	go func() { pw.Write(z); pw.Close() }()
	s, err := Open(context.Background(), "-", Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	g := walkSource(t, s)
	noErrs(t, g)
	if !reflect.DeepEqual(g.byRel(), hostRels) || len(g.bundles) != 1 || g.bundles[0].Path != "stdin!esxi-h1.tgz" {
		t.Errorf("stdin zip: %q %+v", g.paths(), g.bundles)
	}
	if s.BytesRead() < int64(len(z)) || s.Size() != -1 {
		t.Errorf("BytesRead %d Size %d, input %d", s.BytesRead(), s.Size(), len(z))
	}
}

func TestFolderBytesRead(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.log"), []byte(vmk), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.log", filepath.Join(dir, "l.log")); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := walkSource(t, s)
	if s.BytesRead() != int64(len(vmk)) || len(g.members) != 1 || len(g.errs) != 1 || !errors.Is(g.errs[0], ErrSymlink) {
		t.Errorf("BytesRead %d, members %q, errs %v", s.BytesRead(), g.paths(), g.errs)
	}
}

// TestCancelMidStream cancels while the walker is blocked on a full pool
// (a slow callback, many large members): Walk returns promptly with the
// context error and leaves no goroutine behind.
func TestCancelMidStream(t *testing.T) {
	var ents []ent
	body := strings.Repeat(vmk, 2000) // ~330 KiB: two buffers each
	for i := 0; i < 40; i++ {
		ents = append(ents, ent{name: fmt.Sprintf("r/var/run/log/f%d.log", i), body: body})
	}
	data := gz(t, mkTar(t, ents...))
	before := runtime.NumGoroutine()
	for _, workers := range []int{1, 2, 8} {
		ctx, cancel := context.WithCancel(context.Background())
		s, _ := OpenReader(ctx, "b", bytes.NewReader(data), Options{Workers: workers})
		var calls atomic.Int32
		start := time.Now()
		err := s.Walk(ctx, func(m *Member) error {
			if calls.Add(1) == 3 {
				cancel()
			}
			time.Sleep(5 * time.Millisecond)
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("workers=%d: err %v", workers, err)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("workers=%d: cancel took %v", workers, el)
		}
		if n := calls.Load(); n > int32(3+2*workers+2) {
			t.Errorf("workers=%d: %d callbacks after cancel", workers, n)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines: %d before, %d after", before, n)
	}
}

// TestFolderOfBundles: a folder holding host bundles walks each as its own
// bundle (sniffed by content among *.tgz/*.tar names); loose files form the
// folder bundle, created only when there is one.
func TestFolderOfBundles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "h1.tgz"), gz(t, hostBundle(t, root1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "h2.tar.gz"), gz(t, mkTar(t, ent{name: root2 + "/var/run/log/vmkernel.log", body: vmk})), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fake.tar"), []byte("just text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := walkSource(t, s)
	noErrs(t, g)
	var hosts []string
	for _, b := range g.bundles {
		hosts = append(hosts, string(b.Kind)+":"+b.Host)
	}
	if want := []string{"folder:", "esxi-vm-support:h1.example.com", "esxi-vm-support:h2"}; !reflect.DeepEqual(hosts, want) {
		t.Errorf("bundles %q, want %q", hosts, want)
	}
	if len(g.members) != 8 || g.bodies[filepath.Join(dir, "fake.tar")] != "just text\n" {
		t.Errorf("members %q", g.paths())
	}
	if p := filepath.Join(dir, "h2.tar.gz") + "!" + root2 + "/var/run/log/vmkernel.log"; g.bodies[p] != vmk {
		t.Errorf("nested member %s missing: %q", p, g.paths())
	}
	// only bundles: no folder bundle
	os.Remove(filepath.Join(dir, "fake.tar"))
	s, _ = Open(context.Background(), dir, Options{})
	if g = walkSource(t, s); len(g.bundles) != 2 {
		t.Errorf("bundles %+v", g.bundles)
	}
	// empty folder: one empty bundle
	s, _ = Open(context.Background(), t.TempDir(), Options{})
	if g = walkSource(t, s); len(g.bundles) != 1 || len(g.members) != 0 {
		t.Errorf("empty folder: %+v", g.bundles)
	}
}
