package bundles

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
)

// TestMemoryBound walks a bundle with a 40 MiB plain member and a 16 MiB
// nested .gz member through a slow reader: the heap in use during the walk
// stays far below the member sizes (the pool bounds the bytes in flight).
func TestMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 56 MiB fixture")
	}
	text := func(n int) []byte {
		var b bytes.Buffer
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "2024-03-07T10:15:%02d.%03dZ cpu%d:%d)event %d on naa.%x\n", i%60, i%1000, i%32, 2097000+i%977, i, i*2654435761)
		}
		return b.Bytes()[:n]
	}
	big, nested := text(40<<20), gz(t, text(16<<20))
	data := gz(t, mkTar(t, ent{name: "r/big.log", body: string(big)}, ent{name: "r/n.0.gz", body: string(nested)}))
	big, nested = nil, nil
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	s, err := OpenReader(context.Background(), "m.tgz", bytes.NewReader(data), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var total atomic.Int64
	err = s.Walk(context.Background(), func(m *Member) error {
		buf := make([]byte, 32<<10)
		for i := 0; ; i++ {
			n, err := m.R.Read(buf)
			total.Add(int64(n))
			if i%256 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				for {
					p := peak.Load()
					if ms.HeapInuse <= p || peak.CompareAndSwap(p, ms.HeapInuse) {
						break
					}
				}
			}
			if err == io.EOF {
				return nil
			}
		}
	})
	if err != nil || len(s.Errors()) != 0 {
		t.Fatal(err, s.Errors())
	}
	if total.Load() != 56<<20 {
		t.Errorf("read %d bytes", total.Load())
	}
	grow := int64(peak.Load()) - int64(base)
	t.Logf("heap in use grew by %.1f MiB during the walk", float64(grow)/(1<<20))
	if grow > 24<<20 {
		t.Errorf("heap grew by %d MiB walking 56 MiB of members; want < 24", grow>>20)
	}
}
