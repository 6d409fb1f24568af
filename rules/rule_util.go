package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// agg is the mergeable tally the Go rules of the catalog keep per signal or
// per object: how many, first/last time, first N evidence lines.
type agg struct {
	count int
	span  TimeSpan
	ev    EvidenceSet
}

func (a *agg) add(l *Line) {
	a.count++
	a.span.Add(l.Time())
	a.ev.Add(l)
}

func (a *agg) merge(o *agg) {
	if o == nil {
		return
	}
	a.count += o.count
	a.span.Merge(o.span)
	a.ev.Merge(&o.ev)
}

// aggMap is a set of aggs keyed by object.
type aggMap map[string]*agg

func (m *aggMap) get(k string) *agg {
	if *m == nil {
		*m = aggMap{}
	}
	a := (*m)[k]
	if a == nil {
		a = &agg{}
		(*m)[k] = a
	}
	return a
}

func (m *aggMap) merge(o aggMap) {
	for k, oa := range o {
		m.get(k).merge(oa)
	}
}

// keys returns the keys sorted by count (desc), then name.
func (m aggMap) keys() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		ci, cj := m[out[i]].count, m[out[j]].count
		if ci != cj {
			return ci > cj
		}
		return out[i] < out[j]
	})
	return out
}

// total returns the sum of counts and the merged time span.
func (m aggMap) total() (int, TimeSpan) {
	n := 0
	var s TimeSpan
	for _, a := range m {
		n += a.count
		s.Merge(a.span)
	}
	return n, s
}

const timeLayout = "2006-01-02T15:04:05Z07:00"

// spanText renders " at T" / " between A and B" / "" for a time span.
func spanText(s TimeSpan) string {
	switch {
	case s.First.IsZero():
		return ""
	case s.First.Equal(s.Last):
		return " at " + s.First.UTC().Format(timeLayout)
	default:
		return " between " + s.First.UTC().Format(timeLayout) + " and " + s.Last.UTC().Format(timeLayout)
	}
}

func times(n int) string {
	if n == 1 {
		return "1 time"
	}
	return strconv.Itoa(n) + " times"
}

// listTop renders up to max "name (count)" items of m, most frequent first.
func listTop(m aggMap, max int) string {
	keys := m.keys()
	var parts []string
	for i, k := range keys {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-max))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", k, m[k].count))
	}
	return strings.Join(parts, ", ")
}

// mixEvidence interleaves the evidence of several signals so that every
// signal is cited (first line of each, then the second of each, ...), up
// to max lines in total.
func mixEvidence(max int, sets ...*EvidenceSet) []Evidence {
	if max <= 0 {
		max = DefaultMaxEvidence
	}
	items := make([][]Evidence, len(sets))
	for i, s := range sets {
		if s != nil {
			items[i] = s.Items()
		}
	}
	var out []Evidence
	for round := 0; len(out) < max; round++ {
		added := false
		for _, it := range items {
			if round < len(it) && len(out) < max {
				out = append(out, it[round])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return out
}

func timeFromUnix(sec int64) time.Time { return time.Unix(sec, 0) }

// secSet is a set of Unix seconds, used to recognise records that repeat an
// event already seen on a named object (e.g. the ESXi 8 continuation record
// "msg = ..." of a vpxa task error, logged in the same second).
type secSet map[int64]bool

func (s *secSet) add(t time.Time) {
	if t.IsZero() {
		return
	}
	if *s == nil {
		*s = secSet{}
	}
	(*s)[t.Unix()] = true
}

func (s *secSet) merge(o secSet) {
	for k := range o {
		if *s == nil {
			*s = secSet{}
		}
		(*s)[k] = true
	}
}

// near reports whether sec is within one second of a member of s.
func (s secSet) near(sec int64) bool { return s[sec] || s[sec-1] || s[sec+1] }
