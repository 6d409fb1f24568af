package bundles

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync/atomic"
)

// fragSuffix splits "name.FRAG-00012" into ("name", 12, true).
func fragSuffix(name string) (string, int, bool) {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	digits := len(name) - i
	if digits == 0 || digits > 9 || i < len(".FRAG-") || name[i-len(".FRAG-"):i] != ".FRAG-" {
		return name, 0, false
	}
	n := 0
	for _, c := range name[i:] {
		n = n*10 + int(c-'0')
	}
	return name[:i-len(".FRAG-")], n, true
}

// fragName builds the virtual path of piece idx of a set.
func fragName(base string, idx int) string { return fmt.Sprintf("%s.FRAG-%05d", base, idx) }

// fragStore keeps FRAG pieces that cannot be streamed live (see doc.go):
// in memory up to limit bytes in total, then appended to one temp file.
type fragStore struct {
	limit int64
	mem   atomic.Int64 // bytes held in memory; released by workers
	dir   string
	f     *os.File
	fOff  int64
	sets  map[string]*fragSet
	order []*fragSet
}

type fragSet struct {
	key    string
	vbase  string // virtual path of the joined file (without .FRAG-N)
	rel    string
	bundle int

	liveUpTo  int // last index streamed live; -1 = none
	liveBytes int64
	liveSeq   int
	live      *stream

	pieces map[int]*storedPiece
}

type storedPiece struct {
	idx    int
	vpath  string
	data   []byte
	off, n int64
	inFile bool
}

func newFragStore(limit int64, dir string) *fragStore {
	return &fragStore{limit: limit, dir: dir, sets: map[string]*fragSet{}}
}

func (fs *fragStore) set(key, vbase, rel string, bundle int) *fragSet {
	if s, ok := fs.sets[key]; ok {
		return s
	}
	s := &fragSet{key: key, vbase: vbase, rel: rel, bundle: bundle, liveUpTo: -1, pieces: map[int]*storedPiece{}}
	fs.sets[key] = s
	fs.order = append(fs.order, s)
	return s
}

// store reads one piece (size bytes announced) from r into memory or the
// spill file. It returns the bytes read and the read error, if any.
func (fs *fragStore) store(set *fragSet, idx int, vpath string, r io.Reader, size int64) (int64, error) {
	p := &storedPiece{idx: idx, vpath: vpath}
	var n int64
	var err error
	if size >= 0 && fs.mem.Load()+size <= fs.limit {
		var buf bytes.Buffer
		buf.Grow(int(size))
		n, err = io.Copy(&buf, r)
		p.data, p.n = buf.Bytes(), n
		fs.mem.Add(n)
	} else {
		if fs.f == nil {
			fs.f, err = os.CreateTemp(fs.dir, "esxdiag-frag-*")
			if err != nil {
				return 0, fmt.Errorf("bundles: FRAG spill file: %w", err)
			}
		}
		n, err = io.Copy(io.NewOffsetWriter(fs.f, fs.fOff), r)
		p.inFile, p.off, p.n = true, fs.fOff, n
		fs.fOff += n
	}
	set.pieces[idx] = p
	return n, err
}

func (fs *fragStore) close() {
	if fs.f != nil {
		name := fs.f.Name()
		fs.f.Close()
		os.Remove(name)
		fs.f = nil
	}
}

func (fs *fragStore) opener(p *storedPiece) pieceSrc {
	return pieceSrc{
		vpath: p.vpath,
		size:  p.n,
		open: func() (io.ReadCloser, error) {
			if p.inFile {
				return io.NopCloser(io.NewSectionReader(fs.f, p.off, p.n)), nil
			}
			return io.NopCloser(bytes.NewReader(p.data)), nil
		},
		release: func() {
			if !p.inFile {
				fs.mem.Add(-p.n)
				p.data = nil
			}
		},
	}
}

// fragPlan is one member to deliver from a set of pieces, with the errors
// that go with it.
type fragPlan struct {
	vpath  string
	pieces []pieceSrc
	errs   []*MemberError // Seq filled in by the caller
	size   int64
	skip   bool // not delivered: a gzip stream cannot resume in the middle
}

// planFrags turns the pieces of one set into members: runs of consecutive
// pieces; a missing piece ends a run (ErrFragGap, never joined around), and
// pieces arriving after the set was streamed live are delivered separately
// (ErrFragOrder). liveUpTo/liveBytes describe what was already streamed.
// For a gzip'd file (vbase ends in ".gz") a run that does not start at
// piece 0 is not delivered (skip): its bytes are the middle of a deflate
// stream, which cannot be decoded; the error says so.
func planFrags(vbase string, idxs []int, src func(int) pieceSrc, liveUpTo int, liveBytes int64) (plans []fragPlan, prefixErrs []*MemberError) {
	gz := strings.HasSuffix(vbase, ".gz")
	sort.Ints(idxs)
	next := 0
	prevBytes := int64(-1)
	if liveUpTo >= 0 {
		next, prevBytes = liveUpTo+1, liveBytes
	}
	for i := 0; i < len(idxs); {
		j := i
		for j+1 < len(idxs) && idxs[j+1] == idxs[j]+1 {
			j++
		}
		a, b := idxs[i], idxs[j]
		var p fragPlan
		p.vpath = fragName(vbase, a)
		for k := i; k <= j; k++ {
			ps := src(idxs[k])
			p.pieces = append(p.pieces, ps)
			p.size += ps.size
		}
		var e *MemberError
		what := "delivered as a separate member"
		if gz && a > 0 {
			p.skip = true
			what = "not delivered (the middle of a gzip stream cannot be decoded)"
		}
		switch {
		case a > next:
			off := prevBytes
			if off < 0 {
				off = 0
			}
			e = &MemberError{Path: fragName(vbase, next), Offset: off, Op: "frag-gap",
				Err: fmt.Errorf("%w: pieces %05d..%05d absent; pieces %05d..%05d %s", ErrFragGap, next, a-1, a, b, what)}
		case liveUpTo >= 0 && a == next && a == liveUpTo+1:
			e = &MemberError{Path: fragName(vbase, a), Offset: liveBytes, Op: "frag-order",
				Err: fmt.Errorf("%w: pieces %05d..%05d arrived after pieces 00000..%05d were delivered; %s", ErrFragOrder, a, b, liveUpTo, what)}
		}
		if e != nil {
			if len(plans) == 0 && prevBytes >= 0 {
				prefixErrs = append(prefixErrs, e) // belongs to the live member
			} else if len(plans) > 0 {
				plans[len(plans)-1].errs = append(plans[len(plans)-1].errs, e)
			} else {
				p.errs = append(p.errs, e)
			}
		}
		plans = append(plans, p)
		prevBytes = p.size
		next = b + 1
		i = j + 1
	}
	return plans, prefixErrs
}
