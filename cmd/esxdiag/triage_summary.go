package main

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// triageSummary is the cross-bundle view written by `triage` (and as
// summary.json in the results folder). It holds no wall-clock time, so the
// same inputs give the same bytes whatever --jobs.
type triageSummary struct {
	Schema     string          `json:"schema"`
	Esxdiag    string          `json:"esxdiag_version"`
	Rules      string          `json:"rules_version"`
	FailOn     string          `json:"fail_on"`
	Bundles    int             `json:"bundles"`
	Hosts      int             `json:"hosts"`
	ONTAP      int             `json:"ontap_logs,omitempty"` // rows that are ONTAP logs (counted in Hosts too)
	Unreadable int             `json:"unreadable"`
	Rows       []summaryRow    `json:"rows"`      // one per host, unreadable bundles first, then worst first
	Aggregate  []ruleAggregate `json:"aggregate"` // each rule that fired → hosts, by ESXi build
}

const summarySchema = "esxdiag.triage-summary/v1"

// summaryRow is one host (or one unreadable bundle, with Error set).
type summaryRow struct {
	Kind        string          `json:"kind,omitempty"` // "ontap": an ONTAP log, Host is its node(s)
	Host        string          `json:"host"`
	Version     string          `json:"version,omitempty"`
	Build       string          `json:"build,omitempty"`
	CollectedAt time.Time       `json:"collected_at,omitzero"`
	Worst       string          `json:"worst_severity,omitempty"`
	Findings    []triageFinding `json:"findings,omitempty"`
	ReadErrors  int             `json:"read_errors"`
	Error       string          `json:"error,omitempty"`
	Input       string          `json:"input"`
	SHA256      string          `json:"sha256,omitempty"`
	Report      string          `json:"report,omitempty"`
	WithONTAP   []string        `json:"with_ontap,omitempty"` // ONTAP logs the bundle was analyzed with
}

// ruleAggregate says where one rule fired across hosts.
type ruleAggregate struct {
	RuleID   string       `json:"rule"`
	Severity string       `json:"severity"` // worst severity it fired with
	Title    string       `json:"title"`
	Hosts    int          `json:"hosts"`    // hosts where it fired
	OfHosts  int          `json:"of_hosts"` // hosts triaged
	Builds   []buildGroup `json:"builds"`   // by ESXi build, most affected first
}

// buildGroup lists the hosts of one ESXi build where a rule fired.
type buildGroup struct {
	Kind    string   `json:"kind,omitempty"` // "ontap": the ONTAP logs, not an ESXi build
	Version string   `json:"version,omitempty"`
	Build   string   `json:"build"` // "unknown" when the bundle did not say
	Hosts   []string `json:"hosts"`
	OfHosts int      `json:"of_hosts"` // hosts of this build triaged
}

