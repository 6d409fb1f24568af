package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxdiag/esxdiag/bundles/synth"
	"github.com/esxdiag/esxdiag/rules"
)

// ontapUpload writes what an engineer uploads for a SnapDrive verification
// case (issue 8, case 1): the bundle of the host that saw the 6/3f/0e storm
// (esx21, ua-storm on the filer's LUN), the bundle of a healthy host of the
// same cluster (esx22) and the filer's 7-Mode messages, generated from the
// first bundle's manifest. It returns the manifest for more filer logs.
func ontapUpload(t *testing.T, dir string) *synth.Manifest {
	t.Helper()
	at := time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC)
	storm := synth.Config{Host: "esx21.lab.local", Generation: synth.ESXi7, TargetBytes: 256 << 10, Seed: 21,
		CollectedAt: at, Problems: []synth.Problem{synth.UAStorm}}
	var tgz bytes.Buffer
	man, err := synth.Generate(&tgz, storm)
	require.NoError(t, err)
	writeFile(t, filepath.Join(dir, "esx21.tgz"), tgz.Bytes())
	clean := synth.Config{Host: "esx22.lab.local", Generation: synth.ESXi7, TargetBytes: 256 << 10, Seed: 22, CollectedAt: at}
	writeFile(t, filepath.Join(dir, "esx22.tgz"), synthBundle(t, clean))
	var filer bytes.Buffer
	require.NoError(t, synth.WriteONTAP(&filer, synth.ONTAPForManifest(man, synth.ONTAP7Mode)))
	writeFile(t, filepath.Join(dir, "filer1-messages.log"), filer.Bytes())
	return man
}

