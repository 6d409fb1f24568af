package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/rules"
)

// maxSnippet is the most stdin text `analyze -` treats as a pasted snippet
// (read whole, typographic quotes and signs normalised). More is a log piped
// in: it is streamed through bundles like a file, so memory stays bounded
// (reading 200 MB of stdin whole took 840 MB of RSS). A compressed or
// archived stdin is always streamed.
const maxSnippet = 4 << 20

type analyzeFlags struct {
	format   string
	output   string
	minSev   string
	failOn   string
	since    string
	until    string
	rules    []string
	devices  []string
	rulesDir string
	tz       string
	quiet    bool
	width    int
	maxEv    int
	workers  int
	maxTotal string
	maxRatio int
}

func newAnalyzeCmd() *cobra.Command {
	var f analyzeFlags
	cmd := &cobra.Command{
		Use:   "analyze PATH|- [PATH...]",
		Short: "Analyze support bundles, logs or a pasted snippet and report what went wrong",
		Long: `Analyze reads each PATH (an ESXi vm-support .tgz, a vCenter log export .zip
holding several host bundles, an extracted folder, a single log or a .gz log)
or "-" for stdin (a pasted snippet, or a piped archive), runs the rule catalog
and prints the findings: evidence, remediation steps and KB references.

Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,
2 usage error or unreadable input, 3 nothing recognised in the input.`,
		Example: `  esxdiag analyze esx-host1-2024-03-07--10.15.tgz
  esxdiag analyze --format json --output report.json vc-export.zip
  pbpaste | esxdiag analyze -
  esxdiag analyze --min-severity warning --since 2h --device naa.600a0980 bundle.tgz`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAnalyze(cmd, args, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "text", "output format: text, json or markdown")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to `FILE` instead of stdout")
	fl.StringVar(&f.minSev, "min-severity", "info", "hide findings below this severity (info, warning, error, critical)")
	fl.StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity (info, warning, error, critical, none)")
	fl.StringVar(&f.since, "since", "", "only lines at or after `TIME`: RFC 3339, a date, or a duration back from the bundle's collection time (2h, 3d)")
	fl.StringVar(&f.until, "until", "", "only lines at or before `TIME` (same forms as --since)")
	fl.StringArrayVar(&f.rules, "rule", nil, "only this rule `ID` (repeatable)")
	fl.StringArrayVar(&f.devices, "device", nil, "only findings about this `DEVICE` (substring, case-insensitive; repeatable)")
	fl.StringVar(&f.rulesDir, "rules", "", "also load the *.toml user rules of `DIR` (same id overrides a built-in rule)")
	fl.StringVar(&f.tz, "tz", "UTC", "show times in `ZONE` (IANA name or Local); JSON stays UTC")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress bar")
	fl.IntVar(&f.width, "width", 0, "text report width in columns (default: terminal width, or 100)")
	fl.IntVar(&f.maxEv, "max-evidence", 0, "evidence lines per finding (default 10)")
	fl.IntVar(&f.workers, "workers", 0, "goroutines (default: number of CPUs)")
	fl.StringVar(&f.maxTotal, "max-total", "", "decompression bomb cap: stop reading an input after `SIZE` of uncompressed bytes (e.g. 200GB; default 64GiB)")
	fl.IntVar(&f.maxRatio, "max-ratio", 0, "decompression bomb cap: largest expansion `RATIO` of one compressed member (default 1000)")
	return cmd
}

// analysis is one input analysed.
type analysis struct {
	input  string
	inputs []string // the paths of a multi-input run (input joins them)
	report *rules.Report
}

func runAnalyze(cmd *cobra.Command, args []string, f *analyzeFlags) error {
	switch f.format {
	case "text", "json", "markdown", "md":
	default:
		return usageErrorf("analyze: --format %q: want text, json or markdown", f.format)
	}
	minSev, err := rules.ParseSeverity(f.minSev)
	if err != nil {
		return usageErrorf("analyze: --min-severity: %v", err)
	}
	failOn := strings.ToLower(strings.TrimSpace(f.failOn))
	if failOn != "none" {
		s, err := rules.ParseSeverity(failOn)
		if err != nil {
			return usageErrorf("analyze: --fail-on: %v (or none)", err)
		}
		failOn = s.String()
	}
	since, err := parseTimeSpec(f.since)
	if err != nil {
		return usageErrorf("analyze: --since: %v", err)
	}
	until, err := parseTimeSpec(f.until)
	if err != nil {
		return usageErrorf("analyze: --until: %v", err)
	}
	if !since.abs.IsZero() && !until.abs.IsZero() && since.abs.After(until.abs) {
		return usageErrorf("analyze: --since %s is after --until %s", f.since, f.until)
	}
	loc, err := loadZone(f.tz)
	if err != nil {
		return usageErrorf("analyze: --tz: %v", err)
	}
	if f.width < 0 {
		return usageErrorf("analyze: --width must not be negative")
	}
	if f.maxRatio < 0 {
		return usageErrorf("analyze: --max-ratio must not be negative")
	}
	bopts := bundles.Options{MaxRatio: f.maxRatio}
	if f.maxTotal != "" {
		if bopts.MaxTotal, err = parseByteSize(f.maxTotal); err != nil {
			return usageErrorf("analyze: --max-total: %v", err)
		}
	}
	catalog, err := loadCatalog(f.rulesDir)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, ri := range catalog.Rules() {
		known[ri.ID] = true
	}
	for _, id := range f.rules {
		if !known[id] {
			return usageErrorf("analyze: --rule %q: no such rule (see esxdiag rules)", id)
		}
	}
	stdin := 0
	for _, a := range args {
		if a == "-" {
			stdin++
			continue
		}
		// Fail before any work on an input that cannot be opened at all.
		fh, err := os.Open(a)
		if err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("analyze: %w", err)}
		}
		fh.Close()
	}
	if stdin > 1 {
		return usageErrorf("analyze: stdin (-) given more than once")
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()

	stderr := cmd.ErrOrStderr()
	showProgress := !f.quiet && isTerminal(stderr)
	opts := rules.Options{
		Workers:     f.workers,
		MaxEvidence: f.maxEv,
		Catalog:     catalog,
		Since:       since.abs,
		Until:       until.abs,
	}
	var runs []analysis
	if len(args) > 1 && stdin == 0 {
		// Several files are one case (an ESXi bundle and the filer's
		// messages, hosts of one cluster): one engine run over all of them,
		// so the correlation rules see both sides.
		o := opts
		if showProgress {
			o.Progress = newProgressBar(stderr, fmt.Sprintf("%d inputs", len(args))).update
		}
		rep, err := analyzeMany(ctx, args, o, bopts)
		if err != nil {
			return err
		}
		names := make([]string, len(args))
		for i, a := range args {
			names[i] = displayName(a)
		}
		runs = append(runs, analysis{input: strings.Join(names, ", "), inputs: names, report: rep})
		args = nil
	}
	for _, a := range args {
		o := opts
		if showProgress {
			o.Progress = newProgressBar(stderr, displayName(a)).update
		}
		rep, err := analyzeOne(ctx, cmd.InOrStdin(), a, o, bopts)
		if err != nil {
			return err
		}
		runs = append(runs, analysis{input: displayName(a), report: rep})
	}

	filt := filterSpec{MinSeverity: minSev.String(), FailOn: failOn, Since: since, Until: until, Rules: f.rules, Devices: f.devices}
	now := time.Now().UTC()
	jr := mergeReports(runs, filt.toJSON(now))
	filt.apply(jr, now)

	out := cmd.OutOrStdout()
	var file *os.File
	if f.output != "" {
		file, err = os.Create(f.output)
		if err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("analyze: --output: %w", err)}
		}
		out = file
	}
	to := textOptions{Width: f.width, Loc: loc}
	if file == nil && f.format == "text" && isTerminal(out) && os.Getenv("NO_COLOR") == "" {
		to.Color = true
		to.Renderer = lipgloss.NewRenderer(out)
	}
	if to.Width == 0 && file == nil {
		to.Width = terminalWidth(out)
	}
	if f.format != "json" {
		sanitizeStrings(jr) // names and lines from the input must not drive the terminal
	}
	switch f.format {
	case "json":
		err = renderJSON(out, jr)
	case "markdown", "md":
		err = renderMarkdown(out, jr, to)
	default:
		err = renderText(out, jr, to)
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("analyze: writing report: %w", err)
	}
	return exitFor(jr, failOn)
}

