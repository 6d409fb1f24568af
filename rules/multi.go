package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/parser"
)

// Multi-input analysis: several sources (ESXi bundles, ONTAP logs) analysed
// as one fleet, so that correlation rules see the SCSI facts of every ESXi
// host and the EMS events of every ONTAP log together.

// FleetHost is one host bundle (or ONTAP log) of an analysis, as a
// correlation rule sees it before Finish.
type FleetHost struct {
	Index       int
	Host        string
	CollectedAt time.Time
	Last        time.Time // latest line time of the host's files (ESXi headers)
	Kinds       map[parser.Kind]int
	states      func(ruleID string) RuleState
}

// State returns the merged state of rule ruleID on this host (nil when the
// rule is not in the catalog).
func (f *FleetHost) State(ruleID string) RuleState {
	if f.states == nil {
		return nil
	}
	return f.states(ruleID)
}

// Seen reports whether the host had a file of any of the kinds.
func (f *FleetHost) Seen(kinds ...parser.Kind) bool {
	for _, k := range kinds {
		if f.Kinds[k] > 0 {
			return true
		}
	}
	return false
}

// FleetState is implemented by rule states that correlate across the
// inputs of one analysis. SetFleet is called on every host's state of the
// rule before any Finish, with the index of the host and all hosts.
type FleetState interface {
	RuleState
	SetFleet(self int, hosts []*FleetHost)
}

// fleetRef is the reference time for year-less stamps of inputs that carry
// no collection time of their own (a bare filer messages file): the latest
// collection time of the other inputs, or else the latest line time of
// their logs (bare vmkernel.log files).
func fleetRef(hosts []*FleetHost) time.Time {
	var ref, last time.Time
	for _, h := range hosts {
		if h.CollectedAt.After(ref) {
			ref = h.CollectedAt
		}
		if h.Last.After(last) {
			last = h.Last
		}
	}
	if ref.IsZero() {
		return last
	}
	return ref
}

