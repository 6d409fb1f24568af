package synth

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestRotationAndFragNames(t *testing.T) {
	cfg := Config{Generation: ESXi7, TargetBytes: 4 << 20, RotateBytes: 512 << 10, FragBytes: 300 << 10, Seed: 5}
	b, m := genBundle(t, cfg)
	es, err := readTgz(t, b)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int64{}
	for _, e := range es {
		names[e.name] = int64(len(e.data))
	}
	root := m.Root + "/"
	if !strings.HasPrefix(root, "esx-esx01.lab.local-2024-03-07--10.15-") {
		t.Errorf("root %q", root)
	}
	// vmkernel: 46% of 4 MiB ≈ 1.84 MiB → 4 files: .0.gz .1.gz .2.gz + .log
	for _, n := range []string{"var/run/log/vmkernel.0.gz", "var/run/log/vmkernel.1.gz", "var/run/log/vmkernel.2.gz"} {
		if _, ok := names[root+n]; !ok {
			t.Errorf("missing %s", n)
		}
	}
	// the current vmkernel.log (≈ 0.3 MiB… ) or its FRAG pieces
	fragSets := map[string][]string{}
	for n := range names {
		if i := strings.Index(n, ".FRAG-"); i >= 0 {
			suf := n[i+len(".FRAG-"):]
			if len(suf) != 5 || strings.Trim(suf, "0123456789") != "" {
				t.Errorf("bad FRAG suffix %q", n)
			}
			fragSets[n[:i]] = append(fragSets[n[:i]], suf)
		}
	}
	if len(fragSets) == 0 {
		t.Fatal("no FRAG sets")
	}
	for base, sufs := range fragSets {
		sort.Strings(sufs)
		for i, s := range sufs {
			if want := pad5(i); s != want {
				t.Errorf("%s: pieces %v, want consecutive from 00000", base, sufs)
				break
			}
		}
		if len(sufs) < 2 {
			t.Errorf("%s: a FRAG set of one piece", base)
		}
		for _, s := range sufs[:len(sufs)-1] {
			if names[base+".FRAG-"+s] != cfg.FragBytes {
				t.Errorf("%s.FRAG-%s: %d bytes, want %d", base, s, names[base+".FRAG-"+s], cfg.FragBytes)
			}
		}
	}
	// rotations are newest-first by number: .0.gz ends where .log starts
	files := logical(t, es)
	last := lastTime(files["var/run/log/vmkernel.0"])
	first := firstTime(files["var/run/log/vmkernel.log"])
	if last == "" || first == "" || last > first {
		t.Errorf("vmkernel.0 ends %s, vmkernel.log starts %s", last, first)
	}
	older := lastTime(files["var/run/log/vmkernel.1"])
	if older > firstTime(files["var/run/log/vmkernel.0"]) {
		t.Errorf("vmkernel.1 is not older than vmkernel.0")
	}
}

func firstTime(b []byte) string {
	if len(b) < 24 {
		return ""
	}
	return string(b[:24])
}

func lastTime(b []byte) string {
	s := strings.TrimSuffix(string(b), "\n")
	i := strings.LastIndexByte(s, '\n')
	if i < 0 || len(s)-i < 25 {
		return ""
	}
	return s[i+1 : i+25]
}

func TestDamageTruncated(t *testing.T) {
	cfg := Config{Generation: ESXi7, TargetBytes: 2 << 20, RotateBytes: 256 << 10, Damage: []Damage{Truncated}}
	b, m := genBundle(t, cfg)
	es, err := readTgz(t, b)
	if err == nil {
		t.Fatal("truncated bundle read without error")
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error %v, want unexpected EOF", err)
	}
	var cut *MemberInfo
	for i := range m.Members {
		if m.Members[i].Truncated {
			cut = &m.Members[i]
		}
	}
	if cut == nil {
		t.Fatal("manifest names no truncated member")
	}
	// everything before the cut member was delivered complete, the cut member partly
	got := map[string]int{}
	for _, e := range es {
		got[e.name] = len(e.data)
	}
	for _, mi := range m.Members {
		if mi.Name == cut.Name {
			if n, ok := got[mi.Name]; ok && int64(n) >= mi.Size {
				t.Errorf("cut member %s complete (%d bytes)", mi.Name, n)
			}
			break
		}
		if int64(got[mi.Name]) != mi.Size {
			t.Errorf("%s: %d bytes before the cut, want %d", mi.Name, got[mi.Name], mi.Size)
		}
	}
	// the outer stream has no gzip trailer: the standard reader fails too
	zr, _ := gzip.NewReader(bytes.NewReader(b))
	if _, err := io.Copy(io.Discard, zr); err == nil {
		t.Error("outer gzip read to the end without error")
	}
}

