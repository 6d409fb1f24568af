package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDiscover(t *testing.T) {
	chdirTemp(t)
	fakeFleet(t, "in")
	// An extracted vm-support folder is one bundle, not searched inside.
	for _, d := range []string{"in/x/esx-10-2024/commands", "in/x/esx-10-2024/var/log", "in/x/esx-10-2024/etc"} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	writeFakeBundle(t, "in/x/esx-10-2024/var/log/vmkernel.log.gz", "x")
	// The results folder is never searched.
	writeFakeBundle(t, "in/out/reports/r.gz", "x")
	// A tar by content, whatever its name.
	tarHead := make([]byte, 512)
	copy(tarHead[257:], "ustar")
	require.NoError(t, os.WriteFile("in/a/plain.data", tarHead, 0o644))

	paths := func(ins []triageInput) []string {
		var out []string
		for _, in := range ins {
			out = append(out, filepath.ToSlash(in.Path))
		}
		return out
	}
	cases := []struct {
		name string
		args []string
		want []string
		err  string
	}{
		{"folder recursive", []string{"in"}, []string{
			"in/a/esx-01.tgz", "in/a/esx-02.tgz", "in/a/esx-03.bin", "in/a/plain.data",
			"in/b/c/esx-08.tgz", "in/b/esx-04.tgz", "in/b/panic.tgz", "in/b/unknown.tgz", "in/b/vc.zip",
			"in/x/esx-10-2024"}, ""},
		{"glob and duplicates", []string{"in/a/*.tgz", "in/a/esx-01.tgz"}, []string{"in/a/esx-01.tgz", "in/a/esx-02.tgz"}, ""},
		{"explicit non-archive file is kept", []string{"in/a/README.txt"}, []string{"in/a/README.txt"}, ""},
		{"missing file is an input (reported unreadable)", []string{"in/nope.tgz"}, []string{"in/nope.tgz"}, ""},
		{"glob without match", []string{"in/*.nothing"}, nil, "no file matches"},
		{"extracted bundle given directly", []string{"in/x/esx-10-2024"}, []string{"in/x/esx-10-2024"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := discover(c.args, discoverOptions{exclude: "in/out"})
			if c.err != "" {
				require.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, paths(got))
		})
	}
}

func TestSniffArchive(t *testing.T) {
	tarHead := make([]byte, 512)
	copy(tarHead[257:], "ustar")
	for _, c := range []struct {
		name string
		head []byte
		want bool
	}{
		{"gzip", []byte{0x1f, 0x8b, 8, 0}, true},
		{"zip", []byte("PK\x03\x04rest"), true},
		{"empty zip", []byte("PK\x05\x06"), true},
		{"tar", tarHead, true},
		{"text", []byte("2024-03-07T10:15:01Z cpu3 vmkernel"), false},
		{"short", []byte{0x1f}, false},
		{"empty", nil, false},
	} {
		require.Equal(t, c.want, sniffArchive(c.head), c.name)
	}
}

func TestTriageResumeAfterCancel(t *testing.T) {
	chdirTemp(t)
	fakeFleet(t, "in")
	ins, err := discover([]string{"in"}, discoverOptions{})
	require.NoError(t, err)
	var analyzed counter // analyses completed and committed, over both runs
	var started counter
	analyze := func(ctx context.Context, p string) (*bundleOutcome, error) {
		started.add(p)
		return fakeAnalyze(ctx, p)
	}

	// Run 1: cancel after the third committed bundle.
	ctx, cancel := context.WithCancel(context.Background())
	cfg := testConfig("in")
	cfg.Out, cfg.Jobs = "out", 2
	cfg.OnAnalyzed = func(p string) {
		analyzed.add(p)
		if len(analyzed.snapshot()) == 3 {
			cancel()
		}
	}
	code, err := runTriage(ctx, cfg, analyze, io.Discard, io.Discard)
	require.Equal(t, 130, code)
	require.ErrorContains(t, err, "interrupted")
	require.NoFileExists(t, "out/summary.json", "no summary of a partial run")
	requireNoTempFiles(t, "out")
	first := analyzed.snapshot()
	require.GreaterOrEqual(t, len(first), 3)
	require.Less(t, len(first), len(ins), "the cancel must stop the run mid-way")

	// Run 2: the rest, each exactly once overall.
	cfg.OnAnalyzed = analyzed.add
	var stdout bytes.Buffer
	code, _ = runTriage(context.Background(), cfg, analyze, &stdout, io.Discard)
	require.Equal(t, exitUsage, code)
	got := analyzed.snapshot()
	require.Len(t, got, len(ins))
	for p, n := range got {
		require.Equal(t, 1, n, "%s triaged %d times", p, n)
	}
	// Abandoned in-flight work may start twice, never more.
	for p, n := range started.snapshot() {
		require.LessOrEqual(t, n, 2, p)
	}
	requireNoTempFiles(t, "out")

	// Run 3 produces the same summary from the store alone.
	cfg.OnAnalyzed = func(p string) { t.Errorf("%s analyzed again", p) }
	var again bytes.Buffer
	runTriage(context.Background(), cfg, analyze, &again, io.Discard)
	require.Equal(t, stdout.String(), again.String())

	// A new rules version invalidates the store; --force redoes everything.
	for _, mod := range []func(*triageConfig){
		func(c *triageConfig) { c.RulesVersion = "rules-next" },
		func(c *triageConfig) { c.Force = true },
	} {
		var n counter
		c := cfg
		c.OnAnalyzed = n.add
		mod(&c)
		runTriage(context.Background(), c, analyze, io.Discard, io.Discard)
		require.Len(t, n.snapshot(), len(ins))
	}
}

func requireNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && filepath.Base(p)[0] == '.' && p != dir {
			t.Errorf("left-over temporary file %s", p)
		}
		return nil
	})
}

func TestResultStoreLayout(t *testing.T) {
	chdirTemp(t)
	fakeFleet(t, "in")
	cfg := testConfig("in")
	cfg.Out, cfg.Jobs = "out", 3
	_, err := runTriage(context.Background(), cfg, fakeAnalyze, io.Discard, io.Discard)
	require.Error(t, err)

	reports, _ := filepath.Glob("out/reports/*.json")
	var names []string
	for _, r := range reports {
		names = append(names, filepath.Base(r))
	}
	sort.Strings(names)
	require.Equal(t, []string{
		"esx-01_e372a12382220bdf.json", "esx-02_817bccbfb18ae6b9.json", "esx-03_30ab5514884fc9c7.json",
		"esx-04_b0e65e793d6966f5.json", "esx-05+1_425beea9d035dcea.json", "esx-08_716ecff1ea9e88df.json",
	}, names, "one report per readable bundle, named by host and content hash")
	records, _ := filepath.Glob("out/records/*.json")
	require.Len(t, records, 8, "unreadable bundles are recorded too, so a re-run skips them")

	// The report is the analyzer's bytes, unchanged.
	want, _ := fakeAnalyze(context.Background(), "in/a/esx-01.tgz")
	got, err := os.ReadFile("out/reports/esx-01_e372a12382220bdf.json")
	require.NoError(t, err)
	require.Equal(t, string(want.Report), string(got))

	var sum triageSummary
	b, err := os.ReadFile("out/summary.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &sum))
	require.Equal(t, 8, sum.Bundles)
	require.Equal(t, "reports/esx-01_e372a12382220bdf.json", rowOf(sum, "esx-01").Report)
}

func rowOf(s triageSummary, host string) summaryRow {
	for _, r := range s.Rows {
		if r.Host == host {
			return r
		}
	}
	return summaryRow{}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	require.NoError(t, writeFileAtomic(p, []byte("one")))
	require.NoError(t, writeFileAtomic(p, []byte("two")))
	b, _ := os.ReadFile(p)
	require.Equal(t, "two", string(b))
	// A temp file left by a killed run is cleaned when the store opens.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "reports"), 0o755))
	stale := filepath.Join(dir, "reports", tmpPrefix+"123")
	require.NoError(t, os.WriteFile(stale, []byte("half"), 0o644))
	_, err := openResultStore(dir)
	require.NoError(t, err)
	require.NoFileExists(t, stale)
	// Failure leaves nothing behind.
	require.Error(t, writeFileAtomic(filepath.Join(dir, "missing", "x"), []byte("x")))
}

func TestTriageIsolationAndExitCodes(t *testing.T) {
	chdirTemp(t)
	writeFakeBundle(t, "ok.tgz", "host esx-a 8.0.2 1 2024-01-01T00:00:00Z\nfinding r1 warning 1 t\n")
	writeFakeBundle(t, "err.tgz", "host esx-b 8.0.2 1 2024-01-01T00:00:00Z\nfinding r2 error 1 t\n")
	writeFakeBundle(t, "slow.tgz", "host esx-c 8.0.2 1 2024-01-01T00:00:00Z\nslow 10s\n")
	writeFakeBundle(t, "panic.tgz", "host esx-d 8.0.2 1 2024-01-01T00:00:00Z\npanic\n")
	writeFakeBundle(t, "empty.tgz", "")
	cases := []struct {
		name    string
		args    []string
		failOn  string
		timeout time.Duration
		code    int
	}{
		{"clean", []string{"ok.tgz"}, "error", 0, exitOK},
		{"warning at fail-on warning", []string{"ok.tgz"}, "warning", 0, exitFindings},
		{"error", []string{"ok.tgz", "err.tgz"}, "error", 0, exitFindings},
		{"fail-on none", []string{"ok.tgz", "err.tgz"}, "none", 0, exitOK},
		{"fail-on critical", []string{"err.tgz"}, "critical", 0, exitOK},
		{"panic isolated", []string{"ok.tgz", "panic.tgz"}, "error", 0, exitUsage},
		{"nothing recognised", []string{"empty.tgz"}, "error", 0, exitUsage},
		{"bundle timeout", []string{"ok.tgz", "slow.tgz"}, "error", 50 * time.Millisecond, exitUsage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig(c.args...)
			cfg.FailOn, cfg.BundleTimeout, cfg.Format, cfg.Jobs = c.failOn, c.timeout, "json", 2
			var out, errOut bytes.Buffer
			code, _ := runTriage(context.Background(), cfg, fakeAnalyze, &out, &errOut)
			require.Equal(t, c.code, code)
			var s triageSummary
			require.NoError(t, json.Unmarshal(out.Bytes(), &s))
			require.Equal(t, len(c.args), s.Bundles, "every bundle is in the summary")
			if c.name == "panic isolated" {
				require.Contains(t, errOut.String(), "goroutine", "stack on stderr")
				require.Equal(t, "esx-a", s.Rows[1].Host)
			}
			if c.timeout > 0 {
				require.Contains(t, s.Rows[0].Error, "--bundle-timeout")
			}
		})
	}
	t.Run("timeouts are not stored", func(t *testing.T) {
		cfg := testConfig("slow.tgz")
		cfg.BundleTimeout, cfg.Out = 20*time.Millisecond, "out-timeout"
		var n counter
		cfg.OnAnalyzed = n.add
		for range 2 {
			code, _ := runTriage(context.Background(), cfg, fakeAnalyze, io.Discard, io.Discard)
			require.Equal(t, exitUsage, code)
		}
		require.Equal(t, map[string]int{"slow.tgz": 2}, n.snapshot(), "a re-run tries a timed-out bundle again")
		recs, _ := filepath.Glob("out-timeout/records/*")
		require.Empty(t, recs)
	})
	t.Run("usage", func(t *testing.T) {
		for _, mod := range []func(*triageConfig){
			func(c *triageConfig) { c.Format = "html" },
			func(c *triageConfig) { c.FailOn = "fatal" },
			func(c *triageConfig) { c.Jobs = 0 },
		} {
			cfg := testConfig("ok.tgz")
			mod(&cfg)
			_, err := runTriage(context.Background(), cfg, fakeAnalyze, io.Discard, io.Discard)
			var ee *exitError
			require.ErrorAs(t, err, &ee)
			require.Equal(t, exitUsage, ee.code)
		}
	})
	t.Run("no bundle", func(t *testing.T) {
		require.NoError(t, os.Mkdir("emptydir", 0o755))
		_, err := runTriage(context.Background(), testConfig("emptydir"), fakeAnalyze, io.Discard, io.Discard)
		var ee *exitError
		require.ErrorAs(t, err, &ee)
		require.Equal(t, exitUnrecognised, ee.code)
	})
}

