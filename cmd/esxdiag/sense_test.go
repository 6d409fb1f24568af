package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// runSense runs `esxdiag sense args...` with stdin and returns stdout, the
// error text and the exit code main would use.
func runSense(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append([]string{"sense"}, args...))
	err := root.Execute()
	if err == nil {
		return out.String(), "", exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return out.String(), err.Error(), ee.code
	}
	return out.String(), err.Error(), exitUsage
}

const pasted = `2015-04-01T22:22:35.038Z cpu22:44012977)ScsiDeviceIO: 2927: Cmd(0x439e4fc3c0c0) 0x2a, CmdSN 0x8000004c from world 2099 to dev "naa.600a0980" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x29 0x0.
just some noise
WARNING: SCSI: 5663: vmhba0:0:1:1 status = 40/0 0x0 0x0 0x0
Cmd 0x28 to dev "naa.6" Failed: H:0x8 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0.
WARNING: NMP: nmp_PathDetermineFailure:2084: Cmd (0x2a) PDL error (0x5/0x25/0x0) - path vmhba2:C0:T0:L1 device naa.6 - triggering path failover
… failed H:0×0 D:0×2 P:0×0 Valid sense data: 0×4 0×44 0×0
2023-08-08T15:08:36.834Z Wa(180) vmkwarning: cpu0:263421)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x45a2c0d1b040, 2097617) to dev "naa.6" on path "vmhba2:C0:T1:L4" Failed:
2023-08-08T15:08:36.834Z Wa(180) vmkwarning: cpu0:263421)NMP: nmp_ThrottleLogForDevice:3901: H:0x0 D:0x2 P:0x5 Valid sense data: 0xe 0x1d 0x0. Act:NONE
`

func TestSenseGolden(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
	}{
		{"triple", []string{"0x6", "0x3f", "0xe"}, "", exitOK},
		{"triple-quoted", []string{"0x7 0x27 0x7"}, "", exitOK},
		{"line", []string{`Command 0x28 to device "naa.600a0980" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`}, "", exitOK},
		{"fragment-no-sense", []string{"H:0x8 D:0x0 P:0x0"}, "", exitOK},
		{"esx35", []string{"status = 2/0 0x5 0x24 0x0"}, "", exitOK},
		{"vendor-specific", []string{"0x4 0x84 0x21"}, "", exitOK},
		{"raw-fixed", []string{"--raw", "f0 00 03 00 00 12 34 0a 00 00 00 00 11 00 00 00 00 00"}, "", exitOK},
		{"raw-packed-progress", []string{"--raw", "700002000000000a000000000404008080 00"}, "", exitOK},
		{"raw-descriptor", []string{"--raw", "72 05 24 00 00 00 00 14 00 0a 80 00 00 00 00 00 00 00 10 00 02 06 00 00 cb 00 02 00"}, "", exitOK},
		{"stdin", []string{"-"}, pasted, exitOK},
		{"stdin-noargs", nil, pasted, exitOK},
		{"json-triple", []string{"--json", "0x6", "0x3f", "0xe"}, "", exitOK},
		{"json-stdin", []string{"--json", "-"}, pasted, exitOK},
		{"json-raw", []string{"--json", "--raw", "72 0b 00 00 00 00 00 1a 03 02 00 09 09 0c 01 04 00 10 11 22 33 44 55 66 40 51 02 06 00 00 80 01 00 00"}, "", exitOK},
		{"bad-text", []string{"hello", "world"}, "", exitUsage},
		{"bad-triple", []string{"0x16 0x3f 0xe"}, "", exitUsage},
		{"bad-hex", []string{"--raw", "70 0g"}, "", exitUsage},
		{"truncated-buffer", []string{"--raw", "70 00 06 00 00 00 00 0a 00 00"}, "", exitUsage},
		{"raw-with-args", []string{"--raw", "70", "extra"}, "", exitUsage},
		{"stdin-nothing", []string{"-"}, "no status here\n", exitUnrecognised},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errText, code := runSense(t, tc.stdin, tc.args...)
			require.Equal(t, tc.code, code, "stderr: %s", errText)
			got := out
			if errText != "" {
				got += "error: " + errText + "\n"
			}
			require.NotContains(t, got, "\x1b[", "no ANSI styling when stdout is not a terminal")
			golden := filepath.Join("testdata", "sense", tc.name+".golden")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./cmd/esxdiag -update to create it")
			require.Equal(t, string(want), got)
		})
	}
}

func TestSenseJSONSchema(t *testing.T) {
	out, _, code := runSense(t, pasted, "--json")
	require.Equal(t, exitOK, code)
	var doc struct {
		Schema  string `json:"schema"`
		Results []struct {
			Line  int    `json:"line"`
			Form  string `json:"form"`
			Class struct {
				ID string `json:"id"`
			} `json:"class"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Equal(t, "esxdiag.sense/v1", doc.Schema)
	var got []string
	for _, r := range doc.Results {
		got = append(got, r.Form+":"+r.Class.ID)
	}
	require.Equal(t, []string{"esxi:power-on-reset", "esx35:queue-full", "esxi:host-reset", "pdl:pdl", "esxi:hardware-error", "esxi:ats-miscompare"}, got)
	require.Equal(t, 3, doc.Results[1].Line)
}

func TestUseColor(t *testing.T) {
	require.False(t, useColor(&bytes.Buffer{}))
	t.Setenv("NO_COLOR", "1")
	require.False(t, useColor(os.Stdout))
}