func TestDamageCorruptGz(t *testing.T) {
	cfg := Config{Generation: ESXi8, TargetBytes: 2 << 20, Damage: []Damage{CorruptGz}}
	b, m := genBundle(t, cfg)
	es, err := readTgz(t, b)
	if err != nil {
		t.Fatal("outer stream must stay readable:", err)
	}
	bad := 0
	var corruptName string
	for _, mi := range m.Members {
		if mi.Corrupt {
			corruptName = mi.Name
		}
	}
	if corruptName == "" || !strings.HasSuffix(corruptName, ".gz") {
		t.Fatalf("corrupt member %q", corruptName)
	}
	for _, e := range es {
		if !strings.HasSuffix(e.name, ".gz") {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(e.data))
		if err == nil {
			_, err = io.Copy(io.Discard, zr)
		}
		if err != nil {
			bad++
			if e.name != corruptName {
				t.Errorf("%s fails but %s was the one corrupted", e.name, corruptName)
			}
		}
	}
	if bad != 1 {
		t.Errorf("%d nested .gz fail, want exactly 1", bad)
	}
}

func TestDamageMissingFrag(t *testing.T) {
	cfg := Config{Generation: ESXi7, TargetBytes: 2 << 20, FragBytes: 128 << 10, Damage: []Damage{MissingFrag}}
	b, m := genBundle(t, cfg)
	es, err := readTgz(t, b)
	if err != nil {
		t.Fatal(err)
	}
	var missing []MemberInfo
	for _, mi := range m.Members {
		if mi.Missing {
			missing = append(missing, mi)
		}
	}
	if len(missing) != 1 || !strings.HasSuffix(missing[0].Name, ".FRAG-00001") || missing[0].Pieces < 3 {
		t.Fatalf("missing %+v", missing)
	}
	base := strings.TrimSuffix(missing[0].Name, ".FRAG-00001")
	var seen []string
	for _, e := range es {
		if strings.HasPrefix(e.name, base+".FRAG-") {
			seen = append(seen, e.name[len(base):])
		}
	}
	if len(seen) != missing[0].Pieces-1 || seen[0] != ".FRAG-00000" || seen[1] != ".FRAG-00002" {
		t.Errorf("pieces in archive %v", seen)
	}
}

func TestDamageFragReversed(t *testing.T) {
	cfg := Config{Generation: ESXi7, TargetBytes: 2 << 20, FragBytes: 128 << 10, Damage: []Damage{FragReversed}}
	b, _ := genBundle(t, cfg)
	es, err := readTgz(t, b)
	if err != nil {
		t.Fatal(err)
	}
	// first FRAG set in tar order is stored last-to-first, the others in order
	var order []string
	base := ""
	for _, e := range es {
		i := strings.Index(e.name, ".FRAG-")
		if i < 0 {
			continue
		}
		if base == "" {
			base = e.name[:i]
		}
		if e.name[:i] == base {
			order = append(order, e.name[i+6:])
		}
	}
	if len(order) < 2 || order[0] <= order[len(order)-1] || !sort.IsSorted(sort.Reverse(sort.StringSlice(order))) {
		t.Errorf("first FRAG set order %v, want descending", order)
	}
	// joined in numeric order the content is the same as an undamaged bundle
	clean, _ := genBundle(t, Config{Generation: ESXi7, TargetBytes: 2 << 20, FragBytes: 128 << 10})
	ces, _ := readTgz(t, clean)
	rel := base[strings.IndexByte(base, '/')+1:]
	if !bytes.Equal(logical(t, es)[rel], logical(t, ces)[rel]) {
		t.Errorf("%s: reversed pieces do not join to the clean content", rel)
	}
}

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Generation: ESXi8, TargetBytes: 1 << 20, RotateBytes: 256 << 10, Problems: []Problem{HostdStatsFull}}
	m, err := GenerateDir(t.Context(), dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, m.Root)
	for _, rel := range []string{"README", "commands/vdf_-h.txt", "var/run/log/vmkernel.log", "var/run/log/vmkernel.0.gz", "var/core/hostd-worker-zdump.000"} {
		if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
			t.Error(err)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(root, "README"))
	if !strings.Contains(string(readme), "Captured on: 2024-03-07 10:15:00.000000\n") {
		t.Errorf("README: %q", readme)
	}
	// same bytes as the .tgz
	b, _ := genBundle(t, cfg)
	es, _ := readTgz(t, b)
	for _, e := range es {
		if e.dir {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.name)))
		if err != nil || !bytes.Equal(got, e.data) {
			t.Errorf("%s differs between WriteDir and Write (%v)", e.name, err)
		}
	}
}

