package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// analyzeFunc analyzes one bundle (file or folder) and returns what triage
// needs from it. The real implementation wraps bundles.Open + rules.Analyze
// and renders the report with the same JSON writer as `analyze --format
// json`; tests inject fakes.
type analyzeFunc func(ctx context.Context, path string) (*bundleOutcome, error)

// bundleOutcome is the result of analyzing one input bundle.
type bundleOutcome struct {
	Hosts      []triageHost // one per host bundle inside the input (vCenter zip => several)
	ReadErrors []string     // messages of errors met while reading members
	Report     []byte       // the JSON report, same schema as `analyze --format json`
}

// triageHost is the summary view of one host bundle.
type triageHost struct {
	Kind        string          `json:"kind,omitempty"` // "ontap" for an ONTAP log's node(s), "" for an ESXi host
	Host        string          `json:"host"`
	Version     string          `json:"version,omitempty"`
	Build       string          `json:"build,omitempty"`
	CollectedAt time.Time       `json:"collected_at,omitzero"`
	Worst       string          `json:"worst_severity,omitempty"` // "" when nothing fired
	Findings    []triageFinding `json:"findings,omitempty"`       // one per rule that fired, worst first
	ReadErrors  int             `json:"read_errors"`
}

// triageFinding aggregates the findings of one rule on one host.
type triageFinding struct {
	RuleID   string `json:"rule"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Objects  int    `json:"objects"` // findings of the rule on the host (one per device/VM/…)
	Count    int    `json:"count"`   // occurrences summed over those findings
}

// bundleRecord is what the results store keeps per input bundle, keyed by
// content hash. Its presence with the same versions means "already triaged".
type bundleRecord struct {
	Schema     string       `json:"schema"`
	Esxdiag    string       `json:"esxdiag_version"`
	Rules      string       `json:"rules_version"`
	SHA256     string       `json:"sha256"`
	Key        string       `json:"key,omitempty"` // resume key when analyzed with ONTAP logs (else SHA256)
	Input      string       `json:"input"`
	Kind       string       `json:"kind,omitempty"`       // "ontap" for an ONTAP log, "" for a bundle
	WithONTAP  []ontapRef   `json:"with_ontap,omitempty"` // ONTAP logs the bundle was analyzed with
	Size       int64        `json:"size"`
	Report     string       `json:"report,omitempty"` // report file, relative to the results folder
	Error      string       `json:"error,omitempty"`  // set when the bundle could not be read at all
	Hosts      []triageHost `json:"hosts"`
	ReadErrors []string     `json:"read_errors,omitempty"` // first few messages
	ReadErrorN int          `json:"read_error_count"`

	cached bool // loaded from the store instead of analyzed in this run
}

// key is the record's resume key (its file name in the store).
func (r *bundleRecord) key() string {
	if r.Key != "" {
		return r.Key
	}
	return r.SHA256
}

const (
	recordSchema      = "esxdiag.triage-record/v1"
	maxStoredReadErrs = 5
)

// severityRank orders severities from 1 (info) to 4 (critical); unknown
// names and "" rank 0.
func severityRank(s string) int { return sevRank(s) + 1 }

// triageInput is one discovered bundle.
type triageInput struct {
	Path  string
	Size  int64
	IsDir bool
	ONTAP bool // an ONTAP log: triaged alone and analyzed with the bundles of its folder
}

// triager runs the analysis of many bundles with bounded parallelism.
type triager struct {
	analyze       analyzeFunc
	jobs          int
	store         *resultStore // nil: no results folder
	force         bool
	esxdiag       string // esxdiag version, part of the resume key
	rules         string // rules catalog version, part of the resume key
	bundleTimeout time.Duration
	progress      *triageProgress
	log           io.Writer // notes for the user and stacks of recovered panics (stderr); nil = dropped

	// onAnalyzed, when set, is called once per bundle whose analysis
	// completed and whose record was committed (test hook).
	onAnalyzed func(path string)
	// onRecord, when set, is called (serialised) for every record produced,
	// analyzed or loaded from the store.
	onRecord func(rec *bundleRecord)

	mu sync.Mutex // serialises onRecord and progress
}

// hashed is an input with its content hash.
type hashed struct {
	in   triageInput
	sum  string
	err  error
	with []ontapRef // ONTAP logs of the bundle's folder, analyzed with it
	key  string     // resume key: sum, or groupKey(sum, with)
}

// ontapRef names an ONTAP log a bundle was analyzed with.
type ontapRef struct {
	Input  string `json:"input"`
	SHA256 string `json:"sha256"`
}

// run triages inputs and returns one record per distinct bundle content, in
// input order (sorted by path by discovery). On cancellation it returns the
// records completed so far and ctx.Err(); nothing half-done is written.
func (t *triager) run(ctx context.Context, inputs []triageInput) ([]*bundleRecord, error) {
	return t.runWith(ctx, inputs, nil)
}

// runWith is run where the ONTAP logs of extra (not triaged themselves:
// --watch hands the logs already triaged) are grouped with the bundles of
// their folder as well; only those in a folder of some bundle of inputs are
// read (hashed).
func (t *triager) runWith(ctx context.Context, inputs, extra []triageInput) ([]*bundleRecord, error) {
	jobs := max(t.jobs, 1)
	if t.progress != nil {
		var total int64
		for _, in := range inputs {
			total += in.Size
		}
		t.progress.start(len(inputs), total)
		defer t.progress.stop()
	}
	inSet := make(map[string]bool, len(inputs))
	dirs := map[string]bool{} // folders of the bundles to triage
	for _, in := range inputs {
		inSet[in.Path] = true
		if !in.ONTAP {
			dirs[filepath.Dir(in.Path)] = true
		}
	}
	all := slices.Clone(inputs)
	for _, in := range extra {
		if in.ONTAP && !inSet[in.Path] && dirs[filepath.Dir(in.Path)] {
			inSet[in.Path] = true
			all = append(all, in)
		}
	}

	// Phase 1: content hashes (parallel), so duplicates are found
	// deterministically before any analysis.
	hs := make([]hashed, len(all))
	parallel(ctx, jobs, len(all), func(i int) {
		hs[i].in = all[i]
		hs[i].sum, hs[i].err = hashInput(ctx, all[i])
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	groups := ontapGroups(hs)
	hs = hs[:len(inputs)]
	for i := range hs {
		hs[i].key = hs[i].sum
		if !hs[i].in.ONTAP && hs[i].err == nil {
			hs[i].with = groups[filepath.Dir(hs[i].in.Path)]
			hs[i].key = groupKey(hs[i].sum, hs[i].with)
		}
	}

	// Phase 2: analyze distinct bundles (parallel).
	seen := make(map[string]string, len(hs)) // resume key -> first input with it
	recs := make([]*bundleRecord, len(hs))
	var todo []int
	for i := range hs {
		if hs[i].err == nil {
			if first, dup := seen[hs[i].key]; dup {
				// Same content as an earlier input: triaged once.
				if t.log != nil {
					fmt.Fprintf(t.log, "esxdiag: %s: same content as %s, triaged once\n", hs[i].in.Path, first)
				}
				t.progressDone(hs[i].in)
				continue
			}
			seen[hs[i].key] = hs[i].in.Path
		}
		todo = append(todo, i)
	}
	parallel(ctx, jobs, len(todo), func(k int) {
		i := todo[k]
		rec := t.one(ctx, hs[i])
		if rec == nil { // abandoned on cancellation
			return
		}
		recs[i] = rec
		t.mu.Lock()
		if t.onRecord != nil {
			t.onRecord(rec)
		}
		t.mu.Unlock()
		t.progressDone(hs[i].in)
	})
	out := make([]*bundleRecord, 0, len(recs))
	for _, r := range recs {
		if r != nil {
			out = append(out, r)
		}
	}
	return out, ctx.Err()
}

// ontapGroups returns, by folder, the readable ONTAP logs found there,
// sorted by path, one per content: the logs "uploaded together" with the
// bundles of that folder.
func ontapGroups(hs []hashed) map[string][]ontapRef {
	groups := map[string][]ontapRef{}
	seen := map[string]bool{} // folder + hash: same content under two names counts once
	for _, h := range hs {
		if !h.in.ONTAP || h.err != nil {
			continue
		}
		dir := filepath.Dir(h.in.Path)
		if seen[dir+"\x00"+h.sum] {
			continue
		}
		seen[dir+"\x00"+h.sum] = true
		groups[dir] = append(groups[dir], ontapRef{Input: h.in.Path, SHA256: h.sum})
	}
	for _, g := range groups {
		slices.SortFunc(g, func(a, b ontapRef) int { return strings.Compare(a.Input, b.Input) })
	}
	return groups
}

// groupKey is the resume key of a bundle analyzed with ONTAP logs: the
// bundle's hash alone when there are none (so results folders of earlier
// versions stay valid), else a hash of the bundle's and the logs' hashes.
// A new or changed filer log gives a new key, so the bundle is triaged again.
func groupKey(sum string, with []ontapRef) string {
	if len(with) == 0 {
		return sum
	}
	h := sha256.New()
	io.WriteString(h, "esxdiag.triage-group/v1\x00"+sum)
	for _, r := range with {
		io.WriteString(h, "\x00"+r.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (t *triager) progressDone(in triageInput) {
	if t.progress != nil {
		t.progress.done(in.Path, in.Size)
	}
}

type readProgressKey struct{}

// withReadProgress hands the analyzer a callback for the compressed bytes
// it has read so far (the progress line counts in-flight bundles too).
func withReadProgress(ctx context.Context, fn func(bytesRead int64)) context.Context {
	return context.WithValue(ctx, readProgressKey{}, fn)
}

// readProgress returns the callback of withReadProgress, or nil.
func readProgress(ctx context.Context) func(int64) {
	fn, _ := ctx.Value(readProgressKey{}).(func(int64))
	return fn
}

// kindONTAP marks ONTAP logs in records, summary rows and build groups.
const kindONTAP = "ontap"

// analyzeGroup tells the analyzer how an input is analyzed: an ONTAP log on
// its own (self), or a bundle together with the ONTAP logs of its folder.
// It travels in the context (like the read progress callback) so that
// analyzeFunc keeps its one-path shape.
type analyzeGroup struct {
	self  bool     // the input is an ONTAP log
	ontap []string // ONTAP logs analyzed with the bundle
}

type analyzeGroupKey struct{}

func withAnalyzeGroup(ctx context.Context, g analyzeGroup) context.Context {
	return context.WithValue(ctx, analyzeGroupKey{}, g)
}

// groupOf returns the analyzeGroup of withAnalyzeGroup (zero: a bundle alone).
func groupOf(ctx context.Context) analyzeGroup {
	g, _ := ctx.Value(analyzeGroupKey{}).(analyzeGroup)
	return g
}

// one triages a single hashed input. It returns nil when the work was
// abandoned because ctx was cancelled.
func (t *triager) one(ctx context.Context, h hashed) *bundleRecord {
	if ctx.Err() != nil {
		return nil
	}
	rec := &bundleRecord{
		Schema:  recordSchema,
		Esxdiag: t.esxdiag,
		Rules:   t.rules,
		SHA256:  h.sum,
		Input:   h.in.Path,
		Size:    h.in.Size,
	}
	if h.key != h.sum {
		rec.Key = h.key
	}
	if h.in.ONTAP {
		rec.Kind = kindONTAP
	}
	rec.WithONTAP = h.with
	if h.err != nil {
		// Unhashable (unreadable) input: reported, never stored.
		rec.Error = h.err.Error()
		rec.Hosts = []triageHost{}
		return rec
	}
	if t.store != nil && !t.force {
		if old, ok := t.store.lookup(h.key, t.esxdiag, t.rules); ok {
			old.cached = true
			old.Input, old.Size = h.in.Path, h.in.Size // where the bundle is now
			old.WithONTAP = h.with                     // same contents, maybe other names
			return old
		}
	}
	actx, cancel := ctx, context.CancelFunc(func() {})
	if t.bundleTimeout > 0 {
		actx, cancel = context.WithTimeout(ctx, t.bundleTimeout)
	}
	if p := t.progress; p != nil {
		path := h.in.Path
		actx = withReadProgress(actx, func(n int64) { p.reading(path, n) })
	}
	if h.in.ONTAP || len(h.with) > 0 {
		g := analyzeGroup{self: h.in.ONTAP}
		for _, r := range h.with {
			g.ontap = append(g.ontap, r.Input)
		}
		actx = withAnalyzeGroup(actx, g)
	}
	out, err := safeAnalyze(actx, t.analyze, h.in.Path, t.log)
	timedOut := actx.Err() != nil
	cancel()
	if ctx.Err() != nil {
		return nil // interrupted: leave no trace, a re-run redoes it
	}
	if timedOut {
		// Whatever the analyzer returned is partial. Not stored either: a
		// re-run (maybe with a longer timeout) tries again.
		out, err = nil, fmt.Errorf("triage: %s: gave up after --bundle-timeout %s: %w", h.in.Path, t.bundleTimeout, context.DeadlineExceeded)
	}
	if err != nil {
		rec.Error = err.Error()
		rec.Hosts = []triageHost{}
	} else {
		rec.Hosts = out.Hosts
		if rec.Hosts == nil {
			rec.Hosts = []triageHost{}
		}
		rec.ReadErrorN = len(out.ReadErrors)
		rec.ReadErrors = out.ReadErrors[:min(len(out.ReadErrors), maxStoredReadErrs)]
		if len(rec.Hosts) == 0 {
			rec.Error = "nothing recognised in the input"
			if len(out.ReadErrors) > 0 {
				rec.Error = out.ReadErrors[0]
			}
		}
	}
	if t.store != nil && !timedOut {
		var report []byte
		if out != nil && rec.Error == "" {
			report = out.Report
		}
		if err := t.store.commit(rec, report); err != nil {
			rec.Error = err.Error()
		}
	}
	if t.onAnalyzed != nil {
		t.onAnalyzed(h.in.Path)
	}
	return rec
}

// safeAnalyze runs fn and turns a panic into an error, so one
// pathological bundle never takes the batch down. The stack goes to
// panicLog, not into the (deterministic) record.
func safeAnalyze(ctx context.Context, fn analyzeFunc, path string, panicLog io.Writer) (out *bundleOutcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			out = nil
			err = fmt.Errorf("triage: %s: internal error (panic): %v", path, p)
			if panicLog != nil {
				fmt.Fprintf(panicLog, "esxdiag: %v; please report this with the stack below\n%s\n", err, debug.Stack())
			}
		}
	}()
	out, err = fn(ctx, path)
	if err == nil && out == nil {
		err = fmt.Errorf("triage: %s: analyzer returned no report", path)
	}
	return out, err
}

// parallel calls fn(i) for i in [0,n) from at most jobs goroutines and
// stops handing out work once ctx is cancelled.
func parallel(ctx context.Context, jobs, n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(jobs, n) {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
}

// hashInput returns the hex sha256 of a bundle's content, streamed. A folder
// hashes its regular files' relative paths and contents in lexical order;
// a file or folder in it that cannot be read counts by its path only (the
// analysis reports it and reads the rest, so it must not make the whole
// bundle unreadable).
func hashInput(ctx context.Context, in triageInput) (string, error) {
	h := sha256.New()
	if !in.IsDir {
		if err := hashFile(ctx, h, in.Path); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	var files []string
	err := filepath.WalkDir(in.Path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == in.Path {
				return err
			}
			files = append(files, p) // hashed as unreadable below
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("triage: %s: %w", in.Path, err)
	}
	sort.Strings(files)
	for _, p := range files {
		rel, _ := filepath.Rel(in.Path, p)
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
		if err := hashFile(ctx, h, p); err != nil {
			if ctx.Err() != nil {
				return "", err
			}
			fmt.Fprintf(h, "\x00unreadable\x00")
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(ctx context.Context, w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("triage: %w", err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := f.Read(buf)
		w.Write(buf[:n])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("triage: %s: %w", path, err)
		}
	}
}

// sortedFindings orders a host's findings worst first, then by rule ID.
func sortFindings(fs []triageFinding) {
	slices.SortFunc(fs, func(a, b triageFinding) int {
		if d := severityRank(b.Severity) - severityRank(a.Severity); d != 0 {
			return d
		}
		return strings.Compare(a.RuleID, b.RuleID)
	})
}