// TestTriageE2EOntap runs the built binary on an upload folder holding two
// ESXi bundles and a filer log: the log is found by content, each bundle is
// analyzed with it (the storm host's report links lun.map to its 3f/0e
// storm, the clean host's does not), the filer has its own row; a re-run
// skips everything; a second filer log in the folder re-triages the bundles.
func TestTriageE2EOntap(t *testing.T) {
	dir := t.TempDir()
	man := ontapUpload(t, filepath.Join(dir, "up"))
	uaDev, _ := synth.ProblemDevice(synth.UAStorm)

	run := func() triageSummary {
		t.Helper()
		stdout, stderr, code := runBinary(t, dir, []string{"triage", "-j", "2", "--format", "json", "--fail-on", "none", "--out", "res", "up"}, "")
		require.Equal(t, exitOK, code, stderr)
		var sum triageSummary
		require.NoError(t, json.Unmarshal([]byte(stdout), &sum), stdout)
		return sum
	}
	byHost := func(sum triageSummary) map[string]summaryRow {
		m := map[string]summaryRow{}
		for _, r := range sum.Rows {
			m[r.Host] = r
		}
		return m
	}
	report := func(r summaryRow) jsonReport {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "res", filepath.FromSlash(r.Report)))
		require.NoError(t, err)
		var rep jsonReport
		require.NoError(t, json.Unmarshal(b, &rep))
		return rep
	}
	findings := func(rep jsonReport, host string) map[string]string {
		got := map[string]string{}
		for _, h := range rep.Hosts {
			if h.Bundle.Host == host {
				for _, f := range h.Findings {
					got[f.RuleID] = f.Object
				}
			}
		}
		return got
	}

	sum := run()
	require.Equal(t, 3, sum.Bundles, "two bundles and the filer log")
	require.Equal(t, 1, sum.ONTAP)
	rows := byHost(sum)
	require.Contains(t, rows, "filer1", "the filer log has a row named by its node: %v", rows)
	filer := rows["filer1"]
	require.Equal(t, kindONTAP, filer.Kind)
	require.Equal(t, "up/filer1-messages.log", filer.Input)
	require.Empty(t, filer.Error)

	storm, clean := rows["esx21.lab.local"], rows["esx22.lab.local"]
	require.Equal(t, []string{"up/filer1-messages.log"}, storm.WithONTAP)
	require.Equal(t, []string{"up/filer1-messages.log"}, clean.WithONTAP)
	var ids []string
	for _, f := range storm.Findings {
		ids = append(ids, f.RuleID)
	}
	require.Contains(t, ids, "ontap-lun-map-ua", "summary row of the storm host")
	rep := report(storm)
	require.Equal(t, []string{"up/esx21.tgz", "up/filer1-messages.log"}, rep.Inputs)
	require.Equal(t, uaDev, findings(rep, "esx21.lab.local")["ontap-lun-map-ua"], "lun.map ↔ 3f/0e storm on the matching device")
	require.NotContains(t, findings(report(clean), "esx22.lab.local"), "ontap-lun-map-ua")
	for _, f := range clean.Findings {
		require.NotEqual(t, "ontap-lun-map-ua", f.RuleID)
	}

	// The per-bundle report is what `analyze --format json BUNDLE LOG` prints.
	want, _, _ := runBinary(t, filepath.Join(dir), []string{"analyze", "--format", "json", "up/esx21.tgz", "up/filer1-messages.log"}, "")
	got, err := os.ReadFile(filepath.Join(dir, "res", filepath.FromSlash(storm.Report)))
	require.NoError(t, err)
	require.Equal(t, want, string(got))

	text, _, _ := runBinary(t, dir, []string{"triage", "--fail-on", "none", "up"}, "")
	t.Log("\n" + text)
	require.Contains(t, text, "3 bundles, 3 hosts (1 ONTAP)")
	require.Regexp(t, `(?m)^\S+\s+filer1\s+ONTAP log\s`, text)
	require.Contains(t, text, "ONTAP logs: 1 of 1: filer1")

	csvOut, _, _ := runBinary(t, dir, []string{"triage", "--format", "csv", "--fail-on", "none", "up"}, "")
	require.Regexp(t, `(?m)^info,filer1,.*,up/filer1-messages.log,[0-9a-f]{64},,ontap$`, csvOut)

	// Re-run: nothing changed, nothing analyzed again, same summary.
	records := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, "res", "records", "*.json"))
		slices.Sort(m)
		return m
	}
	before := records()
	require.Len(t, before, 3)
	stamp := map[string]time.Time{}
	for _, p := range before {
		st, err := os.Stat(p)
		require.NoError(t, err)
		stamp[p] = st.ModTime()
	}
	time.Sleep(20 * time.Millisecond)
	require.Equal(t, sum, run())
	require.Equal(t, before, records())
	for _, p := range before {
		st, _ := os.Stat(p)
		require.Equal(t, stamp[p], st.ModTime(), "%s rewritten: the bundle was triaged again", p)
	}

	// A second filer log arrives: both bundles are triaged again, with both
	// logs (new resume key), and the new filer has its row.
	cfg2 := synth.ONTAPForManifest(man, synth.ONTAPEventLog)
	cfg2.Node = "filer2"
	var f2 bytes.Buffer
	require.NoError(t, synth.WriteONTAP(&f2, cfg2))
	writeFile(t, filepath.Join(dir, "up", "filer2-events.txt"), f2.Bytes())
	sum2 := run()
	require.Equal(t, 4, sum2.Bundles)
	require.Equal(t, 2, sum2.ONTAP)
	rows2 := byHost(sum2)
	require.Contains(t, rows2, "filer2")
	both := []string{"up/filer1-messages.log", "up/filer2-events.txt"}
	for _, h := range []string{"esx21.lab.local", "esx22.lab.local"} {
		require.Equal(t, both, rows2[h].WithONTAP, h)
		require.NotEqual(t, rows[h].Report, rows2[h].Report, "%s: a new report for the new group", h)
	}
	require.Equal(t, filer.Report, rows2["filer1"].Report, "the first filer log itself did not change")
	require.Len(t, records(), 6, "2 bundles × 2 groups + 2 filer logs")
	require.Equal(t, uaDev, findings(report(rows2["esx21.lab.local"]), "esx21.lab.local")["ontap-lun-map-ua"])
}

