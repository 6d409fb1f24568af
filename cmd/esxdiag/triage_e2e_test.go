package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxdiag/esxdiag/bundles/synth"
	"github.com/esxdiag/esxdiag/rules"
)

// The e2e fleet is generated with bundles/synth: small bundles (256 KiB of
// logs each) of two generations, hence two ESXi builds, with problems the
// catalog has rules for.

func synthCfg(n int, gen synth.Generation, problems ...synth.Problem) synth.Config {
	return synth.Config{
		Host:        fmt.Sprintf("esx%02d.lab.local", n),
		Generation:  gen,
		CollectedAt: time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour),
		Seed:        int64(n),
		TargetBytes: 256 << 10,
		Problems:    problems,
	}
}

func synthBundle(t testing.TB, cfg synth.Config) []byte {
	var b bytes.Buffer
	require.NoError(t, synth.Write(&b, cfg))
	return b.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	require.NoError(t, zw.Close())
	return out.Bytes()
}

func writeFile(t testing.TB, path string, b []byte) {
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// e2eFleet writes 11 inputs (11 hosts, ESXi 7 and 8) under dir: single-host
// tgz bundles, one found by content under a meaningless name, a vCenter zip
// with two hosts, one truncated bundle (read errors) and one corrupt file.
func e2eFleet(t testing.TB, dir string) {
	const e7, e8 = synth.ESXi7, synth.ESXi8
	singles := []struct {
		name string
		cfg  synth.Config
	}{
		{"esx01.tgz", synthCfg(1, e7, synth.APD, synth.HostdStatsFull)},
		{"esx02.tgz", synthCfg(2, e7, synth.APD)},
		{"esx03.tgz", synthCfg(3, e7)},
		{"rack2/esx04.tgz", synthCfg(4, e8, synth.PDL)},
		{"rack2/esx05.tgz", synthCfg(5, e8, synth.APD, synth.Latency)},
		{"rack2/esx06.tgz", synthCfg(6, e8, synth.EsxConfLock)},
		{"rack2/esx07.tgz", synthCfg(7, e8)},
		{"uploads/upload-7f3a.bin", synthCfg(11, e7, synth.HostdStatsFull)}, // found by content
	}
	for _, s := range singles {
		writeFile(t, filepath.Join(dir, s.name), synthBundle(t, s.cfg))
	}
	var zb bytes.Buffer
	require.NoError(t, synth.WriteVCenterZip(&zb, []synth.Config{synthCfg(8, e7, synth.DeadPath), synthCfg(9, e8, synth.APD)}))
	writeFile(t, filepath.Join(dir, "vcenter/vc-export.zip"), zb.Bytes())
	trunc := synthCfg(10, e8, synth.PDL)
	trunc.Damage = []synth.Damage{synth.Truncated}
	writeFile(t, filepath.Join(dir, "rack2/esx10-truncated.tgz"), synthBundle(t, trunc))
	// Corrupt: not an archive at all, with a bundle's name.
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(i*131 + 7)
	}
	writeFile(t, filepath.Join(dir, "uploads/esx12-corrupt.tgz"), junk)
}

func e2eConfig(jobs int, out string) triageConfig {
	cfg := testConfig("in")
	cfg.Jobs, cfg.Out = jobs, out
	return cfg
}

