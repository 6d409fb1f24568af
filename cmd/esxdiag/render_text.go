package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"

	"github.com/esxdiag/esxdiag/parser"
)

// defaultWidth is the text report width when stdout is not a terminal.
const defaultWidth = 100

// minWidth keeps the layout sane on absurdly narrow terminals.
const minWidth = 40

// textOptions tunes the text and Markdown renderers.
type textOptions struct {
	Width int            // columns; <= 0 means defaultWidth
	Loc   *time.Location // display zone (--tz); nil = UTC
	Color bool           // style with lipgloss (stdout is a terminal and NO_COLOR unset)
	// Renderer is the lipgloss renderer of the output when Color is set.
	Renderer *lipgloss.Renderer
}

func (o textOptions) width() int {
	w := o.Width
	if w <= 0 {
		w = defaultWidth
	}
	if w < minWidth {
		w = minWidth
	}
	return w
}

func (o textOptions) loc() *time.Location {
	if o.Loc == nil {
		return time.UTC
	}
	return o.Loc
}

// textStyles holds the few styles of the text report. With color off every
// style is the identity, so the plain report carries no escape sequence.
type textStyles struct {
	on                      bool
	title, dim, label, code lipgloss.Style
	sev                     map[string]lipgloss.Style
}

func newTextStyles(o textOptions) textStyles {
	if !o.Color {
		return textStyles{}
	}
	r := o.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	return textStyles{
		on:    true,
		title: r.NewStyle().Bold(true),
		dim:   r.NewStyle().Faint(true),
		label: r.NewStyle().Bold(true),
		code:  r.NewStyle().Foreground(lipgloss.Color("6")),
		sev: map[string]lipgloss.Style{
			"critical": r.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("1")),
			"error":    r.NewStyle().Bold(true).Foreground(lipgloss.Color("1")),
			"warning":  r.NewStyle().Bold(true).Foreground(lipgloss.Color("3")),
			"info":     r.NewStyle().Foreground(lipgloss.Color("4")),
		},
	}
}

func (s textStyles) apply(st lipgloss.Style, text string) string {
	if !s.on || text == "" {
		return text
	}
	return st.Render(text)
}

func (s textStyles) severity(name, text string) string {
	if !s.on {
		return text
	}
	st, ok := s.sev[name]
	if !ok {
		return text
	}
	return st.Render(text)
}

// textWriter accumulates lines; every line it is given must already fit.
type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) line(s string) {
	if t.err != nil {
		return
	}
	_, t.err = io.WriteString(t.w, strings.TrimRight(s, " ")+"\n")
}

// renderText writes the human report.
func renderText(w io.Writer, r *jsonReport, o textOptions) error {
	tw := &textWriter{w: w}
	st := newTextStyles(o)
	W := o.width()
	loc := o.loc()

	tw.line(st.apply(st.title, truncate("esxdiag report: "+strings.Join(r.Inputs, ", "), W)))
	tw.line(truncate(fmt.Sprintf("Times shown in %s. Findings: %s.", zoneName(loc), severityCounts(r.Summary.BySeverity)), W))
	for _, n := range r.Notes {
		for _, l := range wrap("Note: "+n, W, "      ") {
			tw.line(l)
		}
	}
	if len(r.Hosts) == 0 {
		tw.line("")
		tw.line("No host bundle found in the input.")
	}
	for i := range r.Hosts {
		tw.line("")
		renderTextHost(tw, &r.Hosts[i], st, W, loc)
	}
	if len(r.ReadErrors) > 0 {
		tw.line("")
		tw.line(st.apply(st.label, fmt.Sprintf("Errors while reading (%d)", len(r.ReadErrors))))
		for _, e := range r.ReadErrors {
			// Break, never cut, a long virtual path: the error must name
			// the file in full.
			for _, l := range wrap(breakLong(readErrorText(e), W-6), W-2, "    ") {
				tw.line("  " + l)
			}
		}
	}
	return tw.err
}

