package rules

import (
	"context"
	"os"
	"testing"
)

// TestCase1Snippet: the case-1 lines pasted as one snippet (stdin path,
// kinds sniffed per run of lines) reach the same conclusions as the bundle.
func TestCase1Snippet(t *testing.T) {
	msgs, err := os.ReadFile(case1Bundle + "/var/log/messages")
	if err != nil {
		t.Fatal(err)
	}
	vdf, err := os.ReadFile(case1Bundle + "/commands/vdf_-h.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := append(append([]byte{}, msgs...), vdf...)
	rep, err := AnalyzeText(context.Background(), "stdin", text, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Finding{}
	for _, h := range rep.Hosts {
		for _, f := range h.Findings {
			got[f.RuleID] = f
		}
	}
	for _, id := range []string{"scsi-sense", "hostdstats-exhausted", "esxconf-lock-contention", "hostd-crash"} {
		if _, ok := got[id]; !ok {
			t.Errorf("%s did not fire on the pasted case-1 lines; got %v", id, keysOf(got))
		}
	}
	if f := got["hostdstats-exhausted"]; f.Severity != SeverityCritical {
		t.Errorf("hostdstats-exhausted severity = %v (%s)", f.Severity, f.Summary)
	}
}

func keysOf(m map[string]Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
