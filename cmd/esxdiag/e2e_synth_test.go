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

// TestE2ESynthVCenter runs the binary on a generated vCenter export of two
// hosts (ESXi 7 and 8, rotated .gz logs) and checks that each problem the
// generator injected comes out as a finding on the right host, in JSON
// (schema-valid) and in a 100-column text report.
func TestE2ESynthVCenter(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC)
	cfgs := []synth.Config{
		{Host: "esx7.lab.local", Generation: synth.ESXi7, CollectedAt: at, Seed: 7, TargetBytes: 512 << 10, RotateBytes: 128 << 10,
			Problems: []synth.Problem{synth.APD, synth.HostdStatsFull}},
		{Host: "esx8.lab.local", Generation: synth.ESXi8, CollectedAt: at, Seed: 8, TargetBytes: 512 << 10, RotateBytes: 128 << 10,
			Problems: []synth.Problem{synth.PDL, synth.EsxConfLock}},
	}
	var zbuf bytes.Buffer
	require.NoError(t, synth.WriteVCenterZip(&zbuf, cfgs))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vc.zip"), zbuf.Bytes(), 0o644))

	stdout, stderr, code := runBinary(t, dir, []string{"analyze", "--format", "json", "vc.zip"}, "")
	require.Equal(t, exitFindings, code, stderr)
	validateReportJSON(t, []byte(stdout))
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	want := map[string][]string{
		"esx7.lab.local": {"apd-timeout", "hostdstats-exhausted"},
		"esx8.lab.local": {"pdl", "esxconf-lock-contention"},
	}
	require.Len(t, rep.Hosts, 2)
	for _, h := range rep.Hosts {
		fired := map[string]bool{}
		for _, f := range h.Findings {
			fired[f.RuleID] = true
		}
		for _, id := range want[h.Bundle.Host] {
			require.True(t, fired[id], "host %s: %s did not fire (fired: %v)", h.Bundle.Host, id, fired)
		}
		require.Equal(t, "vcenter-export", h.Bundle.Kind)
		require.NotEmpty(t, h.Bundle.Version)
	}

	text, stderr, code := runBinary(t, dir, []string{"analyze", "vc.zip"}, "")
	require.Equal(t, exitFindings, code, stderr)
	assertWidth(t, text, 100)
	require.Contains(t, text, "── Host esx7.lab.local")
	require.Contains(t, text, "── Host esx8.lab.local")
}