func TestTriageDuplicateContentTriagedOnce(t *testing.T) {
	chdirTemp(t)
	writeFakeBundle(t, "a.tgz", "host esx-a 8.0.2 1 2024-01-01T00:00:00Z\n")
	writeFakeBundle(t, "copy-of-a.tgz", "host esx-a 8.0.2 1 2024-01-01T00:00:00Z\n")
	var n counter
	cfg := testConfig("a.tgz", "copy-of-a.tgz")
	cfg.Jobs, cfg.Format, cfg.OnAnalyzed = 2, "json", n.add
	var out, errOut bytes.Buffer
	_, err := runTriage(context.Background(), cfg, fakeAnalyze, &out, &errOut)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"a.tgz": 1}, n.snapshot())
	require.Equal(t, "esxdiag: copy-of-a.tgz: same content as a.tgz, triaged once\n", errOut.String())
}

func TestProgressLine(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newTriageProgress(io.Discard)
	p.now = func() time.Time { return now }
	p.interval = time.Hour
	p.start(4, 400e6)
	p.done("a", 100e6)
	p.reading("b", 50e6)
	now = now.Add(10 * time.Second)
	require.Equal(t, "triage: 1/4 bundles, 15.0 MB/s, ETA 17s", p.line())
	p.stop()
}

