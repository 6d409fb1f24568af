package rules

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/parser"
)

// ReportSchema names the report format.
const ReportSchema = "esxdiag.report/v1"

// Report is the result of one analysis. It holds no wall-clock time of the
// run, so two runs over the same input are byte-identical.
type Report struct {
	Schema     string       `json:"schema"`
	Input      string       `json:"input"`
	Hosts      []HostReport `json:"hosts"` // one per bundles.BundleInfo
	ReadErrors []ReadError  `json:"read_errors,omitempty"`
	Notes      []string     `json:"notes,omitempty"`
}

// HostReport is the analysis of one host bundle.
type HostReport struct {
	Bundle   bundles.BundleInfo `json:"bundle"`
	Files    int                `json:"files"`
	Bytes    int64              `json:"bytes"`
	Lines    int64              `json:"lines"`
	First    time.Time          `json:"first"` // time span covered by parsed lines
	Last     time.Time          `json:"last"`
	Unparsed []UnparsedFile     `json:"unparsed,omitempty"`
	Findings []Finding          `json:"findings"` // severity desc, First asc, RuleID, Fingerprint
	Statuses []RuleStatus       `json:"statuses"` // one per rule, by RuleID
	Devices  []DeviceRow        `json:"devices,omitempty"`
}

func hostReport(bi bundles.BundleInfo, r hostResult) HostReport {
	return HostReport{Bundle: bi, Files: r.Files, Bytes: r.Bytes, Lines: r.Lines, First: r.First, Last: r.Last,
		Unparsed: r.Unparsed, Findings: r.Findings, Statuses: r.Statuses, Devices: r.Devices}
}

// Analyze runs the catalog over every member of src and reports per host
// bundle. Members are scanned concurrently (bundles.Source.Walk); each
// worker keeps private rule states per host, merged at the end, so the
// report does not depend on scheduling. Per-member read problems are in
// Report.ReadErrors; the error is for fatal problems (cancellation, a broken
// catalog).
func Analyze(ctx context.Context, src *bundles.Source, opts Options) (*Report, error) {
	e, err := newEngine(opts.Catalog, opts)
	if err != nil {
		return nil, err
	}
	pc := &progressCounters{}
	stop := startProgress(opts.Progress, pc, src)
	walk := func(ctx context.Context, fn func(m *memberIn) error) error {
		return src.Walk(ctx, func(m *bundles.Member) error {
			return fn(&memberIn{Bundle: m.Bundle, Path: m.Path, Rel: m.Rel, Seq: m.Seq, Size: m.Size, R: m.R})
		})
	}
	ref := func(b int) time.Time { return src.Bundle(b).CollectedAt }
	aggs, err := e.run(ctx, walk, ref, pc)
	stop()
	if err != nil {
		return nil, err
	}
	rep := &Report{Schema: ReportSchema, Input: src.Name()}
	links := 0
	for _, me := range src.Errors() {
		// Real vm-support tarballs carry links (var/log/vmkernel.log ->
		// /var/run/log/vmkernel.log) whose targets are members of their own:
		// skipping them is normal, so they are a note, not a read error.
		if errors.Is(me.Err, bundles.ErrSymlink) {
			links++
			continue
		}
		msg := me.Op + ": "
		if me.Err != nil {
			msg += me.Err.Error()
		}
		rep.ReadErrors = append(rep.ReadErrors, ReadError{Path: me.Path, Offset: me.Offset, Message: msg})
	}
	if links > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d link entries skipped: links are never followed; their targets are read where the bundle holds them", links))
	}
	for i, bi := range src.Bundles() {
		r := e.finish(aggs[i], hostMeta{Host: bi.Host, Version: bi.Version, Build: bi.Build, CollectedAt: bi.CollectedAt})
		rep.ReadErrors = append(rep.ReadErrors, r.Warnings...)
		rep.Hosts = append(rep.Hosts, hostReport(bi, r))
	}
	return rep, nil
}

// startProgress calls fn every 100ms from one goroutine until the returned
// stop is called, which makes a last call with Done set.
func startProgress(fn func(Progress), pc *progressCounters, src *bundles.Source) (stop func()) {
	if fn == nil {
		return func() {}
	}
	start := time.Now()
	snap := func(done bool) Progress {
		pc.mu.Lock()
		p := Progress{Files: pc.files, Bytes: pc.bytes, Lines: pc.lines, Elapsed: time.Since(start), Done: done, Size: -1}
		pc.mu.Unlock()
		if src != nil {
			p.BytesRead, p.Size = src.BytesRead(), src.Size()
		}
		return p
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				fn(snap(true))
				return
			case <-t.C:
				fn(snap(false))
			}
		}
	}()
	return func() { close(quit); wg.Wait() }
}