func renderTextHost(tw *textWriter, h *jsonHost, st textStyles, W int, loc *time.Location) {
	b := &h.Bundle
	name := b.Host
	if name == "" {
		name = "(unknown host)"
	}
	head := "── Host " + name + " "
	if n := W - utf8.RuneCountInString(head); n > 0 {
		head += strings.Repeat("─", n)
	}
	tw.line(st.apply(st.title, truncate(head, W)))

	kv := func(label, value, source string) {
		v := value
		if source != "" {
			v += " (" + source + ")"
		}
		for i, l := range wrap(v, W-11, "") {
			if i == 0 {
				tw.line(st.apply(st.label, fmt.Sprintf("%-10s", label)) + " " + l)
			} else {
				tw.line(strings.Repeat(" ", 11) + l)
			}
		}
	}
	kv("Bundle", b.Path+" ["+b.Kind+"]", "")
	if b.Host != "" {
		kv("Host", b.Host, sourceOf(b, "host"))
	}
	ver := b.Version
	if ver == "" {
		ver = "unknown version"
	}
	if b.Build != "" {
		ver += " build " + b.Build
	}
	var srcs []string
	if s := sourceOf(b, "version"); s != "" {
		srcs = append(srcs, s)
	}
	if s := sourceOf(b, "build"); s != "" && (len(srcs) == 0 || s != srcs[0]) {
		srcs = append(srcs, s)
	}
	kv("ESXi", ver, strings.Join(srcs, "; "))
	if b.CollectedAt != "" {
		kv("Collected", fmtTime(parseJSONTime(b.CollectedAt), loc), sourceOf(b, "collected_at"))
	}
	if h.First != "" {
		kv("Span", fmtSpan(parseJSONTime(h.First), parseJSONTime(h.Last), loc), "")
	} else {
		kv("Span", "no timed line", "")
	}
	kv("Read", fmt.Sprintf("%s files, %s, %s lines", commas(int64(h.Files)), humanBytes(h.Bytes), commas(h.Lines)), "")
	if len(h.Unparsed) == 0 {
		kv("Unparsed", "0 lines", "")
	} else {
		var total int64
		for _, u := range h.Unparsed {
			total += u.Count
		}
		kv("Unparsed", fmt.Sprintf("%s lines in %d file(s) look like a known log format but did not parse", commas(total), len(h.Unparsed)), "")
		for _, u := range h.Unparsed {
			tw.line(truncate(fmt.Sprintf("%11s%s [%s]: %s", "", u.Path, u.Kind, commas(u.Count)), W))
			if u.Sample != "" {
				tw.line(strings.Repeat(" ", 13) + truncate(u.Sample, W-13))
			}
		}
	}
	counts := map[string]int{}
	for _, f := range h.Findings {
		counts[f.Severity]++
	}
	kv("Findings", severityCounts(counts), "")

	for i := range h.Findings {
		tw.line("")
		renderTextFinding(tw, &h.Findings[i], st, W, loc)
	}
	if len(h.Devices) > 0 {
		tw.line("")
		renderTextDevices(tw, h.Devices, st, W, loc)
	}
	renderTextStatuses(tw, h.Rules, st, W)
}

