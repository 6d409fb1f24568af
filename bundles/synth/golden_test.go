package synth

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestGoldenSamples pins a readable sample of every generation's output: the first
// lines of each log and the first records each problem writes. Review the files in
// testdata/ to see the formats; regenerate with -update.
func TestGoldenSamples(t *testing.T) {
	for _, g := range Generations() {
		t.Run(g.String(), func(t *testing.T) {
			cfg := Config{Generation: g, TargetBytes: 64 << 10, Seed: 1}
			for _, p := range AllProblems() {
				if Supported(g, p) {
					cfg.Problems = append(cfg.Problems, p)
				}
			}
			var sb strings.Builder
			b, _ := genBundle(t, Config{Generation: g, TargetBytes: 64 << 10, Seed: 1})
			es, err := readTgz(t, b)
			if err != nil {
				t.Fatal(err)
			}
			files := logical(t, es)
			var names []string
			for n := range files {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				if strings.HasPrefix(n, "var/core/") {
					continue
				}
				lines := strings.SplitN(string(files[n]), "\n", 7)
				sb.WriteString("== " + n + " (noise)\n")
				sb.WriteString(strings.Join(lines[:min(len(lines), 6)], "\n") + "\n")
			}
			c, _ := cfg.normalize()
			for _, p := range c.Problems {
				one := c
				one.Problems = []Problem{p}
				ev, _ := buildEvents(&one, newDialect(&one))
				var kinds []string
				for k := range ev {
					kinds = append(kinds, k)
				}
				sort.Strings(kinds)
				for _, k := range kinds {
					sb.WriteString("== problem " + string(p) + " in " + k + "\n")
					for i, e := range ev[k] {
						if i == 4 {
							break
						}
						sb.Write(e.text)
					}
				}
			}
			path := filepath.Join("testdata", g.String()+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if string(want) != sb.String() {
				t.Errorf("%s differs from the generated sample; run go test -update and review the diff", path)
			}
		})
	}
}