func TestCorruptRecordIsRetriaged(t *testing.T) {
	chdirTemp(t)
	writeFakeBundle(t, "a.tgz", "host esx-a 8.0.2 1 2024-01-01T00:00:00Z\n")
	cfg := testConfig("a.tgz")
	cfg.Out = "out"
	var n counter
	cfg.OnAnalyzed = n.add
	_, err := runTriage(context.Background(), cfg, fakeAnalyze, io.Discard, io.Discard)
	require.NoError(t, err)
	recs, _ := filepath.Glob("out/records/*.json")
	require.Len(t, recs, 1)
	for _, damage := range []func(string){
		func(p string) { os.WriteFile(p, []byte(`{"schema": "esxdiag.triage-rec`), 0o644) }, // truncated by hand
		func(p string) { os.WriteFile(p, []byte(`[]`), 0o644) },
		func(p string) { // its report is gone
			reps, _ := filepath.Glob("out/reports/*.json")
			os.Remove(reps[0])
		},
	} {
		damage(recs[0])
		_, err := runTriage(context.Background(), cfg, fakeAnalyze, io.Discard, io.Discard)
		require.NoError(t, err)
	}
	require.Equal(t, map[string]int{"a.tgz": 4}, n.snapshot())
}

func TestTriageCommandFlags(t *testing.T) {
	for _, args := range [][]string{
		{"triage"},
		{"triage", "--watch", ".", "x.tgz"},
	} {
		require.Equal(t, exitUsage, run(args), args)
	}
}

// FuzzReportName: host names come from bundle content (untrusted); the
// report file name must stay a plain file name inside reports/.
func FuzzReportName(f *testing.F) {
	for _, s := range []string{"esx-01.lab.local", "../../etc/passwd", "..", ".", "", "a/b\\c", "héllo wörld", strings.Repeat("x", 300), "\x00\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		name := reportName(&bundleRecord{SHA256: strings.Repeat("ab", 32), Hosts: []triageHost{{Host: host}, {Host: "x"}}})
		if strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") || len(name) > 140 {
			t.Fatalf("unsafe report name %q for host %q", name, host)
		}
		if filepath.Base(name) != name || !strings.HasSuffix(name, "_abababababababab.json") {
			t.Fatalf("bad report name %q", name)
		}
	})
}

// BenchmarkHashInput measures the content hash that keys the results
// folder (each input is read once for it before analysis).
func BenchmarkHashInput(b *testing.B) {
	p := filepath.Join(b.TempDir(), "b.tgz")
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<20) // 64 MiB
	require.NoError(b, os.WriteFile(p, data, 0o644))
	in := triageInput{Path: p, Size: int64(len(data))}
	b.SetBytes(in.Size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hashInput(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildSummary: 1000 hosts, 5 findings each.
func BenchmarkBuildSummary(b *testing.B) {
	var recs []*bundleRecord
	for i := range 1000 {
		h := triageHost{Host: fmt.Sprintf("esx%04d", i), Version: "8.0.2", Build: fmt.Sprint(22380479 + i%3), Worst: "error"}
		for j := range 5 {
			h.Findings = append(h.Findings, triageFinding{RuleID: fmt.Sprintf("rule-%d", (i+j)%17), Severity: "error", Count: j + 1})
		}
		recs = append(recs, &bundleRecord{Input: fmt.Sprintf("in/%04d.tgz", i), Hosts: []triageHost{h}})
	}
	b.ReportAllocs()
	for b.Loop() {
		buildSummary(recs, "v", "r", "error")
	}
}

func TestSniffCache(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "upload")
	require.NoError(t, os.WriteFile(p, []byte("plain text, not yet a bundle"), 0o644))
	var c sniffCache
	st, _ := os.Stat(p)
	require.False(t, c.kindOf(p, st) == fileBundle)
	// The upload is replaced by a gzip stream: new state, sniffed again.
	writeFakeBundle(t, p, "host esx-a 8.0.2 1 2024-01-01T00:00:00Z\n")
	st, _ = os.Stat(p)
	require.True(t, c.kindOf(p, st) == fileBundle)
	// Unchanged state: the stored verdict is used, the file is not read.
	c.m[p] = sniffVerdict{sig: c.m[p].sig, kind: fileOther}
	require.False(t, c.kindOf(p, st) == fileBundle)
}