// TestTriageOntapJobs: with ONTAP logs in the folder, --jobs 1 and --jobs 4
// give the same bytes (summary and results folder).
func TestTriageOntapJobs(t *testing.T) {
	chdirTemp(t)
	ontapUpload(t, "in/case1")
	// Another upload folder with a bundle and no filer log: not grouped.
	writeFile(t, "in/other/esx23.tgz", synthBundle(t, synthCfg(23, synth.ESXi8, synth.UAStorm)))
	catalog := rules.Builtin()
	outs := map[int]map[string]string{}
	var texts []string
	for _, jobs := range []int{1, 4} {
		out := fmt.Sprintf("out-j%d", jobs)
		cfg := e2eConfig(jobs, out)
		cfg.FailOn = "none"
		var stdout bytes.Buffer
		code, err := runTriage(context.Background(), cfg, engineAnalyzer(catalog, max(1, runtime.GOMAXPROCS(0)/jobs)), &stdout, io.Discard)
		require.NoError(t, err)
		require.Equal(t, exitOK, code)
		texts = append(texts, stdout.String())
		outs[jobs] = readTree(t, out)
	}
	require.Equal(t, texts[0], texts[1])
	require.Equal(t, outs[1], outs[4])
	var sum triageSummary
	require.NoError(t, json.Unmarshal([]byte(outs[1]["summary.json"]), &sum))
	rows := map[string]summaryRow{}
	for _, r := range sum.Rows {
		rows[r.Host] = r
	}
	triageGoldenSummary(t, "ontap-summary", sum)
	require.Empty(t, rows["esx23.lab.local"].WithONTAP, "a bundle of another folder is not grouped with the filer log")
	require.Equal(t, []string{"in/case1/filer1-messages.log"}, rows["esx21.lab.local"].WithONTAP)
	for _, f := range rows["esx23.lab.local"].Findings {
		require.NotEqual(t, "ontap-lun-map-ua", f.RuleID)
	}
}

