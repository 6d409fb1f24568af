package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/bundles/synth"
)

// TestDeterminismBuiltinCatalog: the whole report of the built-in catalog
// (Go rules with their own Merge, TOML rules, evidence, device table) over a
// generated bundle with every problem, rotated and fragmented into many
// members, is byte-identical with 1, 2 and 4 workers (bundles and engine),
// and when run again. TestDeterminismWorkers covers the engine with a test
// catalog; this pins the shipped rules' Merge contract.
func TestDeterminismBuiltinCatalog(t *testing.T) {
	for _, g := range []synth.Generation{synth.ESX4, synth.ESXi8} {
		var ps []synth.Problem
		for _, p := range synth.AllProblems() {
			if synth.Supported(g, p) {
				ps = append(ps, p)
			}
		}
		var tgz bytes.Buffer
		man, err := synth.Generate(&tgz, synth.Config{Generation: g, Problems: ps, TargetBytes: 1 << 20,
			RotateBytes: 64 << 10, FragBytes: 48 << 10, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		var first []byte
		for _, workers := range []int{1, 2, 4, 4} {
			ctx := context.Background()
			src, err := bundles.OpenReader(ctx, man.Root+".tgz", bytes.NewReader(tgz.Bytes()), bundles.Options{Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Analyze(ctx, src, Options{Workers: workers, MaxEvidence: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Hosts) != 1 || len(rep.Hosts[0].Findings) == 0 {
				t.Fatalf("%s: unexpected report %s", g, rep)
			}
			got, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = got
				continue
			}
			if !bytes.Equal(got, first) {
				t.Fatalf("%s: report with %d workers differs from 1 worker at byte %d", g, workers, firstDiff(got, first))
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