// exitFor maps a rendered report to the process status.
func exitFor(jr *jsonReport, failOn string) error {
	if failed(jr, failOn) {
		return &exitError{code: exitFindings, err: fmt.Errorf("%d finding(s), highest %s (--fail-on %s)", jr.Summary.Findings, jr.Summary.Highest, failOn)}
	}
	if !jr.Summary.Recognised {
		// Name the input and the first problem, so stderr alone says what
		// went wrong where (the report may go to a file).
		inputs := strings.Join(jr.Inputs, ", ")
		if jr.unreadable > 0 {
			first := jr.ReadErrors[0]
			for _, e := range jr.ReadErrors {
				if !benignReadError(e.Message) {
					first = e
					break
				}
			}
			return &exitError{code: exitUsage, err: fmt.Errorf("%s: input unreadable: %s (see the errors at the end of the report)", inputs, cleanTerm(readErrorText(first)))}
		}
		why := "no known log file, no parsed line"
		if len(jr.ReadErrors) > 0 {
			why = cleanTerm(readErrorText(jr.ReadErrors[0]))
		}
		return &exitError{code: exitUnrecognised, err: fmt.Errorf("%s: nothing recognised in the input (%s)", inputs, why)}
	}
	return nil
}

// analyzeOne runs the engine over one argument.
func analyzeOne(ctx context.Context, stdin io.Reader, arg string, opts rules.Options, bopts bundles.Options) (*rules.Report, error) {
	bopts.Workers = opts.Workers
	if arg == "-" {
		head, rest, err := sniffStdin(stdin)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("analyze: reading stdin: %w", err)}
		}
		if isArchive(head) {
			src, err := bundles.OpenReader(ctx, "stdin", rest, bopts)
			if err != nil {
				return nil, &exitError{code: exitUsage, err: fmt.Errorf("analyze: stdin: %w", err)}
			}
			return analyzeSource(ctx, src, opts)
		}
		text, err := io.ReadAll(io.LimitReader(rest, maxSnippet+1))
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("analyze: reading stdin: %w", err)}
		}
		if len(text) > maxSnippet {
			src, err := bundles.OpenReader(ctx, "-", io.MultiReader(bytes.NewReader(text), rest), bopts)
			if err != nil {
				return nil, &exitError{code: exitUsage, err: fmt.Errorf("analyze: stdin: %w", err)}
			}
			text = nil // the walk holds its own buffers
			rep, err := analyzeSource(ctx, src, opts)
			if err != nil {
				return nil, err
			}
			rep.Notes = append(rep.Notes, fmt.Sprintf("stdin holds more than %d MiB of text: read as a log stream, without the snippet clean-up of typographic quotes", maxSnippet>>20))
			return rep, nil
		}
		rep, err := rules.AnalyzeText(ctx, "stdin", text, opts)
		if err != nil {
			return nil, fmt.Errorf("analyze: stdin: %w", err)
		}
		return rep, nil
	}
	src, err := bundles.Open(ctx, arg, bopts)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: fmt.Errorf("analyze: %w", err)}
	}
	return analyzeSource(ctx, src, opts)
}

