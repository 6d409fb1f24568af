package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// renderMarkdown writes the report as GitHub-flavoured Markdown for pasting
// into a ticket: tables for the header and the device table, evidence in
// fenced blocks (never trimmed), remediation as numbered lists, KB as links.
func renderMarkdown(w io.Writer, r *jsonReport, o textOptions) error {
	loc := o.loc()
	var b strings.Builder
	fmt.Fprintf(&b, "# esxdiag report: %s\n\n", mdInline(strings.Join(r.Inputs, ", ")))
	fmt.Fprintf(&b, "Times shown in %s. Findings: %s.\n", zoneName(loc), severityCounts(r.Summary.BySeverity))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n> Note: %s\n", mdInline(n))
	}
	if len(r.Hosts) == 0 {
		b.WriteString("\nNo host bundle found in the input.\n")
	}
	for i := range r.Hosts {
		mdHost(&b, &r.Hosts[i], loc)
	}
	if len(r.ReadErrors) > 0 {
		fmt.Fprintf(&b, "\n## Errors while reading (%d)\n\n", len(r.ReadErrors))
		for _, e := range r.ReadErrors {
			switch {
			case e.Path != "" && e.Offset >= 0:
				fmt.Fprintf(&b, "- `%s` at offset %d: %s\n", mdCode(e.Path), e.Offset, mdInline(e.Message))
			case e.Path != "":
				fmt.Fprintf(&b, "- `%s`: %s\n", mdCode(e.Path), mdInline(e.Message))
			default:
				fmt.Fprintf(&b, "- %s\n", mdInline(e.Message))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdHost(b *strings.Builder, h *jsonHost, loc *time.Location) {
	bi := &h.Bundle
	name := bi.Host
	if name == "" {
		name = "(unknown host)"
	}
	fmt.Fprintf(b, "\n## Host %s\n\n", mdInline(name))
	b.WriteString("| | |\n| --- | --- |\n")
	row := func(k, v, src string) {
		if src != "" {
			v += " (" + src + ")"
		}
		fmt.Fprintf(b, "| %s | %s |\n", k, mdCell(v))
	}
	row("Bundle", bi.Path+" ["+bi.Kind+"]", "")
	row("Host", orDash(bi.Host), sourceOf(bi, "host"))
	row("ESXi version", orDash(bi.Version), sourceOf(bi, "version"))
	row("ESXi build", orDash(bi.Build), sourceOf(bi, "build"))
	if bi.CollectedAt != "" {
		row("Collected", fmtTime(parseJSONTime(bi.CollectedAt), loc), sourceOf(bi, "collected_at"))
	}
	if h.First != "" {
		row("Span", fmtSpan(parseJSONTime(h.First), parseJSONTime(h.Last), loc), "")
	}
	row("Read", fmt.Sprintf("%s files, %s, %s lines", commas(int64(h.Files)), humanBytes(h.Bytes), commas(h.Lines)), "")
	var unparsed int64
	for _, u := range h.Unparsed {
		unparsed += u.Count
	}
	row("Unparsed lines", commas(unparsed), "")
	counts := map[string]int{}
	for _, f := range h.Findings {
		counts[f.Severity]++
	}
	row("Findings", severityCounts(counts), "")

	for i := range h.Findings {
		mdFinding(b, &h.Findings[i], loc)
	}
	if len(h.Devices) > 0 {
		b.WriteString("\n### SCSI status per device\n\n| Device | Class | Count | First | Last |\n| --- | --- | ---: | --- | --- |\n")
		for _, d := range h.Devices {
			first, last := parseJSONTime(d.First), parseJSONTime(d.Last)
			cls := "`" + mdCode(d.Class) + "`"
			if d.ClassTitle != "" {
				cls += " " + mdCell(d.ClassTitle)
			}
			fmt.Fprintf(b, "| `%s` | %s | %d | %s | %s |\n", mdCode(d.Device), cls, d.Count, fmtTime(first, loc), fmtTime(last, loc))
		}
	}
	if len(h.Unparsed) > 0 {
		b.WriteString("\n### Unparsed lines\n\n| File | Kind | Lines | Sample |\n| --- | --- | ---: | --- |\n")
		for _, u := range h.Unparsed {
			fmt.Fprintf(b, "| `%s` | %s | %d | %s |\n", mdCode(u.Path), u.Kind, u.Count, mdCellCode(u.Sample))
		}
	}
	b.WriteString("\n### Rules\n\n")
	var clear []string
	var ne []jsonStatus
	fired := 0
	for _, s := range h.Rules {
		switch s.State {
		case "clear":
			clear = append(clear, "`"+s.RuleID+"`")
		case "fired":
			fired++
		default:
			ne = append(ne, s)
		}
	}
	fmt.Fprintf(b, "%d fired, %d clear, %d not evaluable.\n", fired, len(clear), len(ne))
	if len(clear) > 0 {
		fmt.Fprintf(b, "\nClear: %s\n", strings.Join(clear, ", "))
	}
	if len(ne) > 0 && len(ne) == len(h.Rules) {
		b.WriteString("\nNo rule could be evaluated: the input holds no log or command output esxdiag knows.\n")
	} else if len(ne) > 0 {
		b.WriteString("\n| Not evaluable | Reason |\n| --- | --- |\n")
		for _, g := range groupNotEvaluable(ne) {
			fmt.Fprintf(b, "| `%s` | %s |\n", g.Label, mdCell(g.Reason))
		}
	}
}

func mdFinding(b *strings.Builder, f *jsonFinding, loc *time.Location) {
	title := f.Title
	if f.Object != "" && !strings.Contains(title, f.Object) {
		title += ": " + f.Object
	}
	fmt.Fprintf(b, "\n### %s: %s\n\n", strings.ToUpper(f.Severity), mdInline(title))
	fmt.Fprintf(b, "%s\n\n", mdInline(f.Summary))
	meta := []string{"rule `" + f.RuleID + "`", fmt.Sprintf("seen %s×", commas(int64(f.Count)))}
	if f.First != "" {
		meta = append(meta, fmtSpan(parseJSONTime(f.First), parseJSONTime(f.Last), loc))
	}
	if f.Object != "" {
		meta = append(meta, "object `"+mdCode(f.Object)+"`")
	}
	meta = append(meta, "fingerprint `"+f.Fingerprint+"`")
	fmt.Fprintf(b, "%s\n", strings.Join(meta, " · "))
	if len(f.Facts) > 0 {
		keys := make([]string, 0, len(f.Facts))
		for k := range f.Facts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = "`" + mdCode(k+"="+f.Facts[k]) + "`"
		}
		fmt.Fprintf(b, "\nFacts: %s\n", strings.Join(parts, ", "))
	}
	if len(f.Evidence) > 0 {
		b.WriteString("\n**Evidence**\n\n")
		fence := "```"
		for _, e := range f.Evidence {
			for strings.Contains(e.Text, fence) {
				fence += "`"
			}
		}
		b.WriteString(fence + "text\n")
		for _, e := range f.Evidence {
			where := e.Path + ":" + strconv.FormatInt(e.Line, 10)
			if e.Time != "" {
				where += "  " + fmtTime(parseJSONTime(e.Time), loc)
			}
			fmt.Fprintf(b, "# %s\n%s\n", where, strings.TrimRight(e.Text, "\n"))
		}
		b.WriteString(fence + "\n")
		if f.Count > len(f.Evidence) {
			fmt.Fprintf(b, "\n… %s more occurrences not shown.\n", commas(int64(f.Count-len(f.Evidence))))
		}
	}
	if len(f.Remediation) > 0 {
		b.WriteString("\n**Remediation**\n\n")
		for i, s := range f.Remediation {
			fmt.Fprintf(b, "%d. %s\n", i+1, mdInline(s))
		}
	}
	if len(f.KB) > 0 {
		b.WriteString("\n**KB**\n\n")
		for _, k := range f.KB {
			label := kbLabel(k)
			if k.URL != "" {
				label = "[" + label + "](" + k.URL + ")"
			}
			fmt.Fprintf(b, "- %s: %s\n", label, mdInline(k.Title))
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// mdInline escapes the characters that would start Markdown markup inside
// running text.
func mdInline(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCell is mdInline for a table cell (pipes escaped too).
func mdCell(s string) string { return mdInline(s) }

// mdCode makes s safe inside a single-backtick code span.
func mdCode(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(oneLine(s), "`", "'"), "|", "\\|")
}

func mdCellCode(s string) string {
	if s == "" {
		return "-"
	}
	return "`" + mdCode(s) + "`"
}