func TestTriageE2E(t *testing.T) {
	chdirTemp(t)
	e2eFleet(t, "in")
	catalog := rules.Builtin()
	require.NoError(t, catalog.Err())

	outputs := map[int]map[string]string{} // jobs -> file -> content
	var summaries []string
	for _, jobs := range []int{1, 4} {
		out := fmt.Sprintf("out-j%d", jobs)
		cfg := e2eConfig(jobs, out)
		an := engineAnalyzer(catalog, max(1, runtime.GOMAXPROCS(0)/jobs))
		var stdout, stderr bytes.Buffer
		code, err := runTriage(context.Background(), cfg, an, &stdout, &stderr)
		require.Equal(t, exitUsage, code, "the corrupt bundle makes the exit status 2; stderr: %s", stderr.String())
		require.ErrorContains(t, err, "1 of 11 bundles could not be read")
		summaries = append(summaries, stdout.String())
		outputs[jobs] = readTree(t, out)
	}
	require.Equal(t, summaries[0], summaries[1], "text summary differs between --jobs 1 and 4")
	require.Equal(t, outputs[1], outputs[4], "results folder differs between --jobs 1 and 4")

	var sum triageSummary
	require.NoError(t, json.Unmarshal([]byte(outputs[1]["summary.json"]), &sum))
	// The goldens hold which rules fired where (rows, worst severities,
	// aggregation by build), not occurrence counts or titles, which follow
	// every tweak of the catalog and the generator.
	triageGoldenSummary(t, "e2e-summary", sum)
	require.Equal(t, 11, sum.Bundles)
	require.Equal(t, 11, sum.Hosts, "the vCenter zip counts as its two hosts, the truncated bundle as its host")
	require.Equal(t, 1, sum.Unreadable)

	// The corrupt bundle is isolated: one row with its error, first.
	require.Equal(t, "in/uploads/esx12-corrupt.tgz", sum.Rows[0].Input)
	require.NotEmpty(t, sum.Rows[0].Error)
	for _, r := range sum.Rows[1:] {
		require.Empty(t, r.Error, r.Input)
		require.NotEqual(t, "unknown", r.Host, r.Input)
	}

	// Per-bundle reports: one per readable input, the analyze JSON schema,
	// the injected problems found on the right hosts.
	reports := 0
	for name := range outputs[1] {
		if strings.HasPrefix(name, "reports"+string(filepath.Separator)) {
			reports++
		}
	}
	require.Equal(t, 10, reports)
	fired := map[string][]string{}
	for _, r := range sum.Rows {
		for _, f := range r.Findings {
			fired[r.Host] = append(fired[r.Host], f.RuleID)
		}
	}
	for host, want := range map[string][]string{
		"esx01.lab.local": {"apd-start", "apd-timeout", "hostdstats-exhausted"},
		"esx04.lab.local": {"pdl"},
		"esx05.lab.local": {"apd-start", "io-latency-deteriorated"},
		"esx06.lab.local": {"esxconf-lock-contention"},
		"esx08.lab.local": {"path-redundancy-lost"},
		"esx09.lab.local": {"apd-start"},
		"esx10.lab.local": {"pdl"},
		"esx11.lab.local": {"hostdstats-exhausted"},
	} {
		for _, id := range want {
			require.Contains(t, fired[host], id, host)
		}
	}
	// Hosts without injected problems: nothing at or above --fail-on (the
	// generator's background noise may raise warnings).
	for _, h := range []string{"esx03.lab.local", "esx07.lab.local"} {
		require.Less(t, severityRank(rowOf(sum, h).Worst), severityRank("error"), h)
	}

	r := rowOf(sum, "esx01.lab.local")
	require.Equal(t, "7.0.3", r.Version)
	require.Equal(t, "21424296", r.Build)
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(outputs[1][filepath.FromSlash(r.Report)]), &rep))
	require.Equal(t, reportSchemaID, rep.Schema)
	require.Equal(t, []string{"in/esx01.tgz"}, rep.Inputs)
	require.Len(t, rep.Hosts, 1)
	require.Equal(t, "esx01.lab.local", rep.Hosts[0].Bundle.Host)

	// The aggregation groups apd-start by build.
	var apd *ruleAggregate
	for i := range sum.Aggregate {
		if sum.Aggregate[i].RuleID == "apd-start" {
			apd = &sum.Aggregate[i]
		}
	}
	require.NotNil(t, apd)
	require.Equal(t, 4, apd.Hosts)
	var builds []string
	for _, g := range apd.Builds {
		builds = append(builds, fmt.Sprintf("%s:%d/%d", g.Build, len(g.Hosts), g.OfHosts))
	}
	slices.Sort(builds)
	require.Equal(t, []string{"21424296:2/5", "22380479:2/6"}, builds)

	// A triage report is what analyze --format json prints for the bundle
	// (checked once the analyze command is registered).
	root := newRootCmd()
	if c, _, err := root.Find([]string{"analyze"}); err == nil && c != root {
		var b bytes.Buffer
		root.SetOut(&b)
		root.SetErr(io.Discard)
		root.SetArgs([]string{"analyze", "--format", "json", "in/esx01.tgz"})
		root.Execute()
		require.Equal(t, b.String(), outputs[1][filepath.FromSlash(r.Report)], "triage report differs from analyze --format json")
	}
}