// analyzeMany opens every path and analyzes them together with
// rules.AnalyzeSources (one report; correlation across inputs).
func analyzeMany(ctx context.Context, paths []string, opts rules.Options, bopts bundles.Options) (*rules.Report, error) {
	bopts.Workers = opts.Workers
	srcs := make([]*bundles.Source, 0, len(paths))
	defer func() {
		for _, s := range srcs {
			s.Close()
		}
	}()
	for _, p := range paths {
		src, err := bundles.Open(ctx, p, bopts)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("analyze: %w", err)}
		}
		srcs = append(srcs, src)
	}
	rep, err := rules.AnalyzeSources(ctx, srcs, opts)
	if err != nil {
		return nil, fmt.Errorf("analyze: %s: %w", strings.Join(paths, ", "), err)
	}
	return rep, nil
}

func analyzeSource(ctx context.Context, src *bundles.Source, opts rules.Options) (*rules.Report, error) {
	defer src.Close()
	rep, err := rules.Analyze(ctx, src, opts)
	if err != nil {
		return nil, fmt.Errorf("analyze: %s: %w", src.Name(), err)
	}
	return rep, nil
}

// sniffStdin returns the first bytes of r and a reader that still yields all of r.
func sniffStdin(r io.Reader) ([]byte, io.Reader, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, nil, err
	}
	head = head[:n]
	return head, io.MultiReader(bytes.NewReader(head), r), nil
}

