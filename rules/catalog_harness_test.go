package rules

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/esxdiag/esxdiag/parser"
)

// member is a file fed to a rule by the catalog's unit-test harness.
type member struct {
	rel   string
	kind  parser.Kind
	lines []string
}

func (m member) path() string { return "esx-test-2024-01-01--00.00-1/" + m.rel }

// hostFor builds the HostCtx a rule sees for these members.
func hostFor(ms ...member) *HostCtx {
	h := &HostCtx{Host: "esx-test", Kinds: map[parser.Kind]int{}, MaxEvidence: DefaultMaxEvidence}
	for i, m := range ms {
		h.Kinds[m.kind]++
		h.Files = append(h.Files, FileInfo{Path: m.path(), Rel: m.rel, Kind: m.kind, Seq: i, Lines: int64(len(m.lines))})
	}
	return h
}

// dispatch feeds every line that the prefilter would hand to the rule (one
// of its kinds, one of its keywords) to st; when split is true, lines go
// alternately to st and to a second state that is then merged into st, to
// exercise Merge.
func dispatch(r GoRule, st RuleState, split bool, ms ...member) {
	info := r.Info()
	other := r.NewState()
	for seq, m := range ms {
		if !kindIn(m.kind, info.Kinds) {
			continue
		}
		mc := &MemberCtx{Path: m.path(), Rel: m.rel, Kind: m.kind, Seq: seq, MaxEvidence: DefaultMaxEvidence}
		for i, text := range m.lines {
			kw := keywordHit(info.Keywords, text)
			if kw < 0 && len(info.Keywords) > 0 {
				continue
			}
			hd := testHeader(text)
			l := &Line{Member: mc, Num: int64(i + 1), Text: []byte(text), Header: &hd, Keyword: kw}
			if split && i%2 == 1 {
				other.Observe(l)
			} else {
				st.Observe(l)
			}
		}
	}
	if split {
		st.Merge(other)
	}
}

func kindIn(k parser.Kind, ks []parser.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func keywordHit(kws []string, text string) int {
	for i, kw := range kws {
		if strings.Contains(text, kw) {
			return i
		}
	}
	return -1
}

// runRule runs a Go rule over members and returns its findings and status;
// it also checks that splitting the lines over two merged states gives the
// same result.
func runRule(t *testing.T, r GoRule, ms ...member) ([]Finding, RuleStatus) {
	t.Helper()
	st := r.NewState()
	dispatch(r, st, false, ms...)
	fs, status := st.Finish(hostFor(ms...))
	st2 := r.NewState()
	dispatch(r, st2, true, ms...)
	fs2, status2 := st2.Finish(hostFor(ms...))
	if !reflect.DeepEqual(fs, fs2) || status != status2 {
		t.Errorf("%s: result depends on how lines are split between workers:\n one: %+v %+v\n two: %+v %+v", r.Info().ID, fs, status, fs2, status2)
	}
	return fs, status
}

// checkGoSamples runs each sample of a Go rule alone and compares with Match.
func checkGoSamples(t *testing.T, r GoRule) {
	t.Helper()
	info := r.Info()
	if len(info.Samples) == 0 {
		t.Fatalf("%s: no samples", info.ID)
	}
	pos := 0
	for _, s := range info.Samples {
		k := s.Kind
		if k == parser.KindUnknown {
			k = info.Kinds[0]
		}
		if s.Match {
			pos++
			if keywordHit(info.Keywords, s.Line) < 0 && len(info.Keywords) > 0 {
				t.Errorf("%s: positive sample hits no keyword: %s", info.ID, s.Line)
			}
		}
		fs, _ := runRule(t, r, member{rel: "sample", kind: k, lines: []string{s.Line}})
		if got := len(fs) > 0; got != s.Match {
			t.Errorf("%s: sample match=%v, fired=%v: %s", info.ID, s.Match, got, s.Line)
		}
	}
	if (pos == 0 && !fleetRule(info.ID)) || pos == len(info.Samples) {
		t.Errorf("%s: want positive and negative samples", info.ID)
	}
}

func findingFor(fs []Finding, object string) *Finding {
	for i := range fs {
		if fs[i].Object == object {
			return &fs[i]
		}
	}
	return nil
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s %q lacks %q", what, s, sub)
		}
	}
}

// testHeader stands in for parser.ParseHeader in the harness: it reads a
// leading ISO-8601 UTC timestamp ("2011-04-04T21:07:30.257Z") when present.
func testHeader(text string) parser.Header {
	var h parser.Header
	if len(text) >= 24 && text[23] == 'Z' {
		if t, err := time.Parse("2006-01-02T15:04:05.000Z", text[:24]); err == nil {
			h.Time, h.HasTime = t, true
		}
	}
	return h
}