func TestTriageE2EResume(t *testing.T) {
	chdirTemp(t)
	e2eFleet(t, "in")
	an := engineAnalyzer(rules.Builtin(), 1)
	var done counter
	ctx, cancel := context.WithCancel(context.Background())
	cfg := e2eConfig(2, "out")
	cfg.OnAnalyzed = func(p string) {
		done.add(p)
		if len(done.snapshot()) == 4 {
			cancel() // the run is killed mid-way
		}
	}
	code, _ := runTriage(ctx, cfg, an, io.Discard, io.Discard)
	require.Equal(t, 130, code)
	require.Less(t, len(done.snapshot()), 11)

	cfg.OnAnalyzed = done.add
	var resumed bytes.Buffer
	code, _ = runTriage(context.Background(), cfg, an, &resumed, io.Discard)
	require.Equal(t, exitUsage, code)
	require.Len(t, done.snapshot(), 11)
	for p, n := range done.snapshot() {
		require.Equal(t, 1, n, "%s triaged %d times", p, n)
	}
	requireNoTempFiles(t, "out")
	// Same summary as an uninterrupted run.
	var sum triageSummary
	b, err := os.ReadFile("out/summary.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &sum))
	triageGoldenSummary(t, "e2e-summary", sum)
}

// triageGoldenSummary compares s, without counts and titles, with the
// goldens NAME.json and NAME.txt (text rendering).
func triageGoldenSummary(t *testing.T, name string, s triageSummary) {
	t.Helper()
	norm := func(fs []triageFinding) {
		for i := range fs {
			fs[i].Count, fs[i].Objects, fs[i].Title = 0, 0, ""
		}
	}
	for i := range s.Rows {
		norm(s.Rows[i].Findings)
	}
	for i := range s.Aggregate {
		s.Aggregate[i].Title = ""
	}
	var j, txt bytes.Buffer
	require.NoError(t, writeSummaryJSON(&j, &s))
	require.NoError(t, writeSummaryText(&txt, &s, 100, textStyles{}))
	triageGolden(t, name+".json", j.Bytes())
	triageGolden(t, name+".txt", txt.Bytes())
}

// TestTriageCommand runs `esxdiag triage` through cobra: flags, exit codes,
// summary formats.
func TestTriageCommand(t *testing.T) {
	chdirTemp(t)
	e2eFleet(t, "in")
	writeFile(t, "myrules/latency.toml", []byte(`[[rule]]
id = "user-latency"
severity = "warning"
title = "Device latency deteriorated (user rule)"
kinds = ["vmkernel", "vobd"]
keywords = ["performance has deteriorated"]
regexp = '''[Dd]evice (?P<object>\S+) performance has deteriorated'''
group_by = "object"
`))
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"triage", "--format", "csv", "in"}, exitUsage, "unreadable,?,"},
		{[]string{"triage", "--format", "markdown", "in/esx03.tgz"}, exitOK, "| esx03.lab.local | 7.0.3 (21424296) |"},
		{[]string{"triage", "--fail-on", "critical", "-f", "json", "in/rack2/esx06.tgz", "in/rack2/esx07.tgz"}, exitOK, `"hosts": 2`},
		{[]string{"triage", "in/esx01.tgz"}, exitFindings, "hostdstats-exhausted×"},
		{[]string{"triage", "-j", "2", "--out", "res", "in/rack2"}, exitFindings, "esx05.lab.local"},
		{[]string{"triage", "--rules", "myrules", "--fail-on", "WARNING", "in/rack2/esx05.tgz"}, exitFindings, "user-latency (warning) on 1 of 1 hosts"},
		{[]string{"triage", "--rules", "no-such-dir", "in/esx03.tgz"}, exitUsage, ""},
		{[]string{"triage"}, exitUsage, ""},
		{[]string{"triage", "--format", "html", "in"}, exitUsage, ""},
		{[]string{"triage", "nothing-*.tgz"}, exitUsage, ""},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			root := newRootCmd()
			var out bytes.Buffer
			root.SetOut(&out)
			root.SetErr(io.Discard)
			root.SetArgs(c.args)
			err := root.Execute()
			code := exitOK
			if err != nil {
				code = exitUsage
				if ee, ok := err.(*exitError); ok {
					code = ee.code
				}
			}
			require.Equal(t, c.code, code, "%v\n%s", err, out.String())
			require.Contains(t, out.String(), c.want)
		})
	}
	require.FileExists(t, "res/summary.json")
}