// isArchive recognises gzip, zip, zstd, bzip2 and tar by their magic bytes.
func isArchive(h []byte) bool {
	switch {
	case bytes.HasPrefix(h, []byte{0x1f, 0x8b}),
		bytes.HasPrefix(h, []byte("PK\x03\x04")),
		bytes.HasPrefix(h, []byte{0x28, 0xb5, 0x2f, 0xfd}),
		bytes.HasPrefix(h, []byte("BZh")):
		return true
	case len(h) >= 262 && string(h[257:262]) == "ustar":
		return true
	}
	return false
}

func displayName(arg string) string {
	if arg == "-" {
		return "stdin"
	}
	return arg
}

func loadZone(name string) (*time.Location, error) {
	switch strings.ToLower(name) {
	case "", "utc", "z":
		return time.UTC, nil
	case "local":
		return time.Local, nil
	}
	return time.LoadLocation(name)
}

// loadCatalog returns the built-in catalog merged with the user rules of dir.
func loadCatalog(dir string) (*rules.Catalog, error) {
	c := rules.Builtin()
	if err := c.Err(); err != nil {
		return nil, fmt.Errorf("built-in rules: %w", err)
	}
	if dir == "" {
		return c, nil
	}
	user, err := rules.LoadDir(dir)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: fmt.Errorf("--rules %s: %w", dir, err)}
	}
	c.Merge(user)
	return c, nil
}

func fdOf(w any) (uintptr, bool) {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return 0, false
	}
	return f.Fd(), true
}

func isTerminal(w any) bool {
	fd, ok := fdOf(w)
	return ok && term.IsTerminal(fd)
}

func terminalWidth(w any) int {
	fd, ok := fdOf(w)
	if !ok || !term.IsTerminal(fd) {
		return defaultWidth
	}
	cols, _, err := term.GetSize(fd)
	if err != nil || cols <= 0 {
		return defaultWidth
	}
	return cols
}

// buildJSONReport maps one engine report to the JSON model. f is recorded
// as given (zero = no filtering: min severity info, fail-on error); the
// caller applies filters with filterSpec.apply. It holds no wall-clock time.
func buildJSONReport(inputs []string, r *rules.Report, f jsonFilters) *jsonReport {
	if len(inputs) == 0 && r != nil {
		inputs = []string{r.Input}
	}
	input := ""
	if len(inputs) > 0 {
		input = inputs[0]
	}
	jr := mergeReports([]analysis{{input: input, report: r}}, f)
	jr.Inputs = nonNil(inputs)
	return jr
}

// mergeReports maps the reports of several inputs into one JSON report.
func mergeReports(runs []analysis, f jsonFilters) *jsonReport {
	if f.MinSeverity == "" {
		f.MinSeverity = "info"
	}
	if f.FailOn == "" {
		f.FailOn = "error"
	}
	f.Rules, f.Devices = nonNil(f.Rules), nonNil(f.Devices)
	jr := &jsonReport{
		Schema:     reportSchemaID,
		Inputs:     []string{},
		Filters:    f,
		Hosts:      []jsonHost{},
		ReadErrors: []jsonReadError{},
		Notes:      []string{},
	}
	recognised := false
	for _, run := range runs {
		if len(run.inputs) > 0 {
			jr.Inputs = append(jr.Inputs, run.inputs...)
		} else {
			jr.Inputs = append(jr.Inputs, run.input)
		}
		r := run.report
		if r == nil {
			continue
		}
		jr.Notes = append(jr.Notes, r.Notes...)
		for _, e := range r.ReadErrors {
			jr.ReadErrors = append(jr.ReadErrors, jsonReadError{Input: run.inputFor(e.Path), Path: e.Path, Offset: e.Offset, Message: e.Message})
			if !benignReadError(e.Message) {
				jr.unreadable++
			}
		}
		for i := range r.Hosts {
			h := mapHost(run.inputFor(r.Hosts[i].Bundle.Path), &r.Hosts[i])
			if hostRecognised(&h) {
				recognised = true
			}
			jr.Hosts = append(jr.Hosts, h)
		}
	}
	jr.Summary.Recognised = recognised
	jr.Summary = summarize(jr)
	return jr
}

// benignReadError: an empty input or one of no known format is "nothing
// recognised" (exit 3), not "unreadable" (exit 2). rules.ReadError keeps
// only the message of bundles' sentinel errors, so match on their text.
func benignReadError(msg string) bool {
	return strings.HasSuffix(msg, bundles.ErrEmpty.Error()) || strings.HasSuffix(msg, bundles.ErrUnknownFormat.Error())
}

