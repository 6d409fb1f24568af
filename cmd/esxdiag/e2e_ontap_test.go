package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxdiag/esxdiag/bundles/synth"
)

// TestE2EOntapTogether runs the binary the way issue 8 asks engineers to:
// `esxdiag analyze esx-host.tgz filer-messages.log`. The generated ESXi
// bundle has a 6/3f/0e storm and a 7/27/07 out-of-space device; the filer log
// generated from the same manifest maps that LUN and fills that volume. One
// report must link both, naming the array LUN and the host device; each input
// alone leaves the correlation rules not evaluable.
func TestE2EOntapTogether(t *testing.T) {
	dir := t.TempDir()
	cfg := synth.Config{Host: "esx07", Generation: synth.ESXi7, TargetBytes: 512 << 10, Seed: 7,
		CollectedAt: time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC),
		Problems:    []synth.Problem{synth.UAStorm, synth.ThinProvNoSpace}}
	var tgz bytes.Buffer
	man, err := synth.Generate(&tgz, cfg)
	require.NoError(t, err)
	var filer bytes.Buffer
	require.NoError(t, synth.WriteONTAP(&filer, synth.ONTAPForManifest(man, synth.ONTAP7Mode)))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "esx07.tgz"), tgz.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "filer1-messages.log"), filer.Bytes(), 0o644))

	stdout, stderr, code := runBinary(t, dir, []string{"analyze", "--format", "json", "esx07.tgz", "filer1-messages.log"}, "")
	require.Equal(t, exitFindings, code, stderr)
	validateReportJSON(t, []byte(stdout))
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	require.Equal(t, []string{"esx07.tgz", "filer1-messages.log"}, rep.Inputs)
	uaDev, _ := synth.ProblemDevice(synth.UAStorm)
	spDev, _ := synth.ProblemDevice(synth.ThinProvNoSpace)
	got := map[string]string{} // rule -> object on host esx07
	for _, h := range rep.Hosts {
		if h.Bundle.Host != "esx07" {
			continue
		}
		require.Equal(t, "esx07.tgz", h.Input)
		for _, f := range h.Findings {
			got[f.RuleID] = f.Object
		}
	}
	require.Equal(t, uaDev, got["ontap-lun-map-ua"], "lun.map ↔ 3f/0e storm on the matching device (findings: %v)", got)
	require.Contains(t, got, "ontap-space-host", "full volume ↔ 7/27/07 (findings: %v)", got)
	text, _, _ := runBinary(t, dir, []string{"analyze", "esx07.tgz", "filer1-messages.log"}, "")
	require.Contains(t, text, spDev)

	// One side alone: the correlation is not evaluable, with the reason.
	alone, stderr, _ := runBinary(t, dir, []string{"analyze", "--format", "json", "esx07.tgz"}, "")
	var one jsonReport
	require.NoError(t, json.Unmarshal([]byte(alone), &one), stderr)
	for _, h := range one.Hosts {
		for _, s := range h.Rules {
			if s.RuleID == "ontap-lun-map-ua" {
				require.Equal(t, "not-evaluable", s.State)
				require.NotEmpty(t, s.Reason)
			}
		}
	}
}