// AnalyzeText analyzes pasted text (a snippet of one or more logs). The
// text is normalised first (parser.NormalizeSnippet; its notes go to
// Report.Notes); the kind of each line is sniffed (parser.KindOfContent),
// lines without a recognisable kind inheriting the kind of the line before,
// and each run of lines of one kind is analyzed as one file named name.
func AnalyzeText(ctx context.Context, name string, text []byte, opts Options) (*Report, error) {
	e, err := newEngine(opts.Catalog, opts)
	if err != nil {
		return nil, err
	}
	norm, notes := parser.NormalizeSnippet(text)
	runs := splitByKind(norm)
	walk := func(ctx context.Context, fn func(m *memberIn) error) error {
		for i, r := range runs {
			if err := fn(&memberIn{Path: name, Rel: name, Seq: i, Size: int64(len(r.text)), R: bytes.NewReader(r.text),
				kind: r.kind, lineBase: r.lineBase}); err != nil {
				return err
			}
		}
		return nil
	}
	// A snippet has no collection time; the latest fully dated line (ISO,
	// or a 4.x Hostd stamp inside messages) gives year-less syslog stamps
	// ("Mar  1 08:53:36") their year, as the collection time does for a
	// bundle. Without one they keep no wall time.
	ref := snippetRef(norm)
	if !ref.IsZero() {
		notes = append(notes, fmt.Sprintf("year of syslog-style stamps without a year inferred from the latest dated line (%s)", ref.Format(time.RFC3339)))
	}
	aggs, err := e.run(ctx, walk, func(int) time.Time { return ref }, nil)
	if err != nil {
		return nil, err
	}
	bi := bundles.BundleInfo{Path: name, Kind: bundles.KindSnippet}
	r := e.finish(aggs[0], hostMeta{})
	// The runs of one snippet are one file for the report.
	r.Files = min(r.Files, 1)
	rep := &Report{Schema: ReportSchema, Input: name, Notes: notes, ReadErrors: r.Warnings}
	rep.Hosts = []HostReport{hostReport(bi, r)}
	return rep, nil
}

// snippetRef returns the latest time of a line of text whose header
// carries a full date (not inferred), or the zero time. It is only needed
// when some line has a year-less stamp.
func snippetRef(text []byte) time.Time {
	var ref time.Time
	var h parser.Header
	yearless := false
	for pos := 0; pos < len(text); {
		end := bytes.IndexByte(text[pos:], '\n')
		next := len(text)
		if end >= 0 {
			next = pos + end + 1
		}
		if parser.ParseHeader(text[pos:next], time.Time{}, &h) {
			switch {
			case h.HasTime && h.Time.After(ref):
				ref = h.Time
			case !h.HasTime && h.Grammar == parser.GrammarSyslog:
				yearless = true
			}
		}
		pos = next
	}
	if !yearless {
		return time.Time{}
	}
	return ref
}

type textRun struct {
	kind     parser.Kind
	text     []byte
	lineBase int64
}

// splitByKind cuts a snippet into runs of consecutive lines of one kind.
func splitByKind(text []byte) []textRun {
	var runs []textRun
	cur := parser.KindUnknown
	start, startLine := 0, int64(0)
	var line int64
	for pos := 0; pos < len(text); {
		end := bytes.IndexByte(text[pos:], '\n')
		next := len(text)
		if end >= 0 {
			next = pos + end + 1
		}
		k := parser.KindOfContent(text[pos:next])
		if k == parser.KindUnknown || isContinuation(text[pos:next], true) {
			k = cur
		}
		if k != cur && pos > start {
			runs = append(runs, textRun{kind: cur, text: text[start:pos], lineBase: startLine})
			start, startLine = pos, line
		}
		cur = k
		line++
		pos = next
	}
	if start < len(text) || len(runs) == 0 {
		runs = append(runs, textRun{kind: cur, text: text[start:], lineBase: startLine})
	}
	// A leading run of unknown kind takes the kind of the run after it.
	if len(runs) > 1 && runs[0].kind == parser.KindUnknown {
		runs[0].kind = runs[1].kind
	}
	return runs
}

// String gives a one-line summary of a report, for logs and tests.
func (r *Report) String() string {
	n := 0
	for _, h := range r.Hosts {
		n += len(h.Findings)
	}
	hosts := make([]string, 0, len(r.Hosts))
	for _, h := range r.Hosts {
		hosts = append(hosts, h.Bundle.Host)
	}
	sort.Strings(hosts)
	return fmt.Sprintf("%s: %d host(s) %v, %d finding(s), %d read error(s)", r.Input, len(r.Hosts), hosts, n, len(r.ReadErrors))
}
