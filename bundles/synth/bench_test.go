package synth

import (
	"io"
	"testing"
)

func benchGen(b *testing.B, g Generation, rotate int64) {
	cfg := Config{Generation: g, TargetBytes: 32 << 20, RotateBytes: rotate, Problems: nil, Seed: 1}
	for _, p := range AllProblems() {
		if Supported(g, p) {
			cfg.Problems = append(cfg.Problems, p)
		}
	}
	m, err := Generate(io.Discard, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(m.ContentBytes)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Generate(io.Discard, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerate reports MB/s of uncompressed content written as a .tgz.
func BenchmarkGenerate(b *testing.B) {
	b.Run("esxi7-rotated", func(b *testing.B) { benchGen(b, ESXi7, 4<<20) })
	b.Run("esxi8-plain", func(b *testing.B) { benchGen(b, ESXi8, 0) })
	b.Run("esx4-rotated", func(b *testing.B) { benchGen(b, ESX4, 4<<20) })
}

// BenchmarkNoise measures line generation alone (no compression).
func BenchmarkNoise(b *testing.B) {
	for _, g := range []Generation{ESX35, ESXi5, ESXi7, ESXi8} {
		b.Run(g.String(), func(b *testing.B) {
			b.SetBytes(8 << 20)
			b.ReportAllocs()
			for b.Loop() {
				_ = NoiseText(g, 8<<20)
			}
		})
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1GB", "512MB", "64KiB", "100000", "1.5g", "", "-1", "GB", "1e3M", "1e30T", "NaN", "Inf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && n < 0 {
			t.Fatalf("%q → %d", s, n)
		}
		_, _ = ParseGeneration(s)
		_, _ = ParseProblems(s)
		_, _ = ParseDamage(s)
	})
}
