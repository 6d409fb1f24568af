package rules

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/esxdiag/esxdiag/parser"
)

func TestParseRulesErrors(t *testing.T) {
	base := "[[rule]]\nid = \"r1\"\nseverity = \"info\"\ntitle = \"t\"\nkinds = [\"vmkernel\"]\nkeywords = [\"some keyword\"]\n"
	tests := []struct {
		name, text, want string
	}{
		{"syntax", "[[rule]]\nid = \"x\"\nseverity = \n", "f.toml:3:"},
		{"unknown key", base + "keyword = [\"typo\"]\n", `f.toml:7: unknown key "rule.keyword"`},
		{"unknown kind", strings.Replace(base, `["vmkernel"]`, `["vmkernal"]`, 1), `f.toml:1: rule "r1": kinds: unknown kind "vmkernal"`},
		{"severity", strings.Replace(base, `"info"`, `"fatal"`, 1), `severity: "fatal" is not`},
		{"regexp", base + "regexp = '(?P<object>['\n", "regexp: error parsing regexp"},
		{"group_by without object", base + "group_by = \"object\"\n", "needs a regexp with a named group"},
		{"group_by other", base + "regexp = '(?P<object>x)'\ngroup_by = \"device\"\n", `group_by: "device" is not supported`},
		{"short keyword", strings.Replace(base, `"some keyword"`, `"ab"`, 1), "shorter than 3 bytes"},
		{"no keywords", strings.Replace(base, `keywords = ["some keyword"]`, ``, 1), "at least one literal keyword"},
		{"kb", base + "kb = [\"vmware:9999999\"]\n", `kb "vmware:9999999": not in the verified KB table`},
		{"kb form", base + "kb = [\"9999999\"]\n", `want vendor:number`},
		{"bad id", strings.Replace(base, `"r1"`, `"R 1"`, 1), "want lower-case letters"},
		{"no title", strings.Replace(base, `title = "t"`, ``, 1), "title is empty"},
		{"duplicate", base + "\n" + base, `duplicate rule id "r1"`},
		{"second rule line", base + "\n[[rule]]\nid = \"r2\"\nseverity = \"info\"\ntitle = \"t\"\nkinds = [\"nope\"]\nkeywords = [\"abc\"]\n", `f.toml:8: rule "r2"`},
		{"sample kind", base + "[[rule.sample]]\nline = \"x\"\nkind = \"zzz\"\n", `sample 1: kinds: unknown kind "zzz"`},
		{"empty", "# nothing\n", "no [[rule]] tables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules("f.toml", []byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseRulesOK(t *testing.T) {
	c := testCatalog(t)
	rs := c.Rules()
	if len(rs) != 3 || rs[0].ID != "apd-timeout" || rs[0].Severity != SeverityError ||
		len(rs[0].Kinds) != 2 || rs[0].Kinds[1] != parser.KindVobd || rs[0].Source != "test.toml" || len(rs[0].Samples) != 2 {
		t.Fatalf("rules = %+v", rs)
	}
}

func TestLoadDir(t *testing.T) {
	c, err := LoadDir(filepath.Join("testdata", "engine", "rules-ok"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 1 || c.Rules()[0].Source != filepath.Join("testdata", "engine", "rules-ok", "storage.toml") {
		t.Fatalf("rules = %+v", c.Rules())
	}
	for _, r := range c.TestSamples() {
		if !r.OK {
			t.Errorf("sample: %s", r.Problem)
		}
	}
	_, err = LoadDir(filepath.Join("testdata", "engine", "rules-bad"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join("rules-bad", "bad.toml")+":8: rule \"bad-kind\"") {
		t.Fatalf("err = %v", err)
	}
	if _, err := LoadDir(filepath.Join("testdata", "engine", "missing")); err == nil {
		t.Fatal("missing dir: no error")
	}
	if _, err := LoadDir(filepath.Join("testdata", "engine")); err == nil || !strings.Contains(err.Error(), "no *.toml") {
		t.Fatalf("empty dir: err = %v", err)
	}
}

func TestMergeOverrides(t *testing.T) {
	b := Builtin()
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	n := b.Len()
	victim := b.Rules()[0].ID
	user, err := ParseRules("u.toml", []byte(`
[[rule]]
id = "`+victim+`"
severity = "critical"
title = "overridden"
kinds = ["vmkernel"]
keywords = ["Heap vmfs3"]
[[rule]]
id = "user-new"
severity = "info"
title = "new"
kinds = ["hostd"]
keywords = ["something new"]
`))
	if err != nil {
		t.Fatal(err)
	}
	b.Merge(user)
	if b.Len() != n+1 {
		t.Fatalf("len = %d, want %d", b.Len(), n+1)
	}
	for _, r := range b.Rules() {
		if r.ID == victim && (r.Title != "overridden" || r.Source != "u.toml") {
			t.Fatalf("not overridden: %+v", r)
		}
	}
}

func TestBuiltinSamples(t *testing.T) {
	c := Builtin()
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range c.TestSamples() {
		n++
		if !r.OK {
			t.Errorf("%s: %q: %s", r.RuleID, r.Sample.Line, r.Problem)
		}
	}
	if n == 0 {
		t.Fatal("no samples in the builtin catalog")
	}
}

// TestSamplesCatchBadKeyword: a rule whose keyword is not on its positive
// sample fails, and the problem names the keywords.
func TestSamplesCatchBadKeyword(t *testing.T) {
	c, err := ParseRules("k.toml", []byte(`
[[rule]]
id = "typo"
severity = "warning"
title = "t"
kinds = ["vmkernel"]
keywords = ["performance has deterioated"]
[[rule.sample]]
line = "2024-03-07T10:15:01.123Z cpu3:2097)WARNING: Device naa.1 performance has deteriorated."
match = true
[[rule.sample]]
line = "2024-03-07T10:15:01.123Z cpu3:2097)fine"
match = false
`))
	if err != nil {
		t.Fatal(err)
	}
	rs := c.TestSamples()
	if len(rs) != 2 || rs[0].OK || rs[0].Prefilter || !strings.Contains(rs[0].Problem, "deterioated") || !rs[1].OK {
		t.Fatalf("results = %+v", rs)
	}
}

func TestUnknownTableLine(t *testing.T) {
	_, err := ParseRules("f.toml", []byte("[[rule]]\nid = \"r1\"\nseverity = \"info\"\ntitle = \"t\"\nkinds = [\"vmkernel\"]\nkeywords = [\"abcd\"]\n[[rule.samples]]\nline = \"x\"\n"))
	if err == nil || !strings.Contains(err.Error(), "f.toml:7: unknown key") {
		t.Fatalf("err = %v", err)
	}
}

// TestSamplesSplitFailedRecord: an ESXi 8 record cut at "Failed:" is held
// by the SCSI joiner for its status record; alone (as in a sample) it is
// analysed when the member ends, so TestSamples must flush it too.
func TestSamplesSplitFailedRecord(t *testing.T) {
	c, err := ParseRules("s.toml", []byte(`
[[rule]]
id = "split"
severity = "warning"
title = "t"
kinds = ["vmkernel"]
keywords = ["nmp_ThrottleLogForDevice"]
[[rule.sample]]
line = '2026-03-29T20:49:12.918Z In(182) vmkernel: cpu70:2098575)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x45dd57ec84c0, 2097288) to dev "naa.1" on path "vmhba3:C0:T6:L17" Failed:'
match = true
`))
	if err != nil {
		t.Fatal(err)
	}
	if rs := c.TestSamples(); len(rs) != 1 || !rs[0].OK {
		t.Fatalf("results = %+v", rs)
	}
}
