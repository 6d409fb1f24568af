package bundles

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"testing"
	"time"
)

// TestMutatedFixtures walks randomly corrupted and cut fixtures (a fixed
// seed, so it is repeatable): every walk ends, without a fatal error.
func TestMutatedFixtures(t *testing.T) {
	host := hostBundle(t, root1)
	seeds := [][]byte{host, gz(t, host), mkZip(t, ent{name: "h.tgz", body: string(gz(t, host))})}
	r := rand.New(rand.NewSource(3))
	var worst time.Duration
	defer func() { t.Logf("slowest walk %v", worst) }()
	n := 600
	if testing.Short() {
		n = 100
	}
	for i := 0; i < n; i++ {
		d := bytes.Clone(seeds[i%len(seeds)])
		for k := 0; k < 1+r.Intn(8); k++ {
			d[r.Intn(len(d))] = byte(r.Intn(256))
		}
		if r.Intn(3) == 0 {
			d = d[:r.Intn(len(d))]
		}
		st := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s, _ := OpenReader(ctx, "f", bytes.NewReader(d), Options{Workers: 2, MaxTotal: 64 << 20, FragSpill: 256, TempDir: t.TempDir()})
		err := s.Walk(ctx, func(m *Member) error { _, err := io.Copy(io.Discard, m.R); return err })
		cancel()
		if err != nil {
			t.Fatalf("mutation %d: Walk: %v", i, err)
		}
		if el := time.Since(st); el > worst {
			worst = el
		}
	}
}
