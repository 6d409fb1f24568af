package parser

import (
	"bytes"
	"os"
	"testing"
)

// TestPublicSamples parses every line of testdata/public-samples.txt (a copy
// of the project's reference sample file: lnav format samples and test logs)
// and requires a specific grammar for each; only the two section-header lines
// may fall back to the plain ISO grammar.
func TestPublicSamples(t *testing.T) {
	data, err := os.ReadFile("testdata/public-samples.txt")
	if err != nil {
		t.Fatal(err)
	}
	var h Header
	n := 0
	for i, l := range bytes.Split(data, []byte("\n")) {
		if len(l) == 0 || l[0] == '#' {
			continue
		}
		n++
		if !ParseHeader(l, refTime, &h) {
			t.Errorf("line %d does not parse: %q", i+1, l)
			continue
		}
		if h.Grammar == GrammarISO && !bytes.Contains(l, []byte("Section for VMware")) {
			t.Errorf("line %d only matched the ISO fallback: %q", i+1, l)
		}
		if h.Grammar != GrammarContinuation && !h.HasTime {
			t.Errorf("line %d has no time: %q", i+1, l)
		}
	}
	if n < 25 {
		t.Errorf("only %d sample lines", n)
	}
}
