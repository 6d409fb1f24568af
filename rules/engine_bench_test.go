package rules

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/esxdiag/esxdiag/bundles"
)

// benchCatalog is the built-in catalog plus one rule holding the 50
// catalog-shaped benchKeywords, so the benchmark measures a keyword set at
// least as large as the shipped one.
func benchCatalog(tb testing.TB) *Catalog {
	tb.Helper()
	var q []string
	for _, k := range benchKeywords {
		q = append(q, strconv.Quote(k))
	}
	c, err := ParseRules("bench.toml", []byte(fmt.Sprintf(`
[[rule]]
id = "bench-all"
severity = "info"
title = "bench"
kinds = ["vmkernel", "hostd", "vobd"]
keywords = [%s]
`, strings.Join(q, ", "))))
	if err != nil {
		tb.Fatal(err)
	}
	b := Builtin()
	b.Merge(c)
	return b
}

// BenchmarkEngineNoise is the acceptance benchmark: one worker, one
// vmkernel member of generated noise, the whole engine path (chunking,
// line counting, head/last-line header parsing, prefilter, dispatch).
func BenchmarkEngineNoise(b *testing.B) {
	text := noiseText(16<<20, 11)
	lines := bytes.Count(text, []byte("\n"))
	for _, cfg := range []struct {
		name string
		cat  func(testing.TB) *Catalog
	}{{"builtin", func(testing.TB) *Catalog { return Builtin() }}, {"builtin+50kw", benchCatalog}} {
		b.Run(cfg.name, func(b *testing.B) {
			e, err := newEngine(cfg.cat(b), Options{Workers: 1})
			if err != nil {
				b.Fatal(err)
			}
			w := e.newWorker()
			ref := time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)
			r := bytes.NewReader(text)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0 := threadCPU()
			for b.Loop() {
				r.Reset(text)
				w.hosts = map[int]*hostAgg{}
				if err := w.scanMember(context.Background(), &memberIn{Path: "vmkernel.log", Rel: "var/run/log/vmkernel.log", Size: -1, R: r}, ref, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(lines), "lines/op")
			reportCPU(b, cpu0, len(text))
		})
	}
}

// BenchmarkAnalyze runs Analyze over a generated folder bundle (32 MiB of
// vmkernel noise, 8 MiB of hostd) with the default number of workers.
func BenchmarkAnalyze(b *testing.B) {
	dir := writeDirBundle(b, b.TempDir(), 32<<20)
	cat := benchCatalog(b)
	size := int64(32<<20 + 8<<20)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		src, err := bundles.Open(context.Background(), dir, bundles.Options{})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Analyze(context.Background(), src, Options{Catalog: cat})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Hosts) != 1 {
			b.Fatal(rep)
		}
	}
}

// reportCPU adds MB per CPU second of this thread since cpu0 (Linux only).
func reportCPU(b *testing.B, cpu0 time.Duration, size int) {
	if d := threadCPU() - cpu0; cpu0 > 0 && d > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	}
}
