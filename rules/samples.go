package rules

import (
	"fmt"
	"time"

	"github.com/esxdiag/esxdiag/parser"
)

// TestSamples runs every sample line of every rule through the real engine
// path: the catalog's prefilter for the sample's kind, header parsing, the
// dispatch to the rules bound to the keywords found, and the rule's Finish.
// A positive sample passes when the rule fires on it alone; a negative one
// when it does not. A keyword that does not occur on the line a rule needs
// therefore fails its positive sample.
func (c *Catalog) TestSamples() []SampleResult {
	e, err := newEngine(c, Options{Workers: 1})
	if err != nil {
		return []SampleResult{{Problem: err.Error()}}
	}
	var out []SampleResult
	for ri := range e.rules {
		info := &e.rules[ri].info
		for _, s := range info.Samples {
			out = append(out, e.testSample(ri, s))
		}
	}
	return out
}

func (e *engine) testSample(ri int, s Sample) SampleResult {
	info := &e.rules[ri].info
	res := SampleResult{RuleID: info.ID, Sample: s}
	kind := s.Kind
	if kind == parser.KindUnknown && len(info.Kinds) > 0 {
		kind = info.Kinds[0]
	}
	res.Sample.Kind = kind
	p := e.plan(kind)
	if p == nil {
		res.Problem = fmt.Sprintf("no rule reads kind %s", kind)
		return res
	}
	w := e.newWorker()
	w.mctx = MemberCtx{Path: "sample", Rel: "sample", Kind: kind, MaxEvidence: e.opts.MaxEvidence}
	h := w.host(0)
	fa := &fileAgg{}
	ref := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // year for syslog-style samples
	w.scanChunk(h, fa, p, []byte(s.Line), 0, ref)
	// As at the end of a member: a split ESXi 8 "Failed:" record still
	// waiting for its status record is analysed alone.
	if w.joiner.Pending() > 0 {
		w.curRec = nil
		w.joiner.Flush(w.emitFn)
	}
	st := h.states[ri]
	res.Prefilter = st != nil
	if st != nil {
		hc := &HostCtx{Host: "sample", Kinds: map[parser.Kind]int{kind: 1}, MaxEvidence: e.opts.MaxEvidence}
		fs, _ := safeFinish(st, hc)
		res.Fired = len(fs) > 0
	}
	res.OK = res.Fired == s.Match
	switch {
	case res.OK:
	case s.Match && !res.Prefilter:
		res.Problem = fmt.Sprintf("rule %s: positive sample not dispatched: none of its keywords %q occurs in the line (kind %s)", info.ID, info.Keywords, kind)
	case s.Match:
		res.Problem = fmt.Sprintf("rule %s: positive sample dispatched but the rule did not fire", info.ID)
	default:
		res.Problem = fmt.Sprintf("rule %s: negative sample fired", info.ID)
	}
	return res
}
