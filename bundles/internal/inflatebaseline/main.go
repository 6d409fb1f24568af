// Command inflatebaseline is the full-inflate baseline of the bundles
// benchmark: in one goroutine it inflates every layer of a vm-support .tgz —
// the outer gzip stream and each nested .gz member (FRAG pieces of a member
// joined first) — with klauspost/compress, discarding the bytes. It prints
// the uncompressed bytes, newline count, seconds and MB/s.
//
//	go run ./bundles/internal/inflatebaseline bundle.tgz
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/esxdiag/esxdiag/bundles/internal/baseline"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: inflatebaseline bundle.tgz")
		os.Exit(2)
	}
	start := time.Now()
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "inflatebaseline:", err)
		os.Exit(1)
	}
	n, lines, err := baseline.Inflate(f)
	el := time.Since(start).Seconds()
	if err != nil {
		fmt.Fprintln(os.Stderr, "inflatebaseline:", err)
		os.Exit(1)
	}
	fmt.Printf("baseline bytes=%d lines=%d seconds=%.3f MB/s=%.1f\n", n, lines, el, float64(n)/1e6/el)
}
