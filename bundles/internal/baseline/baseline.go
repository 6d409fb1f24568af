// Package baseline is the full-inflate baseline of the bundles benchmark
// (issue 3): the least work any reader of a vm-support .tgz must do,
// in one goroutine, with klauspost/compress. Used by
// bundles/internal/inflatebaseline and BenchmarkBaseline.
package baseline

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
)

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

// Inflate inflates every layer of a .tgz read from r in the calling
// goroutine: the outer gzip stream, the tar, and each nested gzip member
// (FRAG pieces joined in tar order first). It returns the uncompressed
// member bytes and their newline count.
func Inflate(r io.Reader) (int64, int64, error) {
	outer, err := gzip.NewReader(bufio.NewReaderSize(r, 256<<10))
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