func renderTextFinding(tw *textWriter, f *jsonFinding, st textStyles, W int, loc *time.Location) {
	tag := strings.ToUpper(f.Severity)
	title := f.Title
	if f.Object != "" && !strings.Contains(title, f.Object) {
		// Several findings of one rule differ only by their object.
		title += ": " + f.Object
	}
	lines := wrap(title+"  ["+f.RuleID+"]", W-len(tag)-2, "")
	for i, l := range lines {
		if i == 0 {
			tw.line(st.severity(f.Severity, tag) + "  " + st.apply(st.title, l))
		} else {
			tw.line(strings.Repeat(" ", len(tag)+2) + st.apply(st.title, l))
		}
	}
	const ind = "  "
	for _, l := range wrap(f.Summary, W-len(ind), "") {
		tw.line(ind + l)
	}
	meta := []string{fmt.Sprintf("seen %s×", commas(int64(f.Count)))}
	if f.First != "" {
		meta = append(meta, fmtSpan(parseJSONTime(f.First), parseJSONTime(f.Last), loc))
	}
	meta = append(meta, "fingerprint "+f.Fingerprint) // the object is in the heading
	for _, l := range wrap(strings.Join(meta, " · "), W-len(ind), "") {
		tw.line(ind + st.apply(st.dim, l))
	}
	if len(f.Facts) > 0 {
		keys := make([]string, 0, len(f.Facts))
		for k := range f.Facts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + f.Facts[k]
		}
		for _, l := range wrap("facts: "+strings.Join(parts, ", "), W-len(ind), "  ") {
			tw.line(ind + l)
		}
	}
	if len(f.Evidence) > 0 {
		tw.line(ind + st.apply(st.label, "Evidence"))
		for _, e := range f.Evidence {
			// The time and the file name matter more than the archive
			// chain in front of it: cut the path from the left.
			when := ""
			if e.Time != "" {
				when = "  " + fmtTime(parseJSONTime(e.Time), loc)
			}
			where := truncateLeft(e.Path+":"+strconv.FormatInt(e.Line, 10), W-4-utf8.RuneCountInString(when)) + when
			tw.line("    " + st.apply(st.dim, where))
			for _, l := range evidenceLines(e.Text, W-6) {
				tw.line("      " + st.apply(st.code, l))
			}
		}
		if f.Count > len(f.Evidence) {
			tw.line("    " + st.apply(st.dim, fmt.Sprintf("… %s more occurrences not shown", commas(int64(f.Count-len(f.Evidence))))))
		}
	}
	if len(f.Remediation) > 0 {
		tw.line(ind + st.apply(st.label, "Remediation"))
		for i, step := range f.Remediation {
			num := fmt.Sprintf("    %d. ", i+1)
			pad := strings.Repeat(" ", len(num))
			for j, l := range wrap(step, W-len(num), "") {
				if j == 0 {
					tw.line(num + l)
				} else {
					tw.line(pad + l)
				}
			}
		}
	}
	if len(f.KB) > 0 {
		tw.line(ind + st.apply(st.label, "KB"))
		for _, k := range f.KB {
			for _, l := range wrap(kbLabel(k)+": "+k.Title, W-4, "  ") {
				tw.line("    " + l)
			}
			if k.URL != "" {
				tw.line("      " + truncate(k.URL, W-6))
			}
		}
	}
}

func renderTextDevices(tw *textWriter, rows []jsonDevice, st textStyles, W int, loc *time.Location) {
	// One row per device and class, the full device id first (engineers
	// paste it into esxcli), then the class title and the time span on
	// an indented second line so that a 36-character NAA id always fits.
	tw.line(st.apply(st.label, "SCSI status per device"))
	devW, clsW, cntW := len("DEVICE"), len("CLASS"), len("COUNT")
	for _, d := range rows {
		devW = max(devW, utf8.RuneCountInString(d.Device))
		clsW = max(clsW, utf8.RuneCountInString(d.Class))
		cntW = max(cntW, len(commas(int64(d.Count))))
	}
	// Past the width, cut the class id, then the device id (keeping both ends).
	if over := 2 + devW + 2 + clsW + 2 + cntW - W; over > 0 {
		clsW = max(clsW-over, 8)
	}
	if over := 2 + devW + 2 + clsW + 2 + cntW - W; over > 0 {
		devW = max(devW-over, 8)
	}
	row := func(dev, cls, cnt string) string {
		dev, cls = truncateMiddle(dev, devW), truncate(cls, clsW)
		return truncate(fmt.Sprintf("  %s%s  %s%s  %*s", dev, strings.Repeat(" ", devW-utf8.RuneCountInString(dev)),
			cls, strings.Repeat(" ", clsW-utf8.RuneCountInString(cls)), cntW, cnt), W)
	}
	tw.line(st.apply(st.dim, row("DEVICE", "CLASS", "COUNT")))
	for _, d := range rows {
		tw.line(row(d.Device, d.Class, commas(int64(d.Count))))
		detail := deviceDetail(d.ClassTitle, fmtSpan(parseJSONTime(d.First), parseJSONTime(d.Last), loc))
		tw.line(st.apply(st.dim, "    "+truncate(detail, W-4)))
	}
}

