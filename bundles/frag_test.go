package bundles

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestFragSuffix(t *testing.T) {
	tests := []struct {
		in   string
		base string
		idx  int
		ok   bool
	}{
		{"commands/vsi_traverse_-s.txt.FRAG-00000", "commands/vsi_traverse_-s.txt", 0, true},
		{"a.FRAG-00313", "a", 313, true},
		{"a.gz.FRAG-123456", "a.gz", 123456, true},
		{"a.FRAG-", "a.FRAG-", 0, false},
		{"a.FRAG-12x", "a.FRAG-12x", 0, false},
		{"FRAG-00001", "FRAG-00001", 0, false},
		{"a.frag-00001", "a.frag-00001", 0, false},
		{"a.FRAG-1234567890", "a.FRAG-1234567890", 0, false},
	}
	for _, tc := range tests {
		b, i, ok := fragSuffix(tc.in)
		if b != tc.base || i != tc.idx || ok != tc.ok {
			t.Errorf("fragSuffix(%q) = %q %d %v", tc.in, b, i, ok)
		}
	}
}

// TestFragStoreSpill checks the memory bound: pieces beyond FragSpill go to
// the temp file, read back intact, memory is released, the file removed.
func TestFragStoreSpill(t *testing.T) {
	dir := t.TempDir()
	fs := newFragStore(10, dir)
	set := fs.set("k", "v", "r", 0)
	bodies := map[int]string{0: "12345", 1: strings.Repeat("x", 20), 2: "abcde", 3: "z"}
	for i := 0; i < 4; i++ {
		if _, err := fs.store(set, i, fmt.Sprint(i), strings.NewReader(bodies[i]), int64(len(bodies[i]))); err != nil {
			t.Fatal(err)
		}
	}
	inFile := map[int]bool{}
	for i, p := range set.pieces {
		inFile[i] = p.inFile
	}
	if want := map[int]bool{0: false, 1: true, 2: false, 3: true}; !reflect.DeepEqual(inFile, want) {
		t.Errorf("placement %v, want %v", inFile, want)
	}
	if fs.mem.Load() != 10 {
		t.Errorf("mem %d, want 10", fs.mem.Load())
	}
	for i := 0; i < 4; i++ {
		src := fs.opener(set.pieces[i])
		rc, _ := src.open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		src.release()
		if string(b) != bodies[i] {
			t.Errorf("piece %d = %q", i, b)
		}
	}
	if fs.mem.Load() != 0 {
		t.Errorf("mem after release %d", fs.mem.Load())
	}
	fs.close()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("spill file left: %v", ents)
	}
}

func TestPlanFrags(t *testing.T) {
	src := func(i int) pieceSrc { return pieceSrc{vpath: fmt.Sprintf("p%d", i), size: 10} }
	type plan struct {
		Path   string
		Pieces int
		Errs   []string
	}
	tests := []struct {
		name      string
		idxs      []int
		liveUpTo  int
		want      []plan
		prefixErr []string
	}{
		{"complete", []int{2, 0, 1}, -1, []plan{{"b.FRAG-00000", 3, nil}}, nil},
		{"gap in middle", []int{0, 1, 3, 4}, -1, []plan{{"b.FRAG-00000", 2, []string{"frag-gap b.FRAG-00002 20"}}, {"b.FRAG-00003", 2, nil}}, nil},
		{"two gaps", []int{0, 2, 5}, -1, []plan{{"b.FRAG-00000", 1, []string{"frag-gap b.FRAG-00001 10"}}, {"b.FRAG-00002", 1, []string{"frag-gap b.FRAG-00003 10"}}, {"b.FRAG-00005", 1, nil}}, nil},
		{"first missing", []int{1, 2}, -1, []plan{{"b.FRAG-00001", 2, []string{"frag-gap b.FRAG-00000 0"}}}, nil},
		{"late after live", []int{3, 4}, 2, []plan{{"b.FRAG-00003", 2, nil}}, []string{"frag-order b.FRAG-00003 99"}},
		{"gap after live", []int{5}, 2, []plan{{"b.FRAG-00005", 1, nil}}, []string{"frag-gap b.FRAG-00003 99"}},
	}
	gzPlans, _ := planFrags("b.gz", []int{0, 1, 3}, src, -1, 0)
	if len(gzPlans) != 2 || gzPlans[0].skip || !gzPlans[1].skip || !strings.Contains(gzPlans[0].errs[0].Error(), "not delivered") {
		t.Errorf("gzip set after a gap must be reported, not delivered: %+v", gzPlans)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plans, pre := planFrags("b", tc.idxs, src, tc.liveUpTo, 99)
			var got []plan
			for _, p := range plans {
				var es []string
				for _, e := range p.errs {
					es = append(es, fmt.Sprintf("%s %s %d", e.Op, e.Path, e.Offset))
				}
				got = append(got, plan{p.vpath, len(p.pieces), es})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("plans %+v\nwant %+v", got, tc.want)
			}
			var gp []string
			for _, e := range pre {
				gp = append(gp, fmt.Sprintf("%s %s %d", e.Op, e.Path, e.Offset))
				if !errors.Is(e, ErrFragGap) && !errors.Is(e, ErrFragOrder) {
					t.Errorf("error %v lacks a FRAG sentinel", e)
				}
			}
			if !reflect.DeepEqual(gp, tc.prefixErr) {
				t.Errorf("prefix errors %q, want %q", gp, tc.prefixErr)
			}
		})
	}
}
