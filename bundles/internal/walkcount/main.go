// Command walkcount walks any input with bundles.Walk and counts the bytes
// and newlines of every member: the "Walk + line counting" side of the
// bundles benchmark (bundles/bench.sh).
//
//	go run ./bundles/internal/walkcount [-workers N] bundle.tgz
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/esxdiag/esxdiag/bundles"
)

func main() {
	workers := flag.Int("workers", 0, "worker goroutines (0 = GOMAXPROCS)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: walkcount [-workers N] bundle")
		os.Exit(2)
	}
	start := time.Now()
	ctx := context.Background()
	src, err := bundles.Open(ctx, flag.Arg(0), bundles.Options{Workers: *workers})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var nbytes, lines, members atomic.Int64
	err = src.Walk(ctx, func(m *bundles.Member) error {
		var buf [64 << 10]byte
		var n, l int64
		for {
			k, err := m.R.Read(buf[:])
			n += int64(k)
			l += int64(bytes.Count(buf[:k], []byte{'\n'}))
			if err == io.EOF {
				break
			}
		}
		nbytes.Add(n)
		lines.Add(l)
		members.Add(1)
		return nil
	})
	el := time.Since(start).Seconds()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, e := range src.Errors() {
		fmt.Fprintln(os.Stderr, e)
	}
	b := src.Bundles()
	fmt.Printf("walk bytes=%d lines=%d members=%d errors=%d bundles=%d seconds=%.3f MB/s=%.1f\n",
		nbytes.Load(), lines.Load(), members.Load(), len(src.Errors()), len(b), el, float64(nbytes.Load())/1e6/el)
}