// hostRecognised: the engine saw a known log (some rule could be
// evaluated) or found something.
func hostRecognised(h *jsonHost) bool {
	if len(h.Findings) > 0 || len(h.Devices) > 0 {
		return true
	}
	if h.Lines == 0 {
		return false
	}
	for _, s := range h.Rules {
		if s.State != rules.StateNotEvaluable {
			return true
		}
	}
	return false
}

func mapHost(input string, h *rules.HostReport) jsonHost {
	b := h.Bundle
	src := map[string]string{}
	for k, v := range b.Sources {
		src[k] = v
	}
	out := jsonHost{
		Input: input,
		Bundle: jsonBundle{
			Path: b.Path, Kind: string(b.Kind), Host: b.Host, Version: b.Version, Build: b.Build,
			CollectedAt: jsonTime(b.CollectedAt), Sources: src,
		},
		Files: h.Files, Bytes: h.Bytes, Lines: h.Lines,
		First: jsonTime(h.First), Last: jsonTime(h.Last),
		Unparsed: make([]jsonUnparsed, 0, len(h.Unparsed)),
		Findings: make([]jsonFinding, 0, len(h.Findings)),
		Rules:    make([]jsonStatus, 0, len(h.Statuses)),
		Devices:  make([]jsonDevice, 0, len(h.Devices)),
	}
	for _, u := range h.Unparsed {
		out.Unparsed = append(out.Unparsed, jsonUnparsed{Path: u.Path, Kind: u.Kind, Count: u.Count, Sample: u.Sample})
	}
	for _, f := range h.Findings {
		jf := jsonFinding{
			RuleID: f.RuleID, Severity: f.Severity.String(), Title: f.Title, Summary: f.Summary,
			Object: f.Object, Fingerprint: f.Fingerprint, Count: f.Count,
			First: jsonTime(f.First), Last: jsonTime(f.Last),
			Evidence:    make([]jsonEvidence, 0, len(f.Evidence)),
			Remediation: nonNil(append([]string(nil), f.Remediation...)),
			KB:          make([]jsonKB, 0, len(f.KB)),
			Facts:       map[string]string{},
		}
		for _, e := range f.Evidence {
			jf.Evidence = append(jf.Evidence, jsonEvidence{Path: e.Path, Line: e.Line, Time: jsonTime(e.Time), Text: e.Text})
		}
		for _, k := range f.KB {
			jf.KB = append(jf.KB, jsonKB{Vendor: k.Vendor, Number: k.Number, Title: k.Title, URL: k.URL})
		}
		for k, v := range f.Facts {
			jf.Facts[k] = v
		}
		out.Findings = append(out.Findings, jf)
	}
	// The engine sorts; sort again so the contract holds whatever it does.
	sort.SliceStable(out.Findings, func(i, j int) bool {
		a, b := &out.Findings[i], &out.Findings[j]
		if ra, rb := sevRank(a.Severity), sevRank(b.Severity); ra != rb {
			return ra > rb
		}
		if a.First != b.First {
			return a.First != "" && (b.First == "" || parseJSONTime(a.First).Before(parseJSONTime(b.First)))
		}
		return false
	})
	for _, s := range h.Statuses {
		out.Rules = append(out.Rules, jsonStatus{RuleID: s.RuleID, State: s.State, Reason: s.Reason})
	}
	for _, d := range h.Devices {
		out.Devices = append(out.Devices, jsonDevice{Device: d.Device, Class: d.Class, ClassTitle: d.ClassTitle, Count: d.Count, First: jsonTime(d.First), Last: jsonTime(d.Last)})
	}
	return out
}

// parseByteSize reads a size such as "200GB", "64GiB", "512M" or "1000000"
// (bytes). K, M, G and T are powers of 1024, as in the tools engineers use
// on bundles (du -h, vdf -h).
func parseByteSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "IB"), "B")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v <= 0 || v > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q: want a positive size such as 200GB, 64GiB or 1000000", s)
	}
	return v * mult, nil
}

// inputFor names the input a virtual path came from: in a multi-input run
// every path starts with its input's name ("vc.zip!esx-….tgz!var/log/…").
func (a analysis) inputFor(path string) string {
	for _, in := range a.inputs {
		if path == in || strings.HasPrefix(path, in+"!") || strings.HasPrefix(path, in+"/") {
			return in
		}
	}
	return a.input
}