// deviceDetail is the second line of a per-device row: the class title and
// the time span, without a bare "-" when the lines had no time (a pasted
// snippet of year-less syslog lines).
func deviceDetail(title, span string) string {
	switch {
	case span == "-" || span == "":
		return title
	case title == "":
		return span
	}
	return title + " · " + span
}

// evidenceText is the evidence line as shown in the text report: the whole
// line when it fits in w, else the message after the log header (the time
// is on the line above and the file names the log), so that the device,
// status or error survives the cut.
func evidenceText(text string, w int) string {
	full := oneLine(text)
	if utf8.RuneCountInString(full) <= w {
		return full
	}
	var h parser.Header
	if parser.ParseHeader([]byte(text), time.Time{}, &h) {
		if body := strings.TrimSpace(oneLine(string(h.Body))); body != "" {
			return body
		}
	}
	return full
}

// evidenceMaxLines bounds how many screen lines one evidence line may take.
const evidenceMaxLines = 3

// evidenceLines wraps one evidence line into at most evidenceMaxLines lines
// of width w. The end of a vmkernel line carries what the engineer needs
// (H:/D:/P: status, sense bytes, the error text), so when the line is still
// too long the middle is dropped, never the end: the first line is kept and
// the last line shows the tail behind an ellipsis.
func evidenceLines(text string, w int) []string {
	body := evidenceText(text, w)
	lines := wrap(body, w, "  ")
	if len(lines) <= evidenceMaxLines {
		return lines
	}
	out := append([]string(nil), lines[:evidenceMaxLines-1]...)
	rest := make([]string, 0, len(lines)-len(out))
	for _, l := range lines[len(out):] {
		rest = append(rest, strings.TrimSpace(l))
	}
	return append(out, "  "+truncateLeft(strings.Join(rest, " "), w-2))
}

func renderTextStatuses(tw *textWriter, sts []jsonStatus, st textStyles, W int) {
	var clear, fired []string
	var ne []jsonStatus
	for _, s := range sts {
		switch s.State {
		case "clear":
			clear = append(clear, s.RuleID)
		case "fired":
			fired = append(fired, s.RuleID)
		default:
			ne = append(ne, s)
		}
	}
	tw.line("")
	tw.line(st.apply(st.label, fmt.Sprintf("Rules: %d fired, %d clear, %d not evaluable", len(fired), len(clear), len(ne))))
	if len(clear) > 0 {
		for _, l := range wrap("Clear: "+strings.Join(clear, ", "), W-2, "  ") {
			tw.line("  " + l)
		}
	}
	if len(ne) > 0 && len(ne) == len(sts) {
		// Listing every rule says nothing more than this.
		for _, l := range wrap("No rule could be evaluated: the input holds no log or command output esxdiag knows.", W-2, "  ") {
			tw.line("  " + l)
		}
	} else if len(ne) > 0 {
		tw.line("  Not evaluable:")
		for _, g := range groupNotEvaluable(ne) {
			for _, l := range wrap(g.Label+": "+g.Reason, W-4, "  ") {
				tw.line("    " + l)
			}
		}
	}
}

func sourceOf(b *jsonBundle, field string) string {
	if s := b.Sources[field]; s != "" {
		return "from " + s
	}
	return ""
}

func kbLabel(k jsonKB) string {
	v := k.Vendor
	switch v {
	case "vmware":
		v = "VMware"
	case "netapp":
		v = "NetApp"
	case "broadcom":
		v = "Broadcom"
	}
	return v + " KB " + k.Number
}

var severityOrder = []string{"critical", "error", "warning", "info"}

// sevRank orders severity names; unknown names rank below info.
func sevRank(s string) int {
	switch s {
	case "info":
		return 0
	case "warning":
		return 1
	case "error":
		return 2
	case "critical":
		return 3
	}
	return -1
}

func severityCounts(m map[string]int) string {
	parts := make([]string, 0, 4)
	total := 0
	for _, s := range severityOrder {
		parts = append(parts, fmt.Sprintf("%d %s", m[s], s))
		total += m[s]
	}
	if total == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func zoneName(loc *time.Location) string {
	if loc == time.UTC {
		return "UTC"
	}
	return loc.String()
}

func fmtTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04:05")
}

