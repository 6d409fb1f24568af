package rules

import (
	"bytes"
	"encoding/binary"
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
	heads   []int32 // by hash: index+1 of the first entry
	ents    []qgEnt
}

type qgEnt struct {
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
	w := &qgramMatcher{m: m, q: q, s: m - q + 1, filter: make([]uint64, 1<<qgBits/64), heads: make([]int32, 1<<qgBits)}
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
			w.ents = append(w.ents, qgEnt{kw: k, end: e, id: ids[n], next: w.heads[h], first: e == bestO+q-1})
			w.heads[h] = int32(len(w.ents))
		}
	}
	return w
}

// hitLines appends the start of every line of chunk holding a keyword.
func (w *qgramMatcher) hitLines(chunk []byte, starts []int) []int {
	s, q, mask := w.s, w.q, w.mask
	filter := w.filter[:1<<qgBits/64]
	// p is the last byte of the sampled block; the 4-byte load ends at p
	// for q=4 and at p+1 for q=3 (masked), so stop 4-q bytes early and
	// finish the tail with a padded copy.
	p := q - 1
	n := len(chunk) - (4 - q)
	for p < n {
		// Two independent samples per step: one combined, well-predicted branch.
		if p+s < n {
			v0 := binary.LittleEndian.Uint32(chunk[p-q+1:]) & mask
			v1 := binary.LittleEndian.Uint32(chunk[p+s-q+1:]) & mask
			h0, h1 := qgHash(v0), qgHash(v1)
			if (filter[h0>>6]>>(h0&63)|filter[h1>>6]>>(h1&63))&1 == 0 {
				p += 2 * s
				continue
			}
		}
		v := binary.LittleEndian.Uint32(chunk[p-q+1:]) & mask
		h := qgHash(v)
		if filter[h>>6]&(1<<(h&63)) == 0 {
			p += s
			continue
		}
		st, ok := w.verify(chunk, p, h)
		if !ok {
			p += s
			continue
		}
		starts = append(starts, bytes.LastIndexByte(chunk[:st], '\n')+1)
		le := bytes.IndexByte(chunk[st:], '\n')
		if le < 0 {
			return starts
		}
		p = st + le + 1 + q - 1
	}
	// Tail (only for q < 4): blocks whose 4-byte load would overrun.
	for ; p < len(chunk); p += s {
		var v uint32
		for i := 0; i < q; i++ {
			v |= uint32(chunk[p-q+1+i]) << (8 * i)
		}
		h := qgHash(v)
		if filter[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		if st, ok := w.verify(chunk, p, h); ok {
			starts = append(starts, bytes.LastIndexByte(chunk[:st], '\n')+1)
			le := bytes.IndexByte(chunk[st:], '\n')
			if le < 0 {
				return starts
			}
			p = st + le + 1 + q - 1 - s
		}
	}
	return starts
}

// verify compares every keyword whose prefix holds the block ending at p
// and returns the start of the earliest match.
func (w *qgramMatcher) verify(chunk []byte, p int, h uint32) (int, bool) {
	best := -1
	for e := w.heads[h]; e != 0; {
		ent := &w.ents[e-1]
		e = ent.next
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
