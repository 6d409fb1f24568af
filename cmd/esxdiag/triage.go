package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// triageConfig is everything `esxdiag triage` needs, decoupled from cobra
// so tests drive it directly.
type triageConfig struct {
	Args          []string
	Jobs          int
	Out           string
	Force         bool
	Format        string // text|json|markdown|csv
	FailOn        string // info|warning|error|critical|none
	Watch         string
	Poll          time.Duration
	BundleTimeout time.Duration
	Quiet         bool
	RulesDir      string

	Esxdiag, RulesVersion string // resume key; filled from the build when empty
	Width                 int    // text width; 0 = 100
	Style                 textStyles
	Progress              *triageProgress // nil = silent
	OnAnalyzed            func(path string)
}

func newTriageCmd() *cobra.Command {
	cfg := triageConfig{}
	cmd := &cobra.Command{
		Use:   "triage PATH... | --watch DIR",
		Short: "Triage many bundles in parallel, with a cross-host summary",
		Long: `Triage analyzes every bundle found in the given files, folders (searched
recursively, by content) and globs, several at a time, and prints a summary:
one row per host sorted by severity, then each rule that fired with the hosts
where it fired, grouped by ESXi build. A vCenter zip counts as its hosts.

An ONTAP log (filer messages, event log show output, EMS log; found by
content) is analyzed with every ESXi bundle of the same folder, so their
reports carry the ESXi <-> ONTAP correlation findings, and has a row of its
own named by its node. A new filer log in the folder re-triages its bundles.

With --out DIR every bundle's JSON report (the analyze --format json schema)
is kept in DIR/reports, named by host and content hash, with the summary as
DIR/summary.json; a re-run skips bundles already triaged by the same esxdiag
and rules version unless --force. With --watch DIR, triage keeps running and
triages each bundle uploaded into DIR once it is completely written.

Exit codes: 0 nothing at or above --fail-on, 1 some host has findings at or
above --fail-on, 2 some bundle could not be read at all (or usage error),
3 no bundle found. See docs/triage.md.`,
		Example: `  esxdiag triage /srv/uploads
  esxdiag triage -j 4 --out results 'tickets/*/esx-*.tgz' vc-export.zip
  esxdiag triage --format markdown --fail-on critical /srv/uploads
  esxdiag triage --watch /srv/uploads --out results`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.Args = args
			if (cfg.Watch == "") == (len(args) == 0) {
				return usageErrorf("triage: give PATH... or --watch DIR (not both)")
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if !cfg.Quiet && isTerminal(os.Stderr) {
				cfg.Progress = newTriageProgress(os.Stderr)
			}
			if isTerminal(os.Stdout) {
				cfg.Width = terminalWidth(os.Stdout)
				if os.Getenv("NO_COLOR") == "" {
					cfg.Style = newTextStyles(textOptions{Color: true})
				}
			}
			an, rulesVersion, err := newEngineAnalyzer(cfg)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if cfg.RulesVersion == "" {
				cfg.RulesVersion = rulesVersion
			}
			if _, err := runTriage(ctx, cfg, an, cmd.OutOrStdout(), cmd.ErrOrStderr()); err != nil {
				return err
			}
			return nil
		},
	}
	cmd.SetContext(context.Background())
	f := cmd.Flags()
	f.IntVarP(&cfg.Jobs, "jobs", "j", runtime.NumCPU(), "bundles analyzed in parallel (memory: per-bundle bound × jobs, see docs/triage.md)")
	f.StringVar(&cfg.Out, "out", "", "results folder: one JSON report per bundle, records for resume, summary.json")
	f.BoolVar(&cfg.Force, "force", false, "re-triage bundles already in --out")
	f.StringVarP(&cfg.Format, "format", "f", "text", "summary format: text, json, markdown or csv")
	f.StringVar(&cfg.FailOn, "fail-on", "error", "exit 1 when a host has a finding at or above this severity (info|warning|error|critical|none)")
	f.StringVar(&cfg.Watch, "watch", "", "keep running: triage each bundle written into DIR once complete")
	f.DurationVar(&cfg.Poll, "poll", 2*time.Second, "with --watch: how often DIR is scanned (a bundle is complete when unchanged over two scans)")
	f.DurationVar(&cfg.BundleTimeout, "bundle-timeout", 0, "give up on a bundle after this long and report it as unreadable (0 = no limit)")
	f.BoolVarP(&cfg.Quiet, "quiet", "q", false, "no progress on stderr")
	f.StringVar(&cfg.RulesDir, "rules", "", "folder of user rules (TOML) added to the built-in catalog")
	return cmd
}