// runFleet creates missing states and hands every FleetState the fleet.
func (e *engine) runFleet(aggs map[int]*hostAgg, metas map[int]hostMeta) {
	ids := map[string]int{}
	for ri := range e.rules {
		ids[e.rules[ri].info.ID] = ri
	}
	var idx []int
	for b := range aggs {
		idx = append(idx, b)
	}
	sortInts(idx)
	hosts := make([]*FleetHost, len(idx))
	for i, b := range idx {
		h := aggs[b]
		for ri := range h.states {
			if h.states[ri] == nil {
				h.states[ri] = e.rules[ri].newState()
			}
		}
		kinds := map[parser.Kind]int{}
		var span TimeSpan
		for _, f := range h.files {
			if f.info.Kind != parser.KindUnknown {
				kinds[f.info.Kind]++
			}
			span.Merge(f.span)
		}
		hosts[i] = &FleetHost{Index: b, Host: metas[b].Host, CollectedAt: metas[b].CollectedAt, Last: span.Last, Kinds: kinds,
			states: func(id string) RuleState {
				if ri, ok := ids[id]; ok && h.failed[ri] == "" {
					return h.states[ri]
				}
				return nil
			}}
	}
	for i, b := range idx {
		for _, st := range aggs[b].states {
			if fs, ok := st.(FleetState); ok {
				fs.SetFleet(i, hosts)
			}
		}
	}
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// AnalyzeSources analyses several inputs together — e.g. an ESXi bundle and
// the filer's /etc/messages — and reports every host bundle of every
// source in one report (Report.Input joins the source names with ", ").
// Correlation rules (FleetState) see all of them. Sources are walked one
// after the other; each source's members are scanned concurrently.
func AnalyzeSources(ctx context.Context, srcs []*bundles.Source, opts Options) (*Report, error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("rules: no input")
	}
	e, err := newEngine(opts.Catalog, opts)
	if err != nil {
		return nil, err
	}
	pc := &progressCounters{}
	base := make([]int, len(srcs)+1)
	aggs := map[int]*hostAgg{}
	for i, src := range srcs {
		stop := startProgress(opts.Progress, pc, src)
		walk := func(ctx context.Context, fn func(m *memberIn) error) error {
			return src.Walk(ctx, func(m *bundles.Member) error {
				return fn(&memberIn{Bundle: m.Bundle, Path: m.Path, Rel: m.Rel, Seq: m.Seq, Size: m.Size, R: m.R})
			})
		}
		ref := func(b int) time.Time { return src.Bundle(b).CollectedAt }
		a, err := e.run(ctx, walk, ref, pc)
		stop()
		if err != nil {
			return nil, fmt.Errorf("rules: %s: %w", src.Name(), err)
		}
		n := len(src.Bundles())
		for b, h := range a {
			aggs[base[i]+b] = h
			n = max(n, b+1)
		}
		base[i+1] = base[i] + n
	}
	metas := map[int]hostMeta{}
	infos := map[int]bundles.BundleInfo{}
	for i, src := range srcs {
		for b, bi := range src.Bundles() {
			infos[base[i]+b] = bi
			metas[base[i]+b] = hostMeta{Host: bi.Host, Version: bi.Version, Build: bi.Build, CollectedAt: bi.CollectedAt}
		}
	}
	for b := range aggs {
		if _, ok := metas[b]; !ok {
			metas[b] = hostMeta{}
		}
	}
	// An ONTAP log has no host name from bundles: name it after its node(s).
	for g, bi := range infos {
		if bi.Host != "" || aggs[g] == nil {
			continue
		}
		if n := e.ontapNodes(aggs[g]); n != "" {
			bi.Host = n
			infos[g] = bi
			m := metas[g]
			m.Host = n
			metas[g] = m
		}
	}
	e.runFleet(aggs, metas)
	var names []string
	links := 0
	rep := &Report{Schema: ReportSchema}
	for i, src := range srcs {
		names = append(names, src.Name())
		for _, me := range src.Errors() {
			if errors.Is(me.Err, bundles.ErrSymlink) {
				links++ // as Analyze: skipped links are a note
				continue
			}
			msg := me.Op + ": "
			if me.Err != nil {
				msg += me.Err.Error()
			}
			rep.ReadErrors = append(rep.ReadErrors, ReadError{Path: me.Path, Offset: me.Offset, Message: msg})
		}
		for b := range src.Bundles() {
			g := base[i] + b
			h := aggs[g]
			if h == nil {
				h = &hostAgg{states: make([]RuleState, len(e.rules)), failed: make([]string, len(e.rules))}
				aggs[g] = h
			}
			r := e.finish(h, metas[g])
			if r.First.IsZero() {
				// ONTAP inputs: the engine reads only ESXi headers.
				if sp := e.ontapSpan(h); !sp.First.IsZero() {
					r.First, r.Last = sp.First, sp.Last
				}
			}
			rep.ReadErrors = append(rep.ReadErrors, r.Warnings...)
			rep.Hosts = append(rep.Hosts, hostReport(infos[g], r))
		}
	}
	if links > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d link entries skipped: links are never followed; their targets are read where the bundle holds them", links))
	}
	rep.Input = strings.Join(names, ", ")
	return rep, nil
}

// ontapSpan returns the time span of an ONTAP input's EMS records.
func (e *engine) ontapSpan(h *hostAgg) TimeSpan {
	for ri := range e.rules {
		if e.rules[ri].info.ID == ontapLunMapID && ri < len(h.states) {
			if st, ok := h.states[ri].(*ontapEventState); ok && st != nil {
				return st.span(time.Time{})
			}
		}
	}
	return TimeSpan{}
}

// ontapNodes returns the ONTAP node names seen on a host ("" if none).
func (e *engine) ontapNodes(h *hostAgg) string {
	for ri := range e.rules {
		if e.rules[ri].info.ID != ontapLunMapID || ri >= len(h.states) {
			continue
		}
		if st, ok := h.states[ri].(*ontapEventState); ok && st != nil {
			return strings.Join(sortedKeys(st.nodes), ",")
		}
	}
	return ""
}
