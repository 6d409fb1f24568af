package rules

import (
	"bytes"
	"runtime"
	"slices"
	"testing"
)

// lineMatcher is what the matcher comparison measures: the starts of the
// lines of a chunk holding at least one keyword.
type lineMatcher interface {
	hitLines(chunk []byte, starts []int) []int
}

// indexMatcher is the baseline: one bytes.Index pass per keyword.
type indexMatcher struct{ kws [][]byte }

func (m *indexMatcher) hitLines(chunk []byte, starts []int) []int {
	n0 := len(starts)
	for _, kw := range m.kws {
		i := 0
		for {
			j := bytes.Index(chunk[i:], kw)
			if j < 0 {
				break
			}
			j += i
			starts = append(starts, bytes.LastIndexByte(chunk[:j], '\n')+1)
			le := bytes.IndexByte(chunk[j:], '\n')
			if le < 0 {
				break
			}
			i = j + le + 1
		}
	}
	h := starts[n0:]
	slices.Sort(h)
	return starts[:n0+len(slices.Compact(h))]
}

func matchers(tb testing.TB, kws []string) map[string]lineMatcher {
	bk := make([][]byte, len(kws))
	for i, k := range kws {
		bk[i] = []byte(k)
	}
	return map[string]lineMatcher{
		"hybrid":       newPrefilter(kws),
		"anchors-only": newPrefilterCfg(kws, 0, 0),
		"bytes.Index":  &indexMatcher{kws: bk},
	}
}

// mixedText is noise with keyword lines sprinkled in, some at chunk edges.
func mixedText(n int) []byte {
	noise := noiseText(n, 7)
	var b bytes.Buffer
	for i, l := range bytes.SplitAfter(noise, []byte("\n")) {
		b.Write(l)
		if i%13 == 0 {
			kw := benchKeywords[i%len(benchKeywords)]
			b.WriteString("2024-03-07T10:00:00.000Z cpu1:2)x " + kw + " y\n")
		}
	}
	b.WriteString(benchKeywords[0])
	return b.Bytes()
}

func TestMatchersAgree(t *testing.T) {
	text := mixedText(1 << 18)
	ms := matchers(t, benchKeywords)
	want := ms["bytes.Index"].hitLines(text, nil)
	if len(want) < 100 {
		t.Fatalf("only %d hit lines", len(want))
	}
	for name, m := range ms {
		got := m.hitLines(text, nil)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d hit lines, want %d", name, len(got), len(want))
		}
	}
}

func BenchmarkPrefilterNoise(b *testing.B) {
	text := noiseText(1<<20, 1)
	text = text[:bytes.LastIndexByte(text, '\n')+1]
	for _, name := range []string{"hybrid", "anchors-only", "bytes.Index"} {
		m := matchers(b, benchKeywords)[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			var starts []int
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0 := threadCPU()
			for b.Loop() {
				starts = m.hitLines(text, starts[:0])
			}
			b.ReportMetric(float64(len(starts)), "hitlines")
			reportCPU(b, cpu0, len(text))
		})
	}
}
