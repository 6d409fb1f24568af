package rules

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/esxdiag/esxdiag/bundles"
)

// BenchmarkBuiltinCatalogNoise: the whole built-in catalog (every keyword of
// every TOML and Go rule) over a noise-dominated vmkernel log in a folder
// bundle, one worker: what the catalog costs the engine.
func BenchmarkBuiltinCatalogNoise(b *testing.B) {
	text := noiseText(32<<20, 42)
	root := filepath.Join(b.TempDir(), "esx-bench-2024-03-07--10.00-1")
	p := filepath.Join(root, "var/run/log/vmkernel.log")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, text, 0o644); err != nil {
		b.Fatal(err)
	}
	cat := Builtin()
	if err := cat.Err(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src, err := bundles.Open(ctx, root, bundles.Options{Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Analyze(ctx, src, Options{Workers: 1, Catalog: cat}); err != nil {
			b.Fatal(err)
		}
	}
}
