package synth

import (
	"strings"
	"testing"
	"time"
)

// lineTime extracts the record time of a generated line, ok=false for lines
// without one (continuations, backtrace frames).
func lineTime(line string, year int) (time.Time, bool) {
	if len(line) >= 24 && line[4] == '-' && line[10] == 'T' {
		t, err := time.Parse("2006-01-02T15:04:05.000Z", line[:24])
		return t, err == nil
	}
	if strings.HasPrefix(line, "[") && len(line) > 24 && line[5] == '-' {
		t, err := time.Parse("2006-01-02 15:04:05.000", line[1:24])
		return t, err == nil
	}
	if len(line) > 15 && line[3] == ' ' {
		t, err := time.Parse("Jan _2 15:04:05", line[:15])
		if err != nil {
			return t, false
		}
		return t.AddDate(year, 0, 0), true
	}
	return time.Time{}, false
}

// TestTimeOrder: within each log file record times never go backwards, the
// newest rotation ends before the current file starts, and nothing is later
// than the collection time.
func TestTimeOrder(t *testing.T) {
	for _, g := range Generations() {
		cfg := Config{Generation: g, TargetBytes: 2 << 20, RotateBytes: 300 << 10, Seed: 9}
		for _, p := range AllProblems() {
			if Supported(g, p) {
				cfg.Problems = append(cfg.Problems, p)
			}
		}
		b, m := genBundle(t, cfg)
		es, err := readTgz(t, b)
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range logical(t, es) {
			if !strings.HasPrefix(name, "var/log/") && !strings.HasPrefix(name, "var/run/log/") {
				continue
			}
			var prev time.Time
			for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
				tm, ok := lineTime(line, 2024)
				if !ok {
					continue
				}
				if tm.Before(prev) {
					t.Errorf("%s %s:%d goes back in time: %v after %v", g, name, i+1, tm, prev)
					break
				}
				if tm.After(m.CollectedAt) {
					t.Errorf("%s %s:%d after collection: %v", g, name, i+1, tm)
					break
				}
				prev = tm
			}
		}
	}
}