// BenchmarkTriage compares triaging N bundles with --jobs 2 (each bundle
// GOMAXPROCS/2 workers) against analyzing them one after another with all
// workers (what a loop of `esxdiag analyze` does), over the same inputs.
// Size with ESXDIAG_BENCH_BUNDLES (default 20) and ESXDIAG_BENCH_MB (per
// bundle, uncompressed logs; default 4); ESXDIAG_BENCH_ROTATE_MB (default 4)
// rotates logs into .gz members of that size, 0 keeps one stream per log.
func BenchmarkTriage(b *testing.B) {
	n, mb, rot := envInt("ESXDIAG_BENCH_BUNDLES", 20), envInt("ESXDIAG_BENCH_MB", 4), envInt("ESXDIAG_BENCH_ROTATE_MB", 4)
	dir := b.TempDir()
	var total, raw int64
	for i := range n {
		cfg := synthCfg(i, synth.ESXi7, synth.APD)
		cfg.TargetBytes, cfg.RotateBytes = int64(mb)<<20, int64(rot)<<20
		p := filepath.Join(dir, fmt.Sprintf("b%02d.tgz", i))
		writeFile(b, p, synthBundle(b, cfg))
		raw += cfg.TargetBytes
		st, _ := os.Stat(p)
		total += st.Size()
	}
	catalog := rules.Builtin()
	procs := runtime.GOMAXPROCS(0)
	for _, c := range []struct {
		name          string
		jobs, workers int
	}{
		{"sequential-analyze", 1, procs},
		{"triage-jobs2", 2, max(1, procs/2)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(total) // compressed input, as the progress line counts
			b.ReportAllocs()
			peak := samplePeakHeap()
			start := time.Now()
			for b.Loop() {
				cfg := testConfig(dir)
				cfg.Jobs, cfg.Format = c.jobs, "json"
				runTriage(context.Background(), cfg, engineAnalyzer(catalog, c.workers), io.Discard, io.Discard)
			}
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(raw)*float64(b.N)/el/1e6, "MB-uncompressed/s")
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
		})
	}
}

// samplePeakHeap samples the live heap every 5ms until the returned
// function is called, which stops sampling and returns the peak in bytes.
func samplePeakHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak
	}
}

func envInt(name string, def int) int {
	var v int
	if _, err := fmt.Sscan(os.Getenv(name), &v); err == nil && v >= 0 {
		return v
	}
	return def
}

// TestTriageE2EPathological: a decompression bomb, a bundle with one huge
// line and a truncated one next to a good bundle; every one gets a row,
// nothing panics, the good one is triaged normally.
func TestTriageE2EPathological(t *testing.T) {
	chdirTemp(t)
	good := synthCfg(1, synth.ESXi7, synth.PDL)
	good.Host = "good.lab"
	writeFile(t, "in/good.tgz", synthBundle(t, good))
	tarOf := func(root string, name string, body []byte) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		tw.WriteHeader(&tar.Header{Name: root + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write(body)
		tw.Close()
		return b.Bytes()
	}
	// 64 MiB of zeros as a nested .gz log: far beyond the expansion ratio.
	writeFile(t, "in/bomb.tgz", gz(t, tarOf("esx-bomb.lab-2024-03-07--10.15-1/", "var/run/log/vmkernel.0.gz", gz(t, make([]byte, 64<<20)))))
	// One 8 MiB line.
	writeFile(t, "in/longline.tgz", gz(t, tarOf("esx-long.lab-2024-03-07--10.15-1/", "var/run/log/vmkernel.log", bytes.Repeat([]byte("x"), 8<<20))))
	var stdout bytes.Buffer
	cfg := e2eConfig(3, "")
	cfg.Format = "json"
	_, err := runTriage(context.Background(), cfg, engineAnalyzer(rules.Builtin(), 1), &stdout, io.Discard)
	_ = err
	var sum triageSummary
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &sum))
	require.Equal(t, 3, sum.Bundles)
	byInput := map[string]summaryRow{}
	for _, r := range sum.Rows {
		byInput[r.Input] = r
	}
	require.Contains(t, byInput, "in/bomb.tgz")
	require.Contains(t, byInput, "in/longline.tgz")
	bomb := byInput["in/bomb.tgz"]
	require.True(t, bomb.Error != "" || bomb.ReadErrors > 0, "the bomb is reported: %+v", bomb)
	g := byInput["in/good.tgz"]
	require.Empty(t, g.Error)
	require.Equal(t, "critical", g.Worst)
}

