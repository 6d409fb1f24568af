package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxdiag/esxdiag/rules"
)

// e2eHost describes one generated host bundle. Problems are rule IDs; the
// bundle gets each rule's first positive catalog sample in its vmkernel log,
// so what is injected is what the rule is documented to catch.
type e2eHost struct {
	host, version, build string
	at                   time.Time
	problems             []string
}

var (
	e2eB1 = [2]string{"7.0.3", "21930508"}
	e2eB2 = [2]string{"8.0.2", "22380479"}
)

func ruleSample(t testing.TB, id string) string {
	for _, r := range rules.Builtin().Rules() {
		if r.ID != id {
			continue
		}
		for _, s := range r.Samples {
			if s.Match && (s.Kind == 0 || s.Kind.String() == "vmkernel") {
				return s.Line
			}
		}
	}
	t.Fatalf("rule %s has no positive vmkernel sample", id)
	return ""
}

// hostTar returns the tar of an ESXi vm-support bundle for h.
func hostTar(t testing.TB, h e2eHost) []byte {
	root := fmt.Sprintf("esx-%s-%s-%d/", h.host, h.at.UTC().Format("2006-01-02--15.04"), 4000+len(h.host))
	var log strings.Builder
	rng := rand.New(rand.NewPCG(uint64(len(h.host)), uint64(h.at.Unix())))
	for i := range 400 { // noise, with the problems spread among it
		fmt.Fprintf(&log, "%s cpu%d:%d)Vol3: 2687: Could not open device '%x' for probing: No such device\n",
			h.at.Add(time.Duration(i-400)*time.Second).UTC().Format("2006-01-02T15:04:05.000Z"), rng.IntN(16), 2097000+rng.IntN(999), rng.Uint64())
		if i%97 == 50 && len(h.problems) > 0 {
			for _, p := range h.problems {
				log.WriteString(ruleSample(t, p) + "\n")
			}
		}
	}
	files := []struct{ name, body string }{
		{"commands/vmware_-vl.txt", fmt.Sprintf("VMware ESXi %s build-%s\nVMware ESXi %s GA\n", h.version, h.build, h.version)},
		{"var/run/log/vmkernel.log", log.String()},
		{"var/run/log/hostd.log", h.at.UTC().Format("2006-01-02T15:04:05.000Z") + " info hostd[2099001] [Originator@6876 sub=Default] Ready\n"},
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: root + f.name, Mode: 0o644, Size: int64(len(f.body)), ModTime: h.at, Typeflag: tar.TypeReg}))
		tw.Write([]byte(f.body))
	}
	require.NoError(t, tw.Close())
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

// e2eFleet writes 11 inputs (12 hosts, two builds) under dir: single-host
// tgz bundles, one found by content under a meaningless name, a vCenter zip
// with two hosts, one truncated bundle (read errors) and one corrupt file.
func e2eFleet(t testing.TB, dir string) {
	at := time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC)
	host := func(n int, b [2]string, problems ...string) e2eHost {
		return e2eHost{host: fmt.Sprintf("esx%02d.lab.local", n), version: b[0], build: b[1], at: at.Add(time.Duration(n) * time.Hour), problems: problems}
	}
	singles := []struct {
		name string
		h    e2eHost
	}{
		{"esx01.tgz", host(1, e2eB1, "apd-start", "path-failover")},
		{"esx02.tgz", host(2, e2eB1, "apd-start")},
		{"esx03.tgz", host(3, e2eB1)},
		{"rack2/esx04.tgz", host(4, e2eB2, "pdl")},
		{"rack2/esx05.tgz", host(5, e2eB2, "apd-start", "vmfs-heap-exhausted")},
		{"rack2/esx06.tgz", host(6, e2eB2, "io-latency-deteriorated")},
		{"rack2/esx07.tgz", host(7, e2eB2)},
		{"uploads/upload-7f3a.bin", host(11, e2eB1, "vmfs-heap-exhausted")}, // found by content
	}
	for _, s := range singles {
		writeFile(t, filepath.Join(dir, s.name), gz(t, hostTar(t, s.h)))
	}
	// vCenter export: a zip of two host tgz bundles.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, h := range []e2eHost{host(8, e2eB1, "path-failover"), host(9, e2eB2, "apd-start")} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "esx-" + h.host + ".tgz", Method: zip.Store, Modified: at})
		require.NoError(t, err)
		w.Write(gz(t, hostTar(t, h)))
	}
	require.NoError(t, zw.Close())
	writeFile(t, filepath.Join(dir, "vcenter/vc-export.zip"), zb.Bytes())
	// Truncated upload: readable in part.
	full := gz(t, hostTar(t, host(10, e2eB2, "pdl")))
	writeFile(t, filepath.Join(dir, "rack2/esx10-truncated.tgz"), full[:len(full)*2/3])
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
		files := map[string]string{}
		filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				b, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(out, p)
				files[rel] = string(b)
			}
			return nil
		})
		outputs[jobs] = files
	}
	require.Equal(t, summaries[0], summaries[1], "text summary differs between --jobs 1 and 4")
	require.Equal(t, outputs[1], outputs[4], "results folder differs between --jobs 1 and 4")
	triageGolden(t, "e2e-summary.txt", []byte(summaries[0]))
	triageGolden(t, "e2e-summary.json", []byte(outputs[1]["summary.json"]))

	var sum triageSummary
	require.NoError(t, json.Unmarshal([]byte(outputs[1]["summary.json"]), &sum))
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
		"esx01.lab.local": {"apd-start", "path-failover"},
		"esx04.lab.local": {"pdl"},
		"esx09.lab.local": {"apd-start"},
		"esx11.lab.local": {"vmfs-heap-exhausted"},
	} {
		for _, id := range want {
			require.Contains(t, fired[host], id, host)
		}
	}
	require.Empty(t, fired["esx03.lab.local"], "a clean host has no finding")

	r := rowOf(sum, "esx01.lab.local")
	require.Equal(t, "7.0.3", r.Version)
	require.Equal(t, "21930508", r.Build)
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
	require.Equal(t, []string{"21930508:2/5", "22380479:2/6"}, builds)

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
	want, err := os.ReadFile(filepath.Join(goldenDir, "e2e-summary.txt"))
	require.NoError(t, err)
	require.Equal(t, string(want), resumed.String())
}

