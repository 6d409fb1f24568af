package rules

import (
	"context"
	"testing"
)

// TestCatalogQuietOnNoiseText: the built-in catalog reports nothing above
// info on benign ESXi chatter (the engine's local noise generator; the
// generated-bundle variant is TestCatalogQuietOnNoise).
func TestCatalogQuietOnNoiseText(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		rep, err := AnalyzeText(context.Background(), "noise", noiseText(2<<20, seed), Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range rep.Hosts {
			for _, f := range h.Findings {
				if f.Severity > SeverityInfo {
					t.Errorf("seed %d: %s (%v) fired on noise: %s\n%+v", seed, f.RuleID, f.Severity, f.Summary, f.Evidence)
				}
			}
		}
	}
}
