package rules

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/parser"
)

// kindPath is a bundle path the parser classifies as each kind.
var kindPath = map[parser.Kind]string{
	parser.KindVmkernel:    "var/run/log/vmkernel.log",
	parser.KindVmkwarning:  "var/run/log/vmkwarning.log",
	parser.KindHostd:       "var/run/log/hostd.log",
	parser.KindHostdProbe:  "var/run/log/hostd-probe.log",
	parser.KindVobd:        "var/run/log/vobd.log",
	parser.KindVpxa:        "var/run/log/vpxa.log",
	parser.KindFdm:         "var/run/log/fdm.log",
	parser.KindSyslog:      "var/run/log/syslog.log",
	parser.KindMessages:    "var/log/messages",
	parser.KindVpxd:        "var/log/vmware/vpxd/vpxd.log",
	parser.KindVdf:         "commands/vdf_-h.txt",
	parser.KindRamdiskList: "commands/localcli_system-visorfs-ramdisk-list.txt",
	parser.KindONTAP:       "etc/messages",
}

// TestSamplesThroughEngine runs every sample of every built-in rule, alone,
// through the real engine (bundles walk, parser kinds and headers, the
// prefilter, the rule): positive samples must fire their rule, negative
// ones must not. A keyword that never occurs on the line a rule needs fails
// here.
func TestSamplesThroughEngine(t *testing.T) {
	for k, p := range kindPath {
		if got := parser.KindOf(p); got != k {
			t.Fatalf("KindOf(%q) = %v, want %v", p, got, k)
		}
	}
	c := Builtin()
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n := 0
	for _, e := range c.sorted() {
		one := &Catalog{rules: []ruleEntry{e}}
		for i, s := range e.info.Samples {
			k := s.Kind
			if k == parser.KindUnknown {
				k = e.info.Kinds[0]
			}
			rel, ok := kindPath[k]
			if !ok {
				t.Fatalf("%s sample %d: no test path for kind %v", e.info.ID, i, k)
			}
			n++
			root := filepath.Join(dir, e.info.ID, "s"+string(rune('a'+i)), "esx-sample-2024-03-07--10.00-1")
			if err := os.MkdirAll(filepath.Dir(filepath.Join(root, rel)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, rel), []byte(s.Line+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			src, err := bundles.Open(context.Background(), root, bundles.Options{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Analyze(context.Background(), src, Options{Workers: 1, Catalog: one})
			if err != nil {
				t.Fatal(err)
			}
			fired := false
			for _, h := range rep.Hosts {
				for _, f := range h.Findings {
					fired = fired || f.RuleID == e.info.ID
				}
			}
			if fired != s.Match {
				t.Errorf("%s sample %d (kind %v): match=%v but fired=%v: %s", e.info.ID, i, k, s.Match, fired, s.Line)
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d samples", n)
	}
}