func TestVCenterZip(t *testing.T) {
	var buf bytes.Buffer
	cfgs := []Config{{Host: "esx-a.lab", TargetBytes: 256 << 10, Generation: ESXi7}, {Host: "esx-b.lab", TargetBytes: 256 << 10, Generation: ESXi8, Problems: []Problem{APD}}}
	ms, err := GenerateVCenterZip(&buf, cfgs)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 || len(ms) != 2 {
		t.Fatalf("%d entries", len(zr.File))
	}
	for i, f := range zr.File {
		if !strings.HasPrefix(f.Name, cfgs[i].Host+"-vm2024-") || !strings.HasSuffix(f.Name, ".tgz") {
			t.Errorf("entry name %q", f.Name)
		}
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		es, err := readTgz(t, data)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(es[0].name, "esx-"+cfgs[i].Host+"-2024-03-07--10.15-") {
			t.Errorf("inner root %q", es[0].name)
		}
	}
}

func TestWriteLogAndNoiseText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteLog(&buf, ESX4, "messages", Config{TargetBytes: 300 << 10, Problems: []Problem{UAStorm}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`) {
		t.Error("4.x messages log without the UNIT ATTENTION lines")
	}
	if err := WriteLog(&buf, ESXi7, "messages", Config{}); err == nil {
		t.Error("ESXi 7 has no messages log")
	}
	for _, g := range Generations() {
		n := NoiseText(g, 1<<20)
		if len(n) != 1<<20 {
			t.Errorf("%s: NoiseText %d bytes, want exact", g, len(n))
		}
		kind := "vmkernel"
		if g == ESX4 {
			kind = "messages"
		}
		for i, line := range strings.Split(strings.TrimSuffix(string(n), "\n"), "\n") {
			if why := checkLine(g, kind, line); why != "" {
				t.Errorf("%s line %d: %s: %q", g, i+1, why, line)
				break
			}
		}
		if !bytes.Equal(n, NoiseText(g, 1<<20)) {
			t.Errorf("%s: NoiseText not deterministic", g)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Generation: ESX35, Problems: []Problem{Latency}},
		{Generation: ESX4, Problems: []Problem{PDL}},
		{Problems: []Problem{"nope"}},
		{Generation: 99},
		{Host: "a b"},
	} {
		if err := Write(io.Discard, cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// TestDamageMissingFragTwoPieces: with rotation every set may have two pieces;
// then FRAG-00000 is left out (a lost last piece would be undetectable).
func TestDamageMissingFragTwoPieces(t *testing.T) {
	cfg := Config{Generation: ESXi7, TargetBytes: 8 << 20, RotateBytes: 1 << 20, FragBytes: 512 << 10, Damage: []Damage{MissingFrag, FragReversed}}
	b, m := genBundle(t, cfg)
	es, err := readTgz(t, b)
	if err != nil {
		t.Fatal(err)
	}
	var missing, reversed []MemberInfo
	for _, mi := range m.Members {
		if mi.Missing {
			missing = append(missing, mi)
		}
		if mi.Reversed {
			reversed = append(reversed, mi)
		}
	}
	if len(missing) != 1 || len(m.Notes) != 0 {
		t.Fatalf("missing %+v notes %v", missing, m.Notes)
	}
	mi := missing[0]
	if mi.Pieces == 2 && mi.Piece != 0 || mi.Pieces > 2 && mi.Piece != 1 {
		t.Errorf("left out piece %d of %d", mi.Piece, mi.Pieces)
	}
	for _, e := range es {
		if e.name == mi.Name {
			t.Errorf("%s is in the archive", mi.Name)
		}
	}
	if len(reversed) < 2 || reversed[0].Piece != reversed[0].Pieces-1 || reversed[0].Rel == mi.Rel {
		t.Errorf("reversed %+v", reversed)
	}
	// no fragmented member: the manifest says the damage was not applied
	_, m2 := genBundle(t, Config{TargetBytes: 1 << 20, FragBytes: 64 << 20, Damage: []Damage{MissingFrag}})
	if len(m2.Notes) != 1 || !strings.HasPrefix(m2.Notes[0], "missing-frag") {
		t.Errorf("notes %v", m2.Notes)
	}
}
