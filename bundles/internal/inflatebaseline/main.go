// Command inflatebaseline is the full-inflate baseline of the bundles
// benchmark: in one goroutine it inflates every layer of a vm-support .tgz —
// the outer gzip stream and each nested .gz member (FRAG pieces of a member
// joined first) — with klauspost/compress, discarding the bytes. It prints
// the uncompressed bytes, newline count, seconds and MB/s.
//
//	go run ./bundles/internal/inflatebaseline bundle.tgz
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: inflatebaseline bundle.tgz")
		os.Exit(2)
	}
	start := time.Now()
	n, lines, err := run(os.Args[1])
	el := time.Since(start).Seconds()
	if err != nil {
		fmt.Fprintln(os.Stderr, "inflatebaseline:", err)
		os.Exit(1)
	}
	fmt.Printf("baseline bytes=%d lines=%d seconds=%.3f MB/s=%.1f\n", n, lines, el, float64(n)/1e6/el)
}

// fragReader reads one member and, when it is a FRAG piece, the following
// pieces of the same file (tar order), so a gzip stream cut by FRAG inflates
// as one stream. next holds the first header that is not a continuation.
type fragReader struct {
	tr   *tar.Reader
	base string
	idx  int
	next *tar.Header
	err  error
	done bool // sticky end: the tar reader may already be on the next entry
}

func (f *fragReader) Read(p []byte) (int, error) {
	if f.done {
		return 0, io.EOF
	}
	for {
		n, err := f.tr.Read(p)
		if err != io.EOF || f.base == "" {
			f.done = err == io.EOF
			return n, err
		}
		if n > 0 {
			return n, nil
		}
		h, err := f.tr.Next()
		if err != nil {
			f.err, f.done = err, true
			return 0, io.EOF
		}
		if b, i, ok := frag(h.Name); ok && b == f.base && i == f.idx+1 {
			f.idx = i
			continue
		}
		f.next, f.done = h, true
		return 0, io.EOF
	}
}

func frag(name string) (string, int, bool) {
	i := strings.LastIndex(name, ".FRAG-")
	if i < 0 {
		return name, 0, false
	}
	n := 0
	for _, c := range name[i+6:] {
		if c < '0' || c > '9' {
			return name, 0, false
		}
		n = n*10 + int(c-'0')
	}
	return name[:i], n, true
}

func count(r io.Reader, buf []byte) (int64, int64, error) {
	var n, lines int64
	for {
		k, err := r.Read(buf)
		n += int64(k)
		lines += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, lines, nil
		}
		if err != nil {
			return n, lines, err
		}
	}
}

func run(path string) (int64, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	outer, err := gzip.NewReader(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		return 0, 0, err
	}
	tr := tar.NewReader(outer)
	buf := make([]byte, 256<<10)
	br := bufio.NewReaderSize(nil, 64<<10)
	var inner *gzip.Reader
	var total, lines int64
	var h *tar.Header
	for {
		if h == nil {
			if h, err = tr.Next(); err == io.EOF {
				return total, lines, nil
			} else if err != nil {
				return total, lines, err
			}
		}
		if h.Typeflag != tar.TypeReg {
			h = nil
			continue
		}
		fr := &fragReader{tr: tr}
		if b, i, ok := frag(h.Name); ok && i == 0 {
			fr.base = b
		}
		br.Reset(fr)
		var r io.Reader = br
		if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
			if inner == nil {
				inner, err = gzip.NewReader(br)
			} else {
				err = inner.Reset(br)
			}
			if err != nil {
				return total, lines, fmt.Errorf("%s: %w", h.Name, err)
			}
			r = inner
		}
		n, l, err := count(r, buf)
		if os.Getenv("BASELINE_DEBUG") != "" {
			fmt.Fprintln(os.Stderr, h.Name, n, l, err)
		}
		total, lines = total+n, lines+l
		if err != nil {
			return total, lines, fmt.Errorf("%s: %w", h.Name, err)
		}
		if fr.err != nil {
			if fr.err == io.EOF {
				return total, lines, nil
			}
			return total, lines, fr.err
		}
		h = fr.next
	}
}