// fmtLast shortens last against first: only the clock on the same day.
func fmtLast(first, last time.Time, loc *time.Location) string {
	if last.IsZero() {
		return "-"
	}
	f, l := first.In(loc), last.In(loc)
	if !first.IsZero() && f.Year() == l.Year() && f.YearDay() == l.YearDay() {
		return l.Format("15:04:05")
	}
	return fmtTime(last, loc)
}

func fmtSpan(first, last time.Time, loc *time.Location) string {
	if first.IsZero() {
		return "-"
	}
	f := fmtTime(first, loc)
	if last.IsZero() || fmtTime(last, loc) == f {
		return f // same second as displayed
	}
	return f + " → " + fmtLast(first, last, loc)
}

func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// oneLine replaces control characters (tabs, CR, newlines of joined
// records) by spaces so that evidence stays on one display line.
func oneLine(s string) string {
	if strings.IndexFunc(s, isCtl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isCtl(r) {
			return ' '
		}
		return r
	}, s)
}

func isCtl(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }

const ellipsis = "…"

// truncate cuts s to at most w runes. It cuts at the last space that keeps
// at least half the width, so words are not split, and marks the cut with
// an ellipsis; a single token longer than that is cut where it must be.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= w {
		return s
	}
	if w == 1 {
		return ellipsis
	}
	// byte offset of rune w-1 (room for the ellipsis)
	cut, n := 0, 0
	for i := range s {
		if n == w-1 {
			cut = i
			break
		}
		n++
	}
	head := s[:cut]
	if sp := strings.LastIndexByte(head, ' '); sp > 0 && utf8.RuneCountInString(head[:sp]) >= w/2 {
		head = strings.TrimRight(head[:sp], " ")
	}
	return head + ellipsis
}

// truncateLeft keeps the end of s (a path's file name and line matter more
// than the archive chain in front).
func truncateLeft(s string, w int) string {
	n := utf8.RuneCountInString(s)
	if n <= w {
		return s
	}
	if w <= 1 {
		return ellipsis
	}
	skip := n - (w - 1)
	i := 0
	for j := range s {
		if i == skip {
			return ellipsis + s[j:]
		}
		i++
	}
	return ellipsis
}

// truncateMiddle keeps both ends of s.
func truncateMiddle(s string, w int) string {
	r := []rune(s)
	if len(r) <= w {
		return s
	}
	if w <= 1 {
		return ellipsis
	}
	head := (w - 1) / 2
	tail := w - 1 - head
	return string(r[:head]) + ellipsis + string(r[len(r)-tail:])
}

// wrap breaks s into lines of at most w runes at spaces; continuation lines
// start with indent (counted in w). A word longer than a line is truncated
// with an ellipsis rather than split.
// breakLong splits the words of s longer than n runes into n-rune pieces, so
// wrap puts them on lines of their own instead of truncating them.
func breakLong(s string, n int) string {
	if n < 8 {
		n = 8
	}
	words := strings.Fields(oneLine(s))
	for i, w := range words {
		r := []rune(w)
		if len(r) <= n {
			continue
		}
		var b strings.Builder
		for len(r) > n {
			b.WriteString(string(r[:n]))
			b.WriteByte(' ')
			r = r[n:]
		}
		b.WriteString(string(r))
		words[i] = b.String()
	}
	return strings.Join(words, " ")
}

func wrap(s string, w int, indent string) []string {
	s = oneLine(s)
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var out []string
	cur, curN := "", 0
	for _, word := range words {
		prefix := ""
		if len(out) > 0 {
			prefix = indent
		}
		avail := w - utf8.RuneCountInString(prefix)
		if avail < 1 {
			avail = 1
		}
		wn := utf8.RuneCountInString(word)
		if curN == 0 {
			word = truncate(word, avail)
			cur, curN = prefix+word, min(wn, avail)
			continue
		}
		if curN+1+wn <= avail {
			cur += " " + word
			curN += 1 + wn
			continue
		}
		out = append(out, cur)
		prefix = indent
		avail = max(w-utf8.RuneCountInString(prefix), 1)
		word = truncate(word, avail)
		cur, curN = prefix+word, min(wn, avail)
	}
	return append(out, cur)
}
