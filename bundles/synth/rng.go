package synth

import "hash/fnv"

// rng is a small deterministic generator (splitmix64). It is a value type owned by
// one goroutine; nothing in the package shares one.
type rng struct{ s uint64 }

func newRNG(seed int64, salt string) rng {
	h := fnv.New64a()
	_, _ = h.Write([]byte(salt))
	return rng{s: uint64(seed)*0x9E3779B97F4A7C15 ^ h.Sum64()}
}

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// intn returns a value in [0,n); n must be > 0.
func (r *rng) intn(n int) int {
	hi, _ := mul64(r.next(), uint64(n))
	return int(hi)
}

func mul64(a, b uint64) (hi, lo uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1 := t & mask32
	w2 := t >> 32
	w1 += a0 * b1
	hi = a1*b1 + w2 + w1>>32
	lo = a * b
	return
}
