package bundles

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A hostile archive of many bad entries must not cost one MemberError each:
// Errors keeps MaxErrorsPerOp per Op (the first ones) and one more saying
// how many were left out; the good members are still delivered.
func TestErrorsCappedPerOp(t *testing.T) {
	n := MaxErrorsPerOp + 500
	ents := []ent{{name: "r/a.log", body: "first\n"}}
	for i := 0; i < n; i++ {
		ents = append(ents, ent{name: fmt.Sprintf("../x%05d", i)})
	}
	for i := 0; i < 3; i++ {
		ents = append(ents, ent{name: fmt.Sprintf("r/l%d", i), typ: '2', link: "/etc/passwd"})
	}
	ents = append(ents, ent{name: "r/b.log", body: "last\n"})
	g := walkBytes(t, "x", gz(t, mkTar(t, ents...)), Options{Workers: 2})
	if g.err != nil {
		t.Fatal(g.err)
	}
	if got := g.byRel(); got["a.log"] != "first\n" || got["b.log"] != "last\n" {
		t.Fatalf("members around the bad entries: %v", got)
	}
	var paths, links int
	var last *MemberError
	for _, e := range g.errs {
		switch e.Op {
		case "path":
			paths++
			last = e
		case "link":
			links++
		}
	}
	if paths != MaxErrorsPerOp+1 || links != 3 {
		t.Fatalf("path errors %d (want %d), link errors %d (want 3)", paths, MaxErrorsPerOp+1, links)
	}
	want := fmt.Sprintf("../x%05d", MaxErrorsPerOp)
	if !strings.HasSuffix(last.Path, want) || !errors.Is(last.Err, ErrUnsafePath) ||
		!strings.Contains(last.Err.Error(), fmt.Sprintf("and %d more", n-MaxErrorsPerOp-1)) {
		t.Fatalf("summary error: %v (want path ending %s, ErrUnsafePath, the count left out)", last, want)
	}
	for i := 1; i < len(g.errs); i++ {
		if errLess(g.errs[i], g.errs[i-1]) {
			t.Fatalf("errors not sorted at %d: %v after %v", i, g.errs[i], g.errs[i-1])
		}
	}
}

// The kept errors do not depend on the order they are reported in.
func TestErrKeepOrderIndependent(t *testing.T) {
	mk := func(i int) *MemberError { return &MemberError{Path: "p", Offset: int64(i), Op: "gzip", Seq: i % 7} }
	var a, b errKeep
	for i := 0; i < 3*MaxErrorsPerOp; i++ {
		a.add(mk(i))
		b.add(mk(3*MaxErrorsPerOp - 1 - i))
	}
	if a.dropped != b.dropped || *a.firstDropped != *b.firstDropped {
		t.Fatalf("dropped %d/%v vs %d/%v", a.dropped, a.firstDropped, b.dropped, b.firstDropped)
	}
	seen := map[MemberError]bool{}
	for _, e := range a.kept {
		seen[*e] = true
	}
	for _, e := range b.kept {
		if !seen[*e] {
			t.Fatalf("%v kept in one order only", e)
		}
	}
}