// TestTriageWatchOntap: a bundle uploaded alone is triaged alone; when the
// filer log arrives in the same folder, the log gets its row and the bundle
// is triaged again with it.
func TestTriageWatchOntap(t *testing.T) {
	chdirTemp(t)
	ontapUpload(t, "src")
	require.NoError(t, os.MkdirAll("up", 0o755))
	var n counter
	var stdout syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := testConfig()
	cfg.Watch, cfg.Out, cfg.Poll, cfg.Jobs, cfg.OnAnalyzed = "up", "out", 100*time.Millisecond, 2, n.add
	done := make(chan struct{})
	go func() {
		defer close(done)
		runTriage(ctx, cfg, engineAnalyzer(rules.Builtin(), 1), &stdout, io.Discard)
	}()
	mv := func(name string) {
		b, err := os.ReadFile("src/" + name)
		require.NoError(t, err)
		writeFile(t, "up/.part", b)
		require.NoError(t, os.Rename("up/.part", "up/"+name))
	}
	mv("esx21.tgz")
	require.Eventually(t, func() bool { return n.snapshot()["up/esx21.tgz"] == 1 }, 15*time.Second, 10*time.Millisecond)
	mv("filer1-messages.log")
	require.Eventually(t, func() bool { return n.snapshot()["up/esx21.tgz"] == 2 }, 15*time.Second, 10*time.Millisecond)
	time.Sleep(3 * cfg.Poll)
	cancel()
	<-done
	require.Equal(t, map[string]int{"up/esx21.tgz": 2, "up/filer1-messages.log": 1}, n.snapshot())
	var sum triageSummary
	b, err := os.ReadFile("out/summary.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &sum))
	require.Equal(t, 2, sum.Hosts, "the bundle's row was replaced, the filer has one")
	require.Equal(t, 1, sum.ONTAP)
	for _, r := range sum.Rows {
		if r.Host == "esx21.lab.local" {
			require.Equal(t, []string{"up/filer1-messages.log"}, r.WithONTAP)
			require.Equal(t, "ontap-lun-map-ua", r.Findings[0].RuleID)
		}
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.Len(t, lines, 3, stdout.String())
	require.Contains(t, stdout.String(), "filer1 ONTAP log")
}

func TestClassifyFile(t *testing.T) {
	dir := t.TempDir()
	seven := "Mon Mar  5 10:00:00 EST [filer1:wafl.vol.full:notice]: file system full on volume vol1\n" +
		"Mon Mar  5 10:00:02 EST [filer1:lun.map:info]: LUN /vol/vol1/lun0 was mapped to initiator group esx=3\n"
	var tgz bytes.Buffer
	require.NoError(t, synth.Write(&tgz, synthCfg(1, synth.ESXi7)))
	for _, c := range []struct {
		name string
		data []byte
		want fileKind
	}{
		{"messages", []byte(seven), fileONTAP},
		{"messages.gz", gz(t, []byte(seven)), fileONTAP},
		{"esx.tgz", tgz.Bytes(), fileBundle},
		{"upload.bin", tgz.Bytes(), fileBundle},
		{"notes.txt", []byte("hello\nworld\n"), fileOther},
		{"vmkernel.log", []byte("2024-03-07T10:00:00.000Z cpu1:2097)WARNING: NMP: nmp_DeviceRequestFastDeviceProbe:237: x\n"), fileOther},
		{"broken.tgz", []byte("not an archive"), fileBundle},
	} {
		p := filepath.Join(dir, c.name)
		writeFile(t, p, c.data)
		require.Equal(t, c.want, classifyFile(p), c.name)
	}
}

// TestTriageOntapReadErrors: a truncated bundle analyzed with a filer log
// keeps its read errors on its own row, and the filer's row has none.
func TestTriageOntapReadErrors(t *testing.T) {
	chdirTemp(t)
	man := ontapUpload(t, "src")
	trunc := synthCfg(24, synth.ESXi7, synth.PDL)
	trunc.Damage = []synth.Damage{synth.Truncated}
	writeFile(t, "in/esx24.tgz", synthBundle(t, trunc))
	var filer bytes.Buffer
	require.NoError(t, synth.WriteONTAP(&filer, synth.ONTAPForManifest(man, synth.ONTAP7Mode)))
	writeFile(t, "in/filer1-messages.log", filer.Bytes())
	cfg := e2eConfig(2, "res")
	cfg.Format, cfg.FailOn = "json", "none"
	var stdout bytes.Buffer
	runTriage(context.Background(), cfg, engineAnalyzer(rules.Builtin(), 1), &stdout, io.Discard)
	recs, _ := filepath.Glob("res/records/*.json")
	for _, p := range recs {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		var rec bundleRecord
		require.NoError(t, json.Unmarshal(b, &rec))
		if rec.Kind == kindONTAP {
			require.Zero(t, rec.ReadErrorN, "the log's record")
		} else {
			require.Positive(t, rec.ReadErrorN, "the truncated bundle's record keeps its read errors")
			require.NotEqual(t, rec.SHA256, rec.Key, "keyed with the log")
		}
	}
	require.Len(t, recs, 2)
	var sum triageSummary
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &sum), stdout.String())
	rows := map[string]summaryRow{}
	for _, r := range sum.Rows {
		rows[r.Host] = r
	}
	require.Contains(t, rows, "esx24.lab.local")
	require.Contains(t, rows, "filer1")
	require.Positive(t, rows["esx24.lab.local"].ReadErrors)
	require.Equal(t, []string{"in/filer1-messages.log"}, rows["esx24.lab.local"].WithONTAP)
	require.Zero(t, rows["filer1"].ReadErrors)
}

// BenchmarkClassifyFile measures discovery's sniff of one candidate file
// (ONTAP log or archive): it reads up to ontapSniffBytes, inflating a gzip
// head. Bytes/op is the head read.
func BenchmarkClassifyFile(b *testing.B) {
	dir := b.TempDir()
	var tgz bytes.Buffer
	require.NoError(b, synth.Write(&tgz, synthCfg(1, synth.ESXi7)))
	man, err := synth.Generate(io.Discard, synthCfg(2, synth.ESXi7, synth.UAStorm))
	require.NoError(b, err)
	var filer bytes.Buffer
	require.NoError(b, synth.WriteONTAP(&filer, synth.ONTAPForManifest(man, synth.ONTAP7Mode)))
	for _, c := range []struct {
		name string
		data []byte
		want fileKind
	}{
		{"bundle.tgz", tgz.Bytes(), fileBundle},
		{"filer-messages.log", filer.Bytes(), fileONTAP},
	} {
		p := filepath.Join(dir, c.name)
		writeFile(b, p, c.data)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(min(len(c.data), ontapSniffBytes)))
			b.ReportAllocs()
			for b.Loop() {
				if classifyFile(p) != c.want {
					b.Fatal("wrong kind")
				}
			}
		})
	}
}
