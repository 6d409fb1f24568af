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
		rows = append(rows, []string{worstLabel(r), r.Host, esxiLabel(r.Version, r.Build),
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
	last := max(width-used, 20)
	line := func(cells []string, sev string) {
		var b strings.Builder
		for i, c := range cells {
			if i == len(cells)-1 {
				b.WriteString(truncate(c, last))
				break
			}
			pad := c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2)
			if i == 0 && sev != "" {
				pad = st.severity(sev, pad)
			}
			b.WriteString(pad)
		}
		fmt.Fprintln(ew, strings.TrimRight(b.String(), " "))
	}
	line(head, "")
	for i, r := range rows {
		sev := s.Rows[i].Worst
		line(r, sev)
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
				fmt.Fprintln(ew, truncate(fmt.Sprintf("    %s: %d of %d: %s", buildLabel(g), len(g.Hosts), g.OfHosts,
					strings.Join(g.Hosts, ", ")), width))
			}
		}
	}
	return ew.err
}

func heading(st textStyles, s string) string { return st.apply(st.title, s) }
