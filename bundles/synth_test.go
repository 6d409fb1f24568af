package bundles

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/esxdiag/esxdiag/bundles/synth"
)

// TestSynthBundles walks bundles of every generation from the project
// generator, clean and with each damage mode, and checks members against
// the generator's manifest: every logical file delivered with its exact
// uncompressed size, metadata found, and each damage reported with the
// right error.
func TestSynthBundles(t *testing.T) {
	damages := append([]synth.Damage{""}, synth.AllDamage()...)
	for _, gen := range synth.Generations() {
		for _, dmg := range damages {
			name := fmt.Sprintf("%s/%s", gen, dmg)
			if dmg == "" {
				name = fmt.Sprintf("%s/clean", gen)
			}
			t.Run(name, func(t *testing.T) {
				cfg := synth.Config{Generation: gen, Seed: 7, TargetBytes: 384 << 10, RotateBytes: 64 << 10, FragBytes: 24 << 10}
				if dmg != "" {
					cfg.Damage = []synth.Damage{dmg}
				}
				var buf bytes.Buffer
				m, err := synth.Generate(&buf, cfg)
				if err != nil {
					t.Fatal(err)
				}
				g := walkBytes(t, "s.tgz", buf.Bytes(), Options{Workers: 2})
				if g.err != nil {
					t.Fatal(g.err)
				}
				if len(g.bundles) != 1 {
					t.Fatalf("bundles %+v", g.bundles)
				}
				b := g.bundles[0]
				if b.Host != m.Host || !b.CollectedAt.Truncate(60e9).Equal(m.CollectedAt.Truncate(60e9)) {
					t.Errorf("bundle %+v, manifest host %q at %v", b, m.Host, m.CollectedAt)
				}
				if dmg != synth.Truncated && (b.Version != m.Version || b.Build != m.Build) {
					t.Errorf("version %q build %q (from %v), manifest %q %q", b.Version, b.Build, b.Sources, m.Version, m.Build)
				}
				got := map[string]int64{}
				for rel, body := range g.byRel() {
					got[rel] = int64(len(body))
				}
				want := map[string]int64{}
				var damaged string
				for _, mi := range m.Members {
					want[mi.Rel] = mi.Content
					if mi.Missing || mi.Corrupt || mi.Truncated {
						damaged = mi.Rel
					}
				}
				if dmg == synth.FragReversed || dmg == "" {
					if len(got) != len(want) {
						t.Errorf("%d logical files, want %d", len(got), len(want))
					}
					for rel, n := range want {
						if got[rel] != n {
							t.Errorf("%s: %d bytes, want %d", rel, got[rel], n)
						}
					}
					if len(g.errs) != 0 {
						t.Errorf("errors %v", g.errs)
					}
					return
				}
				if damaged == "" {
					t.Skipf("generator applied no %s damage here", dmg)
				}
				for rel, n := range want {
					if rel != damaged && got[rel] != n && dmg != synth.Truncated {
						t.Errorf("undamaged %s: %d bytes, want %d", rel, got[rel], n)
					}
				}
				wantErr := map[synth.Damage]error{synth.Truncated: ErrTruncated, synth.CorruptGz: ErrCorrupt, synth.MissingFrag: ErrFragGap}[dmg]
				found := false
				for _, e := range g.errs {
					if errors.Is(e, wantErr) && e.Path != "" {
						found = true
					}
				}
				if !found {
					t.Errorf("damage %s on %s: no %v among %v", dmg, damaged, wantErr, g.errs)
				}
			})
		}
	}
}
