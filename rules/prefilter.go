package rules

import (
	"bytes"
	"slices"
	"sort"
)

// Prefilter cost model, in nanoseconds, measured on amd64 (see doc.go):
// one bytes.IndexByte pass over text costs about passNsPerByte per byte; each
// occurrence of an anchor byte costs candNs (restart of IndexByte plus the
// successor test).
const (
	passNsPerByte   = 0.024
	candNs          = 20.0
	sampleNsPerStep = 2.0 // one q-gram sample incl. its share of verification (measured: m=8, 2.5 GB/s)
)

// prefilter finds the lines of a chunk that contain at least one of a set of
// literal keywords. It is the "rare anchor" matcher: every keyword is
// indexed by one anchor byte chosen by a weighted greedy set cover over
// byteFreq (few distinct anchors, each rare), so a chunk costs one SIMD
// bytes.IndexByte pass per distinct anchor byte; an anchor occurrence is
// checked against a 256-bit set of the bytes that follow it in its
// keywords before any keyword is compared. It allocates nothing while
// scanning.
type prefilter struct {
	kws    [][]byte      // unique keywords; index = keyword id
	groups []anchorGroup // one per distinct anchor byte (short keywords)
	wm     *qgramMatcher // keywords of at least wmMin bytes
}

// qgQ is the q-gram block size; 0 lets qgramQ choose by the shortest
// keyword. Which keywords go to the sampled q-gram matcher (the long ones)
// and which to the rare-anchor passes is decided per keyword set by the
// cost model above (newPrefilter).
const qgQ = 0

// qgramQ is the block size for shortest sampled keyword m: 3-byte blocks
// when m < 8 (stride m-2 instead of m-3; measured on the built-in vmkernel
// set, m=6: 1.25-1.64 GB/s CPU against 1.11-1.26 with 4-byte blocks), 4-byte
// blocks above (fewer false samples at the same stride).
func qgramQ(m int) int {
	if m < 8 {
		return 3
	}
	return 4
}

type anchorGroup struct {
	b      byte
	succ   [4]uint64 // bytes that follow b in the keywords of the group anchored before their last byte
	pred   [4]uint64 // bytes that precede b in the keywords anchored on their last byte
	usePre bool      // pred is in use
	kws    []anchoredKW
}

type anchoredKW struct {
	kw  []byte
	off int // position of the anchor byte in kw
	id  int
}

// newPrefilter builds a matcher for keywords (duplicates allowed; ids are
// the index of the first occurrence in the deduplicated order returned by
// keywords()).
func newPrefilter(keywords []string) *prefilter {
	// Try every split length: keywords at least that long are sampled
	// every (shortest-3) bytes, the others get anchor passes. Keep the
	// cheapest estimate.
	best, bestCost := 0, -1.0
	lens := map[int]bool{}
	for _, k := range keywords {
		lens[len(k)] = true
	}
	for t := range lens {
		if t < 5 {
			continue
		}
		c := splitCost(keywords, t)
		if bestCost < 0 || c < bestCost || (c == bestCost && t < best) {
			best, bestCost = t, c
		}
	}
	if c := splitCost(keywords, 0); bestCost < 0 || c < bestCost {
		best = 0
	}
	return newPrefilterCfg(keywords, best, qgQ)
}

// splitCost estimates the scan cost in ns per byte of text when keywords
// of at least t bytes are sampled (t = 0: anchors only).
func splitCost(keywords []string, t int) float64 {
	var short [][]byte
	m := 0
	for _, k := range keywords {
		if t > 0 && len(k) >= t {
			if m == 0 || len(k) < m {
				m = len(k)
			}
		} else if len(k) >= 2 {
			short = append(short, []byte(k))
		}
	}
	cost := 0.0
	if m > 0 {
		cost += sampleNsPerStep / float64(m-qgramQ(m)+1)
	}
	chosen := greedyAnchors(short)
	for _, b := range chosen {
		cost += passNsPerByte + float64(byteFreq[b])/100000*candNs
	}
	return cost
}

// newPrefilterCfg is newPrefilter with the q-gram split explicit; wmMin 0
// sends every keyword to the rare-anchor passes.
func newPrefilterCfg(keywords []string, wmMin, wmQ int) *prefilter {
	p := &prefilter{}
	seen := map[string]bool{}
	for _, k := range keywords {
		if len(k) < 2 || seen[k] {
			continue
		}
		seen[k] = true
		p.kws = append(p.kws, []byte(k))
	}
	var short [][]byte
	var shortIDs []int
	var long [][]byte
	var longIDs []int
	for id, k := range p.kws {
		if wmMin > 0 && len(k) >= wmMin {
			long = append(long, k)
			longIDs = append(longIDs, id)
		} else {
			short = append(short, k)
			shortIDs = append(shortIDs, id)
		}
	}
	p.wm = newQgram(long, longIDs, wmQ)
	p.buildAnchors(short, shortIDs)
	return p
}