// runTriage is the triage command proper. It returns the exit code, and an
// *exitError carrying it (with a one-line reason for stderr) when not 0.
func runTriage(ctx context.Context, cfg triageConfig, an analyzeFunc, stdout, stderr io.Writer) (int, error) {
	switch cfg.Format {
	case "text", "json", "markdown", "md", "csv":
	default:
		return 0, usageErrorf("triage: --format %q: want text, json, markdown or csv", cfg.Format)
	}
	cfg.FailOn = strings.ToLower(strings.TrimSpace(cfg.FailOn))
	if cfg.FailOn != "none" && severityRank(cfg.FailOn) == 0 {
		return 0, usageErrorf("triage: --fail-on %q: want info, warning, error, critical or none", cfg.FailOn)
	}
	if cfg.Jobs < 1 {
		return 0, usageErrorf("triage: --jobs must be at least 1")
	}
	if cfg.Esxdiag == "" {
		cfg.Esxdiag = versionString()
	}
	t := &triager{
		analyze:       an,
		jobs:          cfg.Jobs,
		force:         cfg.Force,
		esxdiag:       cfg.Esxdiag,
		rules:         cfg.RulesVersion,
		bundleTimeout: cfg.BundleTimeout,
		progress:      cfg.Progress,
		onAnalyzed:    cfg.OnAnalyzed,
		log:           stderr,
	}
	if cfg.Out != "" {
		st, err := openResultStore(cfg.Out)
		if err != nil {
			return 0, &exitError{code: exitUsage, err: err}
		}
		t.store = st
	}
	if cfg.Watch != "" {
		return runWatch(ctx, cfg, t, stdout, stderr)
	}

	ins, err := discover(cfg.Args, discoverOptions{exclude: cfg.Out})
	if err != nil {
		return 0, err
	}
	if len(ins) == 0 {
		return 0, &exitError{code: exitUnrecognised, err: fmt.Errorf("triage: %s: %w", strings.Join(cfg.Args, " "), errNoBundles)}
	}
	recs, err := t.run(ctx, ins)
	if err != nil {
		if ctx.Err() != nil {
			return 130, &exitError{code: 130, err: fmt.Errorf("triage interrupted: %d of %d bundles done; re-run to resume", len(recs), len(ins))}
		}
		return 0, err
	}
	sum := buildSummary(recs, cfg.Esxdiag, cfg.RulesVersion, cfg.FailOn)
	if t.store != nil {
		if err := writeSummaryFile(t.store, sum); err != nil {
			return 0, err
		}
	}
	if err := renderSummary(stdout, sum, cfg); err != nil {
		return 0, err
	}
	code := sum.exitCode(cfg.FailOn)
	switch code {
	case exitUsage:
		return code, &exitError{code: code, err: fmt.Errorf("triage: %d of %d bundles could not be read", sum.Unreadable, sum.Bundles)}
	case exitFindings:
		return code, &exitError{code: code, err: fmt.Errorf("triage: %d of %d hosts have findings at or above %s", sum.failing(cfg.FailOn), sum.Hosts, cfg.FailOn)}
	}
	return code, nil
}

func renderSummary(w io.Writer, s *triageSummary, cfg triageConfig) error {
	switch cfg.Format {
	case "json":
		return writeSummaryJSON(w, s)
	case "csv":
	default:
		sanitizeStrings(s) // summary.json is written already; these faces go to a terminal
	}
	switch cfg.Format {
	case "markdown", "md":
		return writeSummaryMarkdown(w, s)
	case "csv":
		return writeSummaryCSV(w, s)
	}
	return writeSummaryText(w, s, cfg.Width, cfg.Style)
}

