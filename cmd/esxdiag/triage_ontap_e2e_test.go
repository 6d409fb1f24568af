package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxdiag/esxdiag/bundles/synth"
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
