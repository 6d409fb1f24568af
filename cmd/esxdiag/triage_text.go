package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// writeSummaryText renders the summary as an aligned table that fits width
// columns (the findings column is trimmed), then the cross-host view.
func writeSummaryText(w io.Writer, s *triageSummary, width int, st textStyles) error {
	ew := &errWriter{w: w}
	if width <= 0 {
		width = 100
	}
	fmt.Fprintf(ew, "%s\n\n", heading(st, "esxdiag triage: "+summaryHeadline(s)))
	head := []string{"SEVERITY", "HOST", "ESXI", "COLLECTED", "READ ERR", "TOP FINDINGS"}
	rows := make([][]string, 0, len(s.Rows))
	for _, r := range s.Rows {
		top := topFindings(r.Findings, 3)
		if r.Error != "" {
			top = r.Input
		}
		rows = append(rows, []string{worstLabel(r), r.Host, versionLabel(r.Kind, r.Version, r.Build),
			collectedLabel(r.CollectedAt), fmt.Sprint(r.ReadErrors), top})
	}
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r[:len(r)-1] {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	used := 0
	for _, wd := range widths[:len(widths)-1] {
		used += wd + 2
	}
	// When the findings column would be narrower than minTopWidth, the
	// findings go on their own indented line under each row.
	const minTopWidth = 30
	below := width-used < minTopWidth
	last := width - used
	indent := strings.Repeat(" ", widths[0]+2)
	if below {
		last = width - len(indent)
	}
	// cols writes the fixed columns of one row (the first styled by sev).
	cols := func(b *strings.Builder, cells []string, sev string) {
		for i, c := range cells {
			pad := c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2)
			if i == 0 && sev != "" {
				pad = st.severity(sev, pad)
			}
			b.WriteString(pad)
		}
	}
	emit := func(cells []string, sev string, isHead bool) {
		var b strings.Builder
		fixed, top := cells[:len(cells)-1], cells[len(cells)-1]
		cols(&b, fixed, sev)
		if !below {
			b.WriteString(truncate(top, last))
		}
		fmt.Fprintln(ew, strings.TrimRight(b.String(), " "))
		if below && !isHead && top != "" {
			fmt.Fprintln(ew, indent+truncate(top, last))
		}
	}
	emit(head, "", true)
	for i, r := range rows {
		emit(r, s.Rows[i].Worst, false)
	}
	var bad []summaryRow
	for _, r := range s.Rows {
		if r.Error != "" {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 {
		fmt.Fprintf(ew, "\n%s\n", heading(st, "Unreadable bundles"))
		for _, r := range bad {
			fmt.Fprintf(ew, "  %s\n    %s\n", r.Input, truncate(firstLine(r.Error), max(width-4, 20)))
		}
	}
	if len(s.Aggregate) > 0 {
		fmt.Fprintf(ew, "\n%s\n", heading(st, "Across hosts"))
		for _, a := range s.Aggregate {
			title := fmt.Sprintf("  %s (%s) on %d of %d hosts", a.RuleID, a.Severity, a.Hosts, a.OfHosts)
			if a.Title != "" {
				title = truncate(title+": "+a.Title, width)
			}
			fmt.Fprintln(ew, title)
			for _, g := range a.Builds {
				// Every host is listed: long lists wrap, never cut.
				for _, l := range wrap(fmt.Sprintf("%s: %d of %d: %s", buildLabel(g), len(g.Hosts), g.OfHosts,
					strings.Join(g.Hosts, ", ")), width-4, "  ") {
					fmt.Fprintln(ew, "    "+l)
				}
			}
		}
	}
	return ew.err
}

func heading(st textStyles, s string) string { return st.apply(st.title, s) }