func writeSummaryFile(st *resultStore, s *triageSummary) error {
	var b bytes.Buffer
	if err := writeSummaryJSON(&b, s); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(st.dir, "summary.json"), b.Bytes())
}

// runWatch triages what is in the folder, then every bundle that appears,
// printing one line per bundle and rewriting summary.json after each batch.
func runWatch(ctx context.Context, cfg triageConfig, t *triager, stdout, stderr io.Writer) (int, error) {
	if st, err := os.Stat(cfg.Watch); err != nil || !st.IsDir() {
		return 0, usageErrorf("triage: --watch %s: not a folder", cfg.Watch)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	var mu sync.Mutex
	all := map[string]*bundleRecord{} // by input path: a rewritten upload replaces its old row
	t.onRecord = func(rec *bundleRecord) {
		fmt.Fprintln(stdout, bundleLine(rec))
	}
	t.progress = nil // one line per bundle instead
	cache := &sniffCache{}
	w := &watcher{
		dir:  cfg.Watch,
		poll: cfg.Poll,
		discover: func() ([]triageInput, error) {
			return searchFolder(cfg.Watch, discoverOptions{exclude: cfg.Out, cache: cache})
		},
		triage: func(ctx context.Context, ins, stable []triageInput) error {
			// Records come back complete even when the watch is being
			// stopped (abandoned work returns none), so the summary is
			// brought up to date in every case.
			recs, runErr := t.runWith(ctx, withONTAPFolders(ins, stable), stable)
			mu.Lock()
			defer mu.Unlock()
			for _, r := range recs {
				all[r.Input] = r
			}
			if t.store != nil && len(recs) > 0 {
				if err := writeSummaryFile(t.store, buildSummary(sortedRecords(all), cfg.Esxdiag, cfg.RulesVersion, cfg.FailOn)); err != nil {
					return err
				}
			}
			return runErr
		},
	}
	fmt.Fprintf(stderr, "esxdiag: watching %s (every %s); Ctrl-C to stop\n", cfg.Watch, cfg.Poll)
	if err := w.run(ctx); err != nil {
		return 0, err
	}
	fmt.Fprintf(stderr, "esxdiag: stopped watching %s: %d bundles triaged\n", cfg.Watch, len(all))
	return exitOK, nil
}

// withONTAPFolders adds to ready the stable bundles of every folder where an
// ONTAP log is ready (new or changed): they are triaged again with it (their
// resume key changes; bundles whose group did not change come from --out).
func withONTAPFolders(ready, stable []triageInput) []triageInput {
	dirs := map[string]bool{}
	in := map[string]bool{}
	for _, r := range ready {
		in[r.Path] = true
		if r.ONTAP {
			dirs[filepath.Dir(r.Path)] = true
		}
	}
	if len(dirs) == 0 {
		return ready
	}
	out := slices.Clone(ready)
	for _, s := range stable {
		if !s.ONTAP && !in[s.Path] && dirs[filepath.Dir(s.Path)] {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b triageInput) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func sortedRecords(m map[string]*bundleRecord) []*bundleRecord {
	out := make([]*bundleRecord, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	// Order only matters for equal rows; buildSummary sorts rows itself.
	slices.SortFunc(out, func(a, b *bundleRecord) int { return strings.Compare(a.Input, b.Input) })
	return out
}

// bundleLine is the one line printed per bundle in --watch mode.
func bundleLine(r *bundleRecord) string {
	if r.Error != "" {
		return fmt.Sprintf("UNREADABLE  %s: %s", r.Input, firstLine(r.Error))
	}
	var parts []string
	for _, h := range r.Hosts {
		sev := h.Worst
		if sev == "" {
			sev = "ok"
		}
		p := fmt.Sprintf("%-8s %s", sev, h.Host)
		if l := versionLabel(h.Kind, h.Version, h.Build); l != "" {
			p += " " + l
		}
		if top := topFindings(h.Findings, 3); top != "" {
			p += ": " + top
		}
		parts = append(parts, p)
	}
	line := strings.Join(parts, "; ") + "  " + r.Input
	if r.cached {
		line += " (already triaged)"
	}
	return line
}
