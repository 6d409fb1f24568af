package rules

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPrefilterMatchesBaseline compares the prefilter with per-keyword
// bytes.Index on random keyword sets and texts, keywords placed anywhere
// (including the first and last bytes of the chunk), for every split.
func TestPrefilterMatchesBaseline(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alpha := []byte("abcdeHD:0x [] rip\n")
	for iter := 0; iter < 300; iter++ {
		var kws []string
		for n := 1 + r.IntN(8); n > 0; n-- {
			k := make([]byte, 3+r.IntN(12))
			for i := range k {
				k[i] = alpha[r.IntN(len(alpha)-1)] // no newline in keywords
			}
			kws = append(kws, string(k))
		}
		text := make([]byte, r.IntN(400))
		for i := range text {
			text[i] = alpha[r.IntN(len(alpha))]
		}
		for n := r.IntN(4); n > 0 && len(text) > 0; n-- {
			k := kws[r.IntN(len(kws))]
			at := r.IntN(len(text))
			if r.IntN(3) == 0 {
				at = max(0, len(text)-len(k))
			}
			text = append(text[:at], append([]byte(k), text[at:]...)...)
		}
		bk := make([][]byte, len(kws))
		for i, k := range kws {
			bk[i] = []byte(k)
		}
		want := (&indexMatcher{kws: bk}).hitLines(text, nil)
		for _, cfg := range [][2]int{{0, 0}, {5, 0}, {5, 3}, {6, 4}, {8, 0}, {100, 0}} {
			got := newPrefilterCfg(kws, cfg[0], cfg[1]).hitLines(text, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("cfg %v kws %q text %q: got %v want %v", cfg, kws, text, got, want)
			}
		}
		if got := newPrefilter(kws).hitLines(text, nil); !slices.Equal(got, want) {
			t.Fatalf("auto kws %q text %q: got %v want %v", kws, text, got, want)
		}
	}
}
