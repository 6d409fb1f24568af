package bundles

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/esxdiag/esxdiag/bundles/internal/baseline"
)

// benchBundle builds an in-memory tgz with plain logs, rotated .gz logs and
// a FRAG'd file: about 24 MiB uncompressed.
func benchBundle(b *testing.B) ([]byte, int64) {
	var lines bytes.Buffer
	for i := 0; lines.Len() < 2<<20; i++ {
		fmt.Fprintf(&lines, "2024-03-07T10:%02d:%02d.%03dZ cpu%d:%d)ScsiDeviceIO: 4325: Cmd(0x45d8c1) 0x28, CmdSN 0x%x from world %d to dev \"naa.600%011d\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x29 0x0.\n",
			i/60%60, i%60, i%1000, i%16, 2097+i%7, i, i%9000, i%37)
	}
	text := lines.Bytes()
	var ents []ent
	var total int64
	for i := 0; i < 4; i++ {
		ents = append(ents, ent{name: fmt.Sprintf("%s/var/run/log/vmkernel.%d.gz", root1, i), body: string(gz(b, text))})
		ents = append(ents, ent{name: fmt.Sprintf("%s/var/run/log/hostd.%d.gz", root1, i), body: string(gz(b, text))})
		total += 2 * int64(len(text))
	}
	for i := 0; i < 4; i++ {
		ents = append(ents, ent{name: fmt.Sprintf("%s/var/run/log/vmkernel.log.FRAG-%05d", root1, i), body: string(text)})
		total += int64(len(text))
	}
	ents = append(ents, ent{name: root1 + "/commands/vmware_-vl.txt", body: vl})
	total += int64(len(vl))
	return gz(b, mkTar(b, ents...)), total
}

// BenchmarkWalk walks the bundle and counts lines; SetBytes is the
// uncompressed member bytes, so MB/s compares with gzip -dc throughput.
func BenchmarkWalk(b *testing.B) {
	data, total := benchBundle(b)
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := OpenReader(context.Background(), "bench.tgz", bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		var nl atomic.Int64
		err = s.Walk(context.Background(), func(m *Member) error {
			n, err := countLines(m.R)
			nl.Add(n)
			return err
		})
		if err != nil || len(s.Errors()) != 0 {
			b.Fatal(err, s.Errors())
		}
	}
}

func countLines(r io.Reader) (int64, error) {
	var buf [64 << 10]byte
	var n int64
	for {
		k, err := r.Read(buf[:])
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// BenchmarkBaseline is the full-inflate baseline (every gzip layer inflated
// in one goroutine) on the same bundle as BenchmarkWalk, for the ratio.
func BenchmarkBaseline(b *testing.B) {
	data, total := benchBundle(b)
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n, _, err := baseline.Inflate(bytes.NewReader(data))
		if err != nil || n != total {
			b.Fatal(n, total, err)
		}
	}
}
