package rules

import (
	"testing"

	"github.com/esxdiag/esxdiag/parser"
)

// FuzzGoRules feeds arbitrary records to every Go rule of the catalog, as
// every kind it reads, then merges and finishes: no panic, and findings
// carry their rule id.
func FuzzGoRules(f *testing.F) {
	for _, g := range goRules() {
		for _, s := range g.Info().Samples {
			f.Add(s.Line)
		}
	}
	f.Add(`Cmd 0x28 to dev "" failed H:0x H:0x0 D:0x2 P:0x0 Valid sense data: 0x`)
	f.Add("hostdstats 1 1 1 999999999999999999999% --")
	f.Add("holding the lock is (")
	f.Add(" Failed:")
	f.Fuzz(func(t *testing.T, text string) {
		for _, g := range goRules() {
			info := g.Info()
			a, b := g.NewState(), g.NewState()
			var ms []member
			for i, k := range info.Kinds {
				mc := &MemberCtx{Path: "f", Rel: "var/core/hostd-zdump.1", Kind: k, Seq: i}
				hd := parser.Header{World: 7, CPU: 1}
				a.Observe(&Line{Member: mc, Num: 1, Text: []byte(text), Header: &hd})
				b.Observe(&Line{Member: mc, Num: 2, Text: []byte(text), Header: &hd})
				ms = append(ms, member{rel: mc.Rel, kind: k})
			}
			a.Merge(b)
			fs, _ := a.Finish(hostFor(ms...))
			for _, fd := range fs {
				if fd.RuleID != info.ID {
					t.Fatalf("%s produced a finding of %q", info.ID, fd.RuleID)
				}
			}
		}
	})
}