// TestTriageCommand runs `esxdiag triage` through cobra: flags, exit codes,
// summary formats.
func TestTriageCommand(t *testing.T) {
	chdirTemp(t)
	e2eFleet(t, "in")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"triage", "--format", "csv", "in"}, exitUsage, "unreadable,?,"},
		{[]string{"triage", "--format", "markdown", "in/esx03.tgz"}, exitOK, "| ok | esx03.lab.local |"},
		{[]string{"triage", "--fail-on", "critical", "-f", "json", "in/esx02.tgz", "in/rack2/esx06.tgz"}, exitOK, `"hosts": 2`},
		{[]string{"triage", "in/esx01.tgz"}, exitFindings, "pdl×4"},
		{[]string{"triage", "-j", "2", "--out", "res", "in/rack2"}, exitFindings, "esx05.lab.local"},
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
// bundle, uncompressed vmkernel log; default 4).
func BenchmarkTriage(b *testing.B) {
	n, mb := envInt("ESXDIAG_BENCH_BUNDLES", 20), envInt("ESXDIAG_BENCH_MB", 4)
	dir := b.TempDir()
	var total, raw int64
	for i := range n {
		h := e2eHost{host: fmt.Sprintf("bench%02d", i), version: e2eB1[0], build: e2eB1[1],
			at: time.Date(2024, 3, 7, 10, 0, 0, 0, time.UTC), problems: []string{"apd-start"}}
		p := filepath.Join(dir, fmt.Sprintf("b%02d.tgz", i))
		tb := bigHostTar(b, h, mb<<20)
		raw += int64(len(tb))
		writeFile(b, p, gz(b, tb))
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
	if _, err := fmt.Sscan(os.Getenv(name), &v); err == nil && v > 0 {
		return v
	}
	return def
}

// bigHostTar is hostTar with a vmkernel log of about size bytes.
func bigHostTar(t testing.TB, h e2eHost, size int) []byte {
	root := fmt.Sprintf("esx-%s-%s-4242/", h.host, h.at.UTC().Format("2006-01-02--15.04"))
	var log bytes.Buffer
	rng := rand.New(rand.NewPCG(1, uint64(len(h.host))))
	for i := 0; log.Len() < size; i++ {
		fmt.Fprintf(&log, "%s cpu%d:%d)Vol3: 2687: Could not open device '%x' for probing: No such device\n",
			h.at.Add(time.Duration(i)*time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z"), rng.IntN(16), 2097000+rng.IntN(999), rng.Uint64())
		if i%5000 == 0 {
			for _, p := range h.problems {
				log.WriteString(ruleSample(t, p) + "\n")
			}
		}
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range []struct {
		name string
		body []byte
	}{
		{"commands/vmware_-vl.txt", []byte(fmt.Sprintf("VMware ESXi %s build-%s\n", h.version, h.build))},
		{"var/run/log/vmkernel.log", log.Bytes()},
	} {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: root + f.name, Mode: 0o644, Size: int64(len(f.body)), ModTime: h.at, Typeflag: tar.TypeReg}))
		tw.Write(f.body)
	}
	require.NoError(t, tw.Close())
	return b.Bytes()
}

// TestTriageE2EPathological: a decompression bomb, a bundle with one huge
// line and a truncated one next to a good bundle; every one gets a row,
// nothing panics, the good one is triaged normally.
func TestTriageE2EPathological(t *testing.T) {
	chdirTemp(t)
	at := time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC)
	good := e2eHost{host: "good.lab", version: e2eB1[0], build: e2eB1[1], at: at, problems: []string{"pdl"}}
	writeFile(t, "in/good.tgz", gz(t, hostTar(t, good)))
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