// buildSummary turns records into the summary. Deterministic: rows and
// aggregates are sorted on content only.
func buildSummary(recs []*bundleRecord, esxdiag, rules, failOn string) *triageSummary {
	s := &triageSummary{Schema: summarySchema, Esxdiag: esxdiag, Rules: rules, FailOn: failOn,
		Rows: []summaryRow{}, Aggregate: []ruleAggregate{}}
	buildTotal := map[string]int{} // build key -> hosts triaged
	type agg struct {
		ruleAggregate
		byBuild map[string]*buildGroup
	}
	aggs := map[string]*agg{}
	for _, r := range recs {
		s.Bundles++
		if r.Error != "" {
			s.Unreadable++
			s.Rows = append(s.Rows, summaryRow{Kind: r.Kind, Host: "?", Error: r.Error, Input: r.Input,
				SHA256: r.SHA256, Worst: "unreadable", ReadErrors: r.ReadErrorN})
			continue
		}
		var with []string
		for _, o := range r.WithONTAP {
			with = append(with, o.Input)
		}
		for _, h := range r.Hosts {
			s.Hosts++
			if h.Kind == kindONTAP {
				s.ONTAP++
			}
			errs := h.ReadErrors
			s.Rows = append(s.Rows, summaryRow{Kind: h.Kind, Host: h.Host, Version: h.Version, Build: h.Build,
				CollectedAt: h.CollectedAt, Worst: h.Worst, Findings: h.Findings, ReadErrors: errs,
				Input: r.Input, SHA256: r.SHA256, Report: r.Report, WithONTAP: with})
			bk := buildKey(h.Version, h.Build)
			if h.Kind == kindONTAP {
				bk = "\x00" + kindONTAP // the filers are one group of their own
			}
			buildTotal[bk]++
			for _, f := range h.Findings {
				a := aggs[f.RuleID]
				if a == nil {
					a = &agg{ruleAggregate: ruleAggregate{RuleID: f.RuleID, Title: f.Title}, byBuild: map[string]*buildGroup{}}
					aggs[f.RuleID] = a
				}
				if severityRank(f.Severity) > severityRank(a.Severity) {
					a.Severity = f.Severity
				}
				a.Hosts++
				g := a.byBuild[bk]
				if g == nil {
					g = &buildGroup{Version: h.Version, Build: cmp.Or(h.Build, "unknown")}
					if h.Kind == kindONTAP {
						g = &buildGroup{Kind: kindONTAP, Build: kindONTAP}
					}
					a.byBuild[bk] = g
				}
				g.Hosts = append(g.Hosts, h.Host)
			}
		}
	}
	slices.SortStableFunc(s.Rows, func(a, b summaryRow) int {
		ua, ub := a.Error != "", b.Error != ""
		if ua != ub {
			if ua {
				return -1
			}
			return 1
		}
		return cmp.Or(
			severityRank(b.Worst)-severityRank(a.Worst),
			len(b.Findings)-len(a.Findings),
			strings.Compare(a.Host, b.Host),
			strings.Compare(a.Input, b.Input),
		)
	})
	for _, a := range aggs {
		a.OfHosts = s.Hosts
		for bk, g := range a.byBuild {
			g.OfHosts = buildTotal[bk]
			slices.Sort(g.Hosts)
			a.Builds = append(a.Builds, *g)
		}
		slices.SortFunc(a.Builds, func(x, y buildGroup) int {
			return cmp.Or(len(y.Hosts)-len(x.Hosts), strings.Compare(x.Build, y.Build), strings.Compare(x.Version, y.Version))
		})
		s.Aggregate = append(s.Aggregate, a.ruleAggregate)
	}
	slices.SortFunc(s.Aggregate, func(x, y ruleAggregate) int {
		return cmp.Or(severityRank(y.Severity)-severityRank(x.Severity), y.Hosts-x.Hosts, strings.Compare(x.RuleID, y.RuleID))
	})
	return s
}

func buildKey(version, build string) string { return version + "\x00" + build }

// exitCode follows the analyze table: 2 when some bundle could not be read
// at all (it wins: the triage is incomplete), 1 when some host has a finding
// at or above failOn, 0 otherwise.
func (s *triageSummary) exitCode(failOn string) int {
	if s.Unreadable > 0 {
		return exitUsage
	}
	limit := severityRank(failOn)
	for _, r := range s.Rows {
		if limit > 0 && severityRank(r.Worst) >= limit {
			return exitFindings
		}
	}
	return exitOK
}

// failing counts the hosts with a finding at or above failOn.
func (s *triageSummary) failing(failOn string) int {
	n, limit := 0, severityRank(failOn)
	for _, r := range s.Rows {
		if limit > 0 && r.Error == "" && severityRank(r.Worst) >= limit {
			n++
		}
	}
	return n
}

// ---- renderers ----