func (p *prefilter) buildAnchors(kws [][]byte, ids []int) {
	if len(kws) == 0 {
		return
	}
	chosen := greedyAnchors(kws)
	// Assign each keyword to its rarest chosen byte, at the position whose
	// successor is rarest.
	groups := map[byte]*anchorGroup{}
	for n, k := range kws {
		id := ids[n]
		bestB, bestOff := -1, -1
		nb := func(off int) byte { // the neighbour byte checked before comparing
			if off < len(k)-1 {
				return k[off+1]
			}
			return k[off-1]
		}
		for off := 0; off < len(k); off++ {
			b := k[off]
			if !slices.Contains(chosen, b) {
				continue
			}
			if bestB < 0 || byteFreq[b] < byteFreq[bestB] ||
				(b == byte(bestB) && byteFreq[nb(off)] < byteFreq[nb(bestOff)]) {
				bestB, bestOff = int(b), off
			}
		}
		g := groups[byte(bestB)]
		if g == nil {
			g = &anchorGroup{b: byte(bestB)}
			groups[byte(bestB)] = g
		}
		if bestOff < len(k)-1 {
			s := k[bestOff+1]
			g.succ[s>>6] |= 1 << (s & 63)
		} else {
			s := k[bestOff-1]
			g.pred[s>>6] |= 1 << (s & 63)
			g.usePre = true
		}
		g.kws = append(g.kws, anchoredKW{kw: k, off: bestOff, id: id})
	}
	for _, g := range groups {
		p.groups = append(p.groups, *g)
	}
	sort.Slice(p.groups, func(i, j int) bool { return p.groups[i].b < p.groups[j].b })
}

// keywords returns the deduplicated keywords; the index is the keyword id.
func (p *prefilter) keywords() [][]byte { return p.kws }

// hitLines appends to starts the offset of the first byte of every line of
// chunk that contains a keyword, sorted and without duplicates. Lines are
// separated by '\n'; the last line need not end with one.
func (p *prefilter) hitLines(chunk []byte, starts []int) []int {
	n0 := len(starts)
	for gi := range p.groups {
		g := &p.groups[gi]
		i := 0
		for i < len(chunk) {
			j := bytes.IndexByte(chunk[i:], g.b)
			if j < 0 {
				break
			}
			j += i
			pass := false
			if j+1 < len(chunk) {
				s := chunk[j+1]
				pass = g.succ[s>>6]&(1<<(s&63)) != 0
			}
			if !pass && g.usePre && j > 0 {
				s := chunk[j-1]
				pass = g.pred[s>>6]&(1<<(s&63)) != 0
			}
			if !pass {
				i = j + 1
				continue
			}
			hit := false
			for k := range g.kws {
				a := &g.kws[k]
				st := j - a.off
				if st >= 0 && st+len(a.kw) <= len(chunk) && bytes.Equal(chunk[st:st+len(a.kw)], a.kw) {
					hit = true
					break
				}
			}
			if !hit {
				i = j + 1
				continue
			}
			ls := bytes.LastIndexByte(chunk[:j], '\n') + 1
			starts = append(starts, ls)
			le := bytes.IndexByte(chunk[j:], '\n')
			if le < 0 {
				break
			}
			i = j + le + 1
		}
	}
	if p.wm != nil {
		starts = p.wm.hitLines(chunk, starts)
	}
	if len(starts)-n0 > 1 {
		h := starts[n0:]
		slices.Sort(h)
		starts = starts[:n0+len(slices.Compact(h))]
	}
	return starts
}

// lineKeywords sets bit id in set for every keyword contained in line.
// set must hold at least (len(keywords)+63)/64 words and is not cleared.
func (p *prefilter) lineKeywords(line []byte, set []uint64) {
	if p.wm != nil {
		p.wm.lineKeywords(line, set)
	}
	for gi := range p.groups {
		g := &p.groups[gi]
		if bytes.IndexByte(line, g.b) < 0 {
			continue
		}
		for k := range g.kws {
			a := &g.kws[k]
			if bytes.Contains(line, a.kw) {
				set[a.id>>6] |= 1 << (a.id & 63)
			}
		}
	}
}

// greedyAnchors picks anchor bytes by weighted greedy set cover: the byte
// with the lowest estimated cost per newly covered keyword, until every
// keyword contains a chosen byte.
func greedyAnchors(kws [][]byte) []byte {
	has := make([][4]uint64, len(kws)) // bytes present in each keyword
	for i, k := range kws {
		for _, c := range k {
			has[i][c>>6] |= 1 << (c & 63)
		}
	}
	covered := make([]bool, len(kws))
	var chosen []byte
	left := len(kws)
	for left > 0 {
		best, bestCost := -1, 0.0
		for b := 0; b < 256; b++ {
			gain := 0
			for i := range kws {
				if !covered[i] && has[i][b>>6]&(1<<(b&63)) != 0 {
					gain++
				}
			}
			if gain == 0 {
				continue
			}
			cost := (passNsPerByte + float64(byteFreq[b])/100000*candNs) / float64(gain)
			if best < 0 || cost < bestCost {
				best, bestCost = b, cost
			}
		}
		chosen = append(chosen, byte(best))
		for i := range kws {
			if !covered[i] && has[i][best>>6]&(1<<(best&63)) != 0 {
				covered[i] = true
				left--
			}
		}
	}
	return chosen
}
