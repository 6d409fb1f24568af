package rules

import (
	"bytes"
)

// qgramMatcher finds keywords of at least m bytes by sampling: it hashes
// the q-byte block ending at every s-th position of the text (s = m-q+1)
// and tests the hash against a bit set of all q-grams of the keywords'
// m-byte prefixes. Every occurrence of a keyword has exactly one sampled
// block inside its prefix, so nothing is missed; a set bit sends the
// position to exact comparison. Samples do not depend on each other (no
// Wu–Manber shift chain), so the CPU overlaps them: the scan runs at a few
// instructions per s bytes and fits the filter (8 KiB) in L1.
type qgramMatcher struct {
	m, q, s int
	mask    uint32 // keeps the low q bytes of a 4-byte load
	filter  []uint64
	heads   []int32 // by hash >> (qgBits-qgHeadBits): index+1 of the first entry
	ents    []qgEnt
}

// qgHeadBits sizes the verification buckets: 4096 heads (16 KiB) stay in
// cache; entries compare their q-gram before the keyword.
const qgHeadBits = 12

type qgEnt struct {
	gram  uint32 // the q-gram (little-endian) ending at end
	kw    []byte
	end   int // offset in kw of the last byte of the q-gram
	id    int
	next  int32
	first bool // first entry of its keyword
}

const qgBits = 16

func qgHash(v uint32) uint32 { return (v * 0x9E3779B1) >> (32 - qgBits) }

func newQgram(kws [][]byte, ids []int, q int) *qgramMatcher {
	if len(kws) == 0 {
		return nil
	}
	m := len(kws[0])
	for _, k := range kws {
		m = min(m, len(k))
	}
	if q <= 0 {
		q = qgramQ(m)
	}
	q = max(1, min(q, m, 4)) // stride m-q+1 >= 1
	w := &qgramMatcher{m: m, q: q, s: m - q + 1, filter: make([]uint64, 1<<qgBits/64), heads: make([]int32, 1<<qgHeadBits)}
	w.mask = uint32(1<<(8*q)) - 1
	if q == 4 {
		w.mask = 0xffffffff
	}
	for n, k := range kws {
		// Index the m-byte window of k whose q-grams look rarest in log
		// text (product of byte frequencies): fewer false samples.
		bestO, bestCost := 0, 0.0
		for o := 0; o+m <= len(k); o++ {
			cost := 0.0
			for e := o + q - 1; e < o+m; e++ {
				c := 1.0
				for i := e - q + 1; i <= e; i++ {
					c *= float64(byteFreq[k[i]]) / 1000
				}
				cost += c
			}
			if o == 0 || cost < bestCost {
				bestO, bestCost = o, cost
			}
		}
		for e := bestO + q - 1; e < bestO+m; e++ {
			var v uint32
			for i := 0; i < q; i++ {
				v |= uint32(k[e-q+1+i]) << (8 * i)
			}
			h := qgHash(v)
			w.filter[h>>6] |= 1 << (h & 63)
			hb := h >> (qgBits - qgHeadBits)
			w.ents = append(w.ents, qgEnt{gram: v, kw: k, end: e, id: ids[n], next: w.heads[hb], first: e == bestO+q-1})
			w.heads[hb] = int32(len(w.ents))
		}
	}
	return w
}

// hitLines appends the start of every line of chunk holding a keyword.
// The sampling loop is kept minimal (one load, one multiply, one bit test
// per sample); 2- and 4-way unrolled variants spilled registers and ran at
// a third of its speed.
func (w *qgramMatcher) hitLines(chunk []byte, starts []int) []int {
	s, q, mask := w.s, w.q, w.mask
	filter := w.filter[:1<<qgBits/64]
	// i is the first byte of the sampled block; the 4-byte load covers the
	// q-byte block (masked for q=3), so blocks whose load would overrun the
	// chunk are handled by the tail loop.
	i := 0
	for i+4 <= len(chunk) {
		// A full slice expression with constant indexes compiles to one
		// bounds check and one 32-bit load (40% faster than
		// binary.LittleEndian.Uint32(chunk[i:]) here).
		b := chunk[i : i+4 : i+4]
		v := (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24) & mask
		h := qgHash(v)
		if filter[h>>6]&(1<<(h&63)) == 0 {
			i += s
			continue
		}
		next, hit := w.hit(chunk, i+q-1, v, h, &starts)
		if !hit {
			i += s
			continue
		}
		if next < 0 {
			return starts
		}
		i = next
	}
	for ; i+q <= len(chunk); i += s {
		var v uint32
		for k := 0; k < q; k++ {
			v |= uint32(chunk[i+k]) << (8 * k)
		}
		h := qgHash(v)
		if filter[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		next, hit := w.hit(chunk, i+q-1, v, h, &starts)
		if hit {
			if next < 0 {
				return starts
			}
			i = next - s
		}
	}
	return starts
}

// hit verifies the sample whose block ends at p; on a match it records the
// line and returns the first block start to sample after that line (-1 at
// the end of the chunk).
func (w *qgramMatcher) hit(chunk []byte, p int, v, h uint32, starts *[]int) (next int, ok bool) {
	st, ok := w.verify(chunk, p, v, h)
	if !ok {
		return 0, false
	}
	*starts = append(*starts, bytes.LastIndexByte(chunk[:st], '\n')+1)
	le := bytes.IndexByte(chunk[st:], '\n')
	if le < 0 {
		return -1, true
	}
	return st + le + 1, true
}

// verify compares every keyword whose prefix holds the block ending at p
// and returns the start of the earliest match.
func (w *qgramMatcher) verify(chunk []byte, p int, v, h uint32) (int, bool) {
	best := -1
	for e := w.heads[h>>(qgBits-qgHeadBits)]; e != 0; {
		ent := &w.ents[e-1]
		e = ent.next
		if ent.gram != v {
			continue
		}
		st := p - ent.end
		if st < 0 || st+len(ent.kw) > len(chunk) || (best >= 0 && st >= best) {
			continue
		}
		if bytes.Equal(chunk[st:st+len(ent.kw)], ent.kw) {
			best = st
		}
	}
	return best, best >= 0
}

// lineKeywords sets the bit of every keyword of w contained in line.
func (w *qgramMatcher) lineKeywords(line []byte, set []uint64) {
	for i := range w.ents {
		ent := &w.ents[i]
		if !ent.first { // one entry per keyword is enough
			continue
		}
		if bytes.Contains(line, ent.kw) {
			set[ent.id>>6] |= 1 << (ent.id & 63)
		}
	}
}
