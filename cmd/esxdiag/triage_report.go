package main

import (
	"bytes"
	"strings"
)

// outcomeFromReport renders jr exactly as `analyze --format json` does (the
// per-bundle report of the results folder) and extracts the summary view of
// each host from the same model, so the two never disagree. Only the first
// keep hosts get a summary row (keep < 0: all; the hosts after them are the
// ONTAP logs analyzed with a bundle, which have rows of their own); kind is
// set on every host ("ontap" for an ONTAP log).
func outcomeFromReport(jr *jsonReport, keep int, kind string) (*bundleOutcome, error) {
	var buf bytes.Buffer
	if err := renderJSON(&buf, jr); err != nil {
		return nil, err
	}
	out := &bundleOutcome{Report: buf.Bytes()}
	kept := map[string]bool{} // inputs of the hosts with rows (keep >= 0)
	for i := range jr.Hosts {
		if i < keep {
			kept[jr.Hosts[i].Input] = true
		}
	}
	for _, e := range jr.ReadErrors {
		if keep >= 0 && !kept[e.Input] {
			continue // an ONTAP log's error: on the log's own row
		}
		out.ReadErrors = append(out.ReadErrors, readErrorText(e))
	}
	if !jr.Summary.Recognised {
		return out, nil // no host: reported as "nothing recognised"
	}
	for i := range jr.Hosts {
		h := &jr.Hosts[i]
		if keep >= 0 && i >= keep {
			break
		}
		th := triageHost{
			Kind:        kind,
			Host:        h.Bundle.Host,
			Version:     h.Bundle.Version,
			Build:       h.Bundle.Build,
			CollectedAt: parseJSONTime(h.Bundle.CollectedAt),
		}
		if th.Host == "" {
			th.Host = "unknown"
		}
		byRule := map[string]int{} // rule -> index in th.Findings
		for _, f := range h.Findings {
			k, ok := byRule[f.RuleID]
			if !ok {
				k = len(th.Findings)
				byRule[f.RuleID] = k
				th.Findings = append(th.Findings, triageFinding{RuleID: f.RuleID, Severity: f.Severity, Title: f.Title})
			}
			tf := &th.Findings[k]
			tf.Objects++
			tf.Count += max(f.Count, 1)
			if severityRank(f.Severity) > severityRank(tf.Severity) {
				tf.Severity = f.Severity
			}
			if severityRank(f.Severity) > severityRank(th.Worst) {
				th.Worst = f.Severity
			}
		}
		sortFindings(th.Findings)
		th.ReadErrors = readErrorsOf(jr, h)
		out.Hosts = append(out.Hosts, th)
	}
	return out, nil
}

// readErrorsOf counts the read errors that belong to host h: all of them
// for a single-host report, those under the host bundle's path otherwise,
// plus those under no host's path (the container's own: a zip cut short
// or with unsafe names), which concern every host read from it. Before,
// these were counted on no row at all.
func readErrorsOf(jr *jsonReport, h *jsonHost) int {
	if len(jr.Hosts) == 1 {
		return len(jr.ReadErrors)
	}
	under := func(e jsonReadError, b jsonBundle) bool {
		return b.Path != "" && strings.HasPrefix(e.Path, b.Path)
	}
	n := 0
	for _, e := range jr.ReadErrors {
		if under(e, h.Bundle) {
			n++
			continue
		}
		owned := false
		for i := range jr.Hosts {
			owned = owned || under(e, jr.Hosts[i].Bundle)
		}
		if !owned {
			n++
		}
	}
	return n
}