func writeSummaryJSON(w io.Writer, s *triageSummary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// versionLabel is the ESXI column of a row: the ESXi version and build, or
// "ONTAP log" for an ONTAP log's row.
func versionLabel(kind, version, build string) string {
	if kind == kindONTAP {
		return "ONTAP log"
	}
	return esxiLabel(version, build)
}

func esxiLabel(version, build string) string {
	switch {
	case version != "" && build != "":
		return version + " (" + build + ")"
	case build != "":
		return "build " + build
	}
	return version
}

func collectedLabel(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// topFindings lists up to n rule IDs with occurrence counts: "apd-timeout×3"
// (the count is left out when unknown).
func topFindings(fs []triageFinding, n int) string {
	var parts []string
	for i, f := range fs {
		if i == n {
			parts = append(parts, fmt.Sprintf("+%d more", len(fs)-n))
			break
		}
		if f.Count > 0 {
			parts = append(parts, f.RuleID+"×"+strconv.Itoa(f.Count))
		} else {
			parts = append(parts, f.RuleID)
		}
	}
	return strings.Join(parts, ", ")
}

func worstLabel(r summaryRow) string {
	switch {
	case r.Error != "":
		return "UNREADABLE"
	case r.Worst == "":
		return "ok"
	}
	return r.Worst
}

// writeSummaryMarkdown renders the summary for a ticket or a wiki page.
func writeSummaryMarkdown(w io.Writer, s *triageSummary) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# esxdiag triage\n\n%s\n\n", summaryHeadline(s))
	fmt.Fprintf(ew, "| severity | host | ESXi | collected | top findings | read errors | bundle |\n")
	fmt.Fprintf(ew, "| --- | --- | --- | --- | --- | ---: | --- |\n")
	for _, r := range s.Rows {
		top := topFindings(r.Findings, 3)
		if r.Error != "" {
			top = r.Error
		}
		fmt.Fprintf(ew, "| %s | %s | %s | %s | %s | %d | %s |\n", worstLabel(r), mdCell(r.Host),
			mdCell(versionLabel(r.Kind, r.Version, r.Build)), collectedLabel(r.CollectedAt), mdCell(firstLine(top)),
			r.ReadErrors, mdCellCode(r.Input))
	}
	if len(s.Aggregate) > 0 {
		fmt.Fprintf(ew, "\n## Across hosts\n\n")
		for _, a := range s.Aggregate {
			fmt.Fprintf(ew, "- **%s** (%s) %s — %d of %d hosts\n", a.RuleID, a.Severity, mdCell(a.Title), a.Hosts, a.OfHosts)
			for _, g := range a.Builds {
				fmt.Fprintf(ew, "  - %s: %d of %d — %s\n", mdCell(buildLabel(g)), len(g.Hosts), g.OfHosts, mdCell(strings.Join(g.Hosts, ", ")))
			}
		}
	}
	return ew.err
}

func buildLabel(g buildGroup) string {
	if g.Kind == kindONTAP {
		return "ONTAP logs"
	}
	if g.Version != "" {
		return "build " + g.Build + " (" + g.Version + ")"
	}
	return "build " + g.Build
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func summaryHeadline(s *triageSummary) string {
	h := fmt.Sprintf("%d bundles, %d hosts", s.Bundles, s.Hosts)
	if s.ONTAP > 0 {
		h = fmt.Sprintf("%d bundles, %d hosts (%d ONTAP)", s.Bundles, s.Hosts, s.ONTAP)
	}
	if s.Unreadable > 0 {
		h += fmt.Sprintf(", %d unreadable", s.Unreadable)
	}
	counts := map[string]int{}
	for _, r := range s.Rows {
		if r.Error == "" && r.Worst != "" {
			counts[r.Worst]++
		}
	}
	var parts []string
	for _, sev := range []string{"critical", "error", "warning", "info"} {
		if counts[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[sev], sev))
		}
	}
	if len(parts) > 0 {
		h += "; worst per host: " + strings.Join(parts, ", ")
	}
	return h
}

// writeSummaryCSV writes one row per host (or unreadable bundle); the
// cross-host aggregation is in the JSON, Markdown and text forms. The last
// column, kind, is "ontap" for an ONTAP log's row (added last so that the
// earlier columns keep their places).
func writeSummaryCSV(w io.Writer, s *triageSummary) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"worst_severity", "host", "version", "build", "collected_at", "findings",
		"read_errors", "error", "input", "sha256", "report", "kind"})
	for _, r := range s.Rows {
		var ids []string
		for _, f := range r.Findings {
			ids = append(ids, f.RuleID+":"+f.Severity+":"+strconv.Itoa(f.Count))
		}
		at := ""
		if !r.CollectedAt.IsZero() {
			at = r.CollectedAt.UTC().Format(time.RFC3339)
		}
		worst := r.Worst
		if r.Error == "" && worst == "" {
			worst = "ok"
		}
		cw.Write([]string{worst, r.Host, r.Version, r.Build, at, strings.Join(ids, ";"),
			strconv.Itoa(r.ReadErrors), r.Error, r.Input, r.SHA256, r.Report, r.Kind})
	}
	cw.Flush()
	return cw.Error()
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