func TestTriageE2EProgress(t *testing.T) {
	chdirTemp(t)
	e2eFleet(t, "in")
	var errOut syncBuffer
	cfg := e2eConfig(2, "")
	cfg.Progress = newTriageProgress(&errOut)
	cfg.Progress.interval = time.Millisecond
	var reads counter
	an := engineAnalyzer(rules.Builtin(), 1)
	counting := func(ctx context.Context, p string) (*bundleOutcome, error) {
		if fn := readProgress(ctx); fn != nil {
			ctx = withReadProgress(ctx, func(n int64) { reads.add(p); fn(n) })
		}
		return an(ctx, p)
	}
	runTriage(context.Background(), cfg, counting, io.Discard, io.Discard)
	require.Contains(t, errOut.String(), "/11 bundles")
	require.True(t, strings.HasSuffix(errOut.String(), "\r\033[K"), "the progress line is cleared at the end")
	require.NotEmpty(t, reads.snapshot(), "the engine reports bytes read of in-flight bundles")
}

// TestTriageWatchE2E: real bundles copied slowly into the watched folder
// are triaged once each, complete (no read error: a truncated tgz would
// give some).
func TestTriageWatchE2E(t *testing.T) {
	chdirTemp(t)
	require.NoError(t, os.MkdirAll("up", 0o755))
	writeFile(t, "src/a.tgz", synthBundle(t, synthCfg(1, synth.ESXi7, synth.APD)))
	var zb bytes.Buffer
	require.NoError(t, synth.WriteVCenterZip(&zb, []synth.Config{synthCfg(2, synth.ESXi8, synth.PDL), synthCfg(3, synth.ESXi7)}))
	writeFile(t, "src/vc.zip", zb.Bytes())

	var n counter
	var stdout syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := testConfig()
	cfg.Watch, cfg.Out, cfg.Poll, cfg.Jobs, cfg.OnAnalyzed = "up", "out", 150*time.Millisecond, 2, n.add
	done := make(chan struct{})
	go func() {
		defer close(done)
		runTriage(ctx, cfg, engineAnalyzer(rules.Builtin(), 1), &stdout, io.Discard)
	}()
	for _, f := range []string{"a.tgz", "vc.zip"} {
		st, err := os.Stat("src/" + f)
		require.NoError(t, err)
		copySlowly(t, "src/"+f, "up/"+f, int(st.Size()/40)+1, 10*time.Millisecond)
	}
	require.Eventually(t, func() bool { return len(n.snapshot()) == 2 }, 15*time.Second, 10*time.Millisecond)
	time.Sleep(3 * cfg.Poll)
	cancel()
	<-done
	require.Equal(t, map[string]int{"up/a.tgz": 1, "up/vc.zip": 1}, n.snapshot())
	var sum triageSummary
	b, err := os.ReadFile("out/summary.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &sum))
	require.Equal(t, 3, sum.Hosts)
	for _, r := range sum.Rows {
		require.Zero(t, r.ReadErrors, "%s was triaged before its copy completed", r.Host)
		require.Empty(t, r.Error)
	}
	require.Len(t, strings.Split(strings.TrimSpace(stdout.String()), "\n"), 2, stdout.String())
}

// readTree returns every file under dir by its relative path, to compare two
// results folders byte for byte.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files[rel] = string(b)
		return err
	})
	require.NoError(t, err)
	return files
}
