package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestLookupKB(t *testing.T) {
	tests := []struct {
		vendor, number string
		ok             bool
		wantNumber     string
	}{
		{"vmware", "1008113", true, "1008113"},
		{"VMware", "311232", true, "1008113"},  // Broadcom article ID of the same row
		{"vmware", "305118", true, "305118"},   // Broadcom-only row
		{"vmware", "1005884", true, "1005884"}, // case-cited (kb.md §0)
		{"vmware", "2004684", false, ""},       // unverified in kb.md
		{"vmware", "1003490", false, ""},       // unverified
		{"vmware", "9999999", false, ""},       // unknown
		{"netapp", "TR-4597", false, ""},       // unverified
		{"acme", "1008113", false, ""},
	}
	for _, tt := range tests {
		ref, ok := lookupKB(tt.vendor, tt.number)
		if ok != tt.ok || ref.Number != tt.wantNumber {
			t.Errorf("lookupKB(%q, %q) = %+v, %v", tt.vendor, tt.number, ref, ok)
		}
		if ok && (ref.Title == "" || !strings.HasPrefix(ref.URL, "https://")) {
			t.Errorf("lookupKB(%q, %q): incomplete ref %+v", tt.vendor, tt.number, ref)
		}
	}
}

func TestKBTableStatuses(t *testing.T) {
	seen := map[KBStatus]int{}
	for _, e := range KBTable() {
		seen[e.Status]++
		if e.Source == "" {
			t.Errorf("%s:%s cites no source", e.Ref.Vendor, e.Ref.Number)
		}
		if e.Status == KBCaseCited && !strings.Contains(e.Ref.Title, "not verified") {
			t.Errorf("case-cited %s must say in its title that it is not verified: %q", e.Ref.Number, e.Ref.Title)
		}
	}
	if seen[KBVerified] == 0 || seen[KBCaseCited] == 0 || seen[KBUnverified] == 0 {
		t.Errorf("statuses = %v", seen)
	}
}

// kbMention finds KB numbers written in rule text: "KB 1005884", "KB
// 305118", "kb/1008113", "legacyId=2004684", "vmware:1005884".
var kbMention = regexp.MustCompile(`(?i)(?:\bKB[ #:/]*|legacyId=|article/|vmware:|netapp:)(\d{6,7})\b`)

// TestNoUnverifiedKBNumbers: every KB a rule references (TOML kb = [...],
// Go Info().KB) must be a verified or case-cited row of data/kb.tsv, and no
// rule file (TOML or Go, prose and comments included) may mention an
// unverified or unknown KB number.
func TestNoUnverifiedKBNumbers(t *testing.T) {
	c := Builtin()
	if err := c.Err(); err != nil {
		t.Fatalf("builtin catalog: %v", err)
	}
	for _, r := range c.Rules() {
		for _, id := range r.KB {
			e, ok := kbEntry(id)
			switch {
			case !ok:
				t.Errorf("rule %s: KB %s is not in data/kb.tsv (never invent a KB number)", r.ID, id)
			case !e.Usable():
				t.Errorf("rule %s: KB %s is %s in kb.md; only verified or case-cited KBs may be cited", r.ID, id, e.Status)
			}
		}
	}
	files, _ := filepath.Glob("builtin/*.toml")
	gofiles, _ := filepath.Glob("rule_*.go")
	files = append(files, gofiles...)
	files = append(files, "builtin.go")
	if len(files) < 3 {
		t.Fatalf("rule files = %v", files)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range kbMention.FindAllSubmatch(data, -1) {
			num := string(m[1])
			if _, ok := lookupKB("vmware", num); ok {
				continue
			}
			if e, ok := kbFind("vmware", num); ok {
				t.Errorf("%s mentions %q: KB %s is %s (%s)", f, m[0], num, e.Status, e.Source)
			} else {
				t.Errorf("%s mentions %q: KB %s is not in data/kb.tsv", f, m[0], num)
			}
		}
	}
}

func TestBuiltinCatalog(t *testing.T) {
	c := Builtin()
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"apd-exit", "apd-start", "apd-timeout", "hostdstats-exhausted", "io-latency-deteriorated",
		"path-failover", "pdl", "queue-full-throttling", "scsi-reservation-conflict", "vmfs-heap-exhausted",
		"vmfs-lost-access",
	}
	have := map[string]RuleInfo{}
	for _, r := range c.Rules() {
		have[r.ID] = r
	}
	for _, id := range want {
		if _, ok := have[id]; !ok {
			t.Errorf("catalog lacks rule %s", id)
		}
	}
	for _, r := range c.Rules() {
		pos, neg := 0, 0
		for _, s := range r.Samples {
			if s.Match {
				pos++
			} else {
				neg++
			}
		}
		if (pos == 0 && !fleetRule(r.ID)) || neg == 0 {
			t.Errorf("rule %s: %d positive and %d negative samples, want both", r.ID, pos, neg)
		}
		if r.Needs == "" {
			t.Errorf("rule %s: needs is empty (not-evaluable reason)", r.ID)
		}
	}
}
