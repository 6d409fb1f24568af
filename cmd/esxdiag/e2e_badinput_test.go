package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxdiag/esxdiag/bundles/synth"
)

// The quality bar: bad input (corrupt gzip, truncated tar, binary junk,
// 10 MB lines, path traversal names, unknown formats) gets a clear error
// naming the file and the offset, the rest of the bundle is still analysed
// and nothing panics. TestE2EBadInput checks it through the built binary,
// for analyze (JSON and text) and triage.

// badFail is a vmkernel failure that fires scsi-sense (info): with
// --fail-on info a finding makes the exit code 1.
const badFail = `2024-03-07T10:15:01.123Z cpu3:2097)ScsiDeviceIO: 4325: Cmd(0x45b8c1e3c8c8) 0x28, CmdSN 0x8000004a from world 2097 to dev "naa.600a098038303053453f463045726c56" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe` + "\n"

const badRoot = "esx-h1.lab.local-2024-03-07--10.30-1111"

type badEnt struct {
	name string
	body string
	typ  byte
}

func badTar(t *testing.T, ents ...badEnt) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mod := time.Date(2024, 3, 7, 10, 30, 0, 0, time.UTC)
	for _, e := range ents {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, ModTime: mod, Format: tar.FormatGNU}
		if typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		require.NoError(t, tw.WriteHeader(h))
		_, err := tw.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

func badGz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// synthDamaged writes a generated bundle with one damage mode and returns
// the archive name of the damaged entry ("" when the damage leaves none).
func synthDamaged(t *testing.T, path string, d synth.Damage) string {
	t.Helper()
	var buf bytes.Buffer
	m, err := synth.Generate(&buf, synth.Config{Host: "esx01.lab.local", Generation: synth.ESXi7, Seed: 3,
		TargetBytes: 2 << 20, RotateBytes: 256 << 10, FragBytes: 32 << 10,
		Problems: []synth.Problem{synth.APD, synth.PDL, synth.HostdStatsFull}, Damage: []synth.Damage{d}})
	require.NoError(t, err)
	require.Empty(t, m.Notes, "damage %s not applied", d)
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	for _, mi := range m.Members {
		if mi.Missing || mi.Corrupt || mi.Truncated {
			return mi.Name
		}
	}
	return ""
}

type badCase struct {
	name  string
	input string   // file or folder under the test directory
	flags []string // extra analyze flags
	exit  int      // analyze exit code (with --fail-on info)
	// A read error whose path contains errPath and whose message contains
	// errMsg must be reported, at offset >= 0 unless offsetUnknown.
	errPath, errMsg string
	offsetUnknown   bool
	noErr           bool     // no read error at all (recoverable damage)
	rules           []string // rules that must still fire on what is readable
	stderr          string   // substring of analyze's stderr
	triageExit      int
}

func badInputs(t *testing.T, dir string) []badCase {
	t.Helper()
	write := func(name string, data []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	vl := badEnt{name: badRoot + "/commands/vmware_-vl.txt", body: "VMware ESXi 7.0.3 build-21930508\nVMware ESXi 7.0 Update 3\n"}
	vmk := badEnt{name: badRoot + "/var/run/log/vmkernel.log", body: badFail}
	synthRules := []string{"apd-timeout", "pdl", "hostdstats-exhausted"}

	var cases []badCase
	for _, d := range []synth.Damage{synth.Truncated, synth.CorruptGz, synth.MissingFrag, synth.FragReversed} {
		name := "synth-" + string(d) + ".tgz"
		damaged := synthDamaged(t, filepath.Join(dir, name), d)
		c := badCase{name: "synth-" + string(d), input: name, exit: exitFindings, rules: synthRules, triageExit: exitFindings}
		switch d {
		case synth.Truncated:
			c.errPath, c.errMsg = damaged, "truncated"
		case synth.CorruptGz:
			c.errPath, c.errMsg = damaged, "corrupt data"
		case synth.MissingFrag:
			c.errPath, c.errMsg = damaged, "FRAG piece missing"
		case synth.FragReversed:
			c.noErr = true // all pieces are there: joined in numeric order
		}
		cases = append(cases, c)
	}

	// A vCenter export cut short at 2/3: no central directory; the hosts
	// before the cut are still analysed.
	var vc bytes.Buffer
	at := time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC)
	require.NoError(t, synth.WriteVCenterZip(&vc, []synth.Config{
		{Host: "esxa.lab.local", CollectedAt: at, Seed: 1, TargetBytes: 1 << 20, Problems: []synth.Problem{synth.APD}},
		{Host: "esxb.lab.local", CollectedAt: at, Seed: 2, TargetBytes: 1 << 20, Problems: []synth.Problem{synth.PDL}},
		{Host: "esxc.lab.local", CollectedAt: at, Seed: 3, TargetBytes: 1 << 20, Problems: []synth.Problem{synth.APD}},
	}))
	write("vc-cut.zip", vc.Bytes()[:vc.Len()*2/3])
	cases = append(cases, badCase{name: "vcenter-zip-cut", input: "vc-cut.zip", exit: exitFindings, errPath: "vc-cut.zip!esxb.lab.local",
		errMsg: "truncated", rules: []string{"apd-timeout"}, triageExit: exitFindings})

	rnd := make([]byte, 64<<10)
	for i := range rnd {
		rnd[i] = byte(i*7919 + i>>8*31 + 17)
	}
	write("junk.bin", rnd)
	cases = append(cases, badCase{name: "binary-junk", input: "junk.bin", exit: exitUnrecognised,
		errPath: "junk.bin", errMsg: "unrecognised input format", stderr: "junk.bin at offset 0", triageExit: exitUsage})

	// A 10 MB line (no newline for 10 MB) between two failures: the line is
	// cut, the failure after it is still found (count 2).
	long := badFail + "2024-03-07T10:15:02.000Z cpu1:1)" + strings.Repeat("A", 10<<20) + "\n" +
		strings.Replace(badFail, "10:15:01", "10:16:01", 1)
	write("longline.tgz", badGz(t, badTar(t, vl, badEnt{name: vmk.name, body: long})))
	// The engine reports where the first over-long line starts (offset and
	// line number).
	cases = append(cases, badCase{name: "10MB-line", input: "longline.tgz", exit: exitFindings,
		errPath: badRoot + "/var/run/log/vmkernel.log", errMsg: "longer than",
		rules: []string{"scsi-sense"}, triageExit: exitFindings})

	write("traversal.tar", badTar(t, vl, badEnt{name: "../../etc/passwd", body: "root:x:0:0::/root:/bin/sh\n"},
		badEnt{name: "/etc/shadow", body: "root:*:1::::::\n"}, vmk))
	cases = append(cases,
		badCase{name: "tar-dotdot", input: "traversal.tar", exit: exitFindings, errPath: "traversal.tar!../../etc/passwd",
			errMsg: "unsafe entry path", rules: []string{"scsi-sense"}, triageExit: exitFindings},
		badCase{name: "tar-absolute", input: "traversal.tar", exit: exitFindings, errPath: "traversal.tar!/etc/shadow",
			errMsg: "unsafe entry path", rules: []string{"scsi-sense"}, triageExit: exitFindings})

	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for _, n := range []string{"../evil.log", "a/../../evil2.log", badRoot + "/var/run/log/vmkernel.log"} {
		w, err := zw.Create(n)
		require.NoError(t, err)
		_, err = w.Write([]byte(badFail))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	write("traversal.zip", zbuf.Bytes())
	cases = append(cases, badCase{name: "zip-dotdot", input: "traversal.zip", exit: exitFindings, errPath: "traversal.zip!../evil.log",
		errMsg: "unsafe entry path", rules: []string{"scsi-sense"}, triageExit: exitFindings})

	// A gzip bomb: 64 MiB of newlines after one failure, 64 KiB compressed.
	write("bomb.log.gz", badGz(t, append([]byte(badFail), bytes.Repeat([]byte{'\n'}, 64<<20)...)))
	cases = append(cases,
		badCase{name: "gzip-bomb-default", input: "bomb.log.gz", exit: exitFindings, errPath: "bomb.log.gz",
			errMsg: "expansion ratio cap exceeded", rules: []string{"scsi-sense"}, triageExit: exitFindings},
		badCase{name: "gzip-bomb-max-ratio", input: "bomb.log.gz", flags: []string{"--max-ratio", "50"}, exit: exitFindings,
			errPath: "bomb.log.gz", errMsg: "(cap 50×)", rules: []string{"scsi-sense"}, triageExit: exitFindings},
		badCase{name: "gzip-bomb-max-total", input: "bomb.log.gz", flags: []string{"--max-total", "1MB"}, exit: exitFindings,
			errPath: "bomb.log.gz", errMsg: "total size cap exceeded", rules: []string{"scsi-sense"}, triageExit: exitFindings})

	write("empty.tgz", nil)
	cases = append(cases, badCase{name: "empty-file", input: "empty.tgz", exit: exitUnrecognised, errPath: "empty.tgz",
		errMsg: "empty input", stderr: "empty.tgz at offset 0", triageExit: exitUsage})

	write("unknown.txt", []byte(strings.Repeat("hello world\nthis is not a log at all\n", 10)))
	cases = append(cases, badCase{name: "unknown-text", input: "unknown.txt", exit: exitUnrecognised, noErr: true,
		stderr: "unknown.txt: nothing recognised", triageExit: exitUsage})

	// gzip magic then garbage: a corrupt outer stream, nothing readable.
	write("corrupt.tgz", []byte("\x1f\x8b\x08\x00garbage-not-deflate"))
	cases = append(cases, badCase{name: "corrupt-gzip-header", input: "corrupt.tgz", exit: exitUsage, errPath: "corrupt.tgz",
		errMsg: "corrupt data", stderr: "corrupt.tgz: input unreadable: corrupt.tgz at offset 0", triageExit: exitUsage})

	if os.Geteuid() != 0 { // root reads a mode-000 file anyway
		// An extracted bundle (commands/ next to var/, so triage takes the
		// folder as one bundle) with an unreadable log and an unreadable
		// folder: both named, the readable vmkernel.log still analysed.
		folder := filepath.Join(dir, badRoot)
		logs := filepath.Join(folder, "var", "run", "log")
		require.NoError(t, os.MkdirAll(logs, 0o755))
		require.NoError(t, os.MkdirAll(filepath.Join(folder, "commands"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(folder, "commands", "vmware_-vl.txt"), []byte(vl.body), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(logs, "vmkernel.log"), []byte(badFail), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(logs, "hostd.log"), []byte("secret\n"), 0o000))
		require.NoError(t, os.Mkdir(filepath.Join(folder, "var", "core"), 0o000))
		t.Cleanup(func() { os.Chmod(filepath.Join(folder, "var", "core"), 0o755) })
		cases = append(cases,
			badCase{name: "folder-unreadable-file", input: badRoot, exit: exitFindings,
				errPath: "hostd.log", errMsg: "permission denied", rules: []string{"scsi-sense"}, triageExit: exitFindings},
			badCase{name: "folder-unreadable-dir", input: badRoot, exit: exitFindings,
				errPath: "var/core", errMsg: "permission denied", rules: []string{"scsi-sense"}, triageExit: exitFindings})
	}
	return cases
}

func TestE2EBadInput(t *testing.T) {
	dir := t.TempDir()
	cases := badInputs(t, dir)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"analyze", "--fail-on", "info", "--format", "json"}, tc.flags...)
			stdout, stderr, code := runBinary(t, dir, append(args, tc.input), "")
			noPanic(t, stderr)
			require.Equal(t, tc.exit, code, "analyze exit code; stderr:\n%s", stderr)
			validateReportJSON(t, []byte(stdout))
			var rep jsonReport
			require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
			if tc.stderr != "" {
				require.Contains(t, stderr, tc.stderr)
			}

			var hit *jsonReadError
			for i, e := range rep.ReadErrors {
				if tc.errPath != "" && strings.Contains(e.Path, tc.errPath) && strings.Contains(e.Message, tc.errMsg) {
					hit = &rep.ReadErrors[i]
					break
				}
			}
			switch {
			case tc.noErr:
				require.Empty(t, rep.ReadErrors)
			default:
				require.NotNil(t, hit, "no read error on %q with %q in %+v", tc.errPath, tc.errMsg, rep.ReadErrors)
				require.True(t, strings.HasPrefix(hit.Path, tc.input), "virtual path %q starts with the input", hit.Path)
				if !tc.offsetUnknown {
					require.GreaterOrEqual(t, hit.Offset, int64(0))
				}
			}

			fired := map[string]bool{}
			for _, h := range rep.Hosts {
				for _, f := range h.Findings {
					fired[f.RuleID] = true
				}
			}
			for _, id := range tc.rules {
				require.True(t, fired[id], "%s did not fire on the readable rest (fired: %v)", id, fired)
			}

			// The text report names the same place.
			text, stderr, code := runBinary(t, dir, append([]string{"analyze", "--fail-on", "info"}, append(tc.flags, tc.input)...), "")
			noPanic(t, stderr)
			require.Equal(t, tc.exit, code, "analyze (text) exit code; stderr:\n%s", stderr)
			if hit != nil {
				want := hit.Path + " at offset " + fmt.Sprint(hit.Offset)
				if tc.offsetUnknown {
					want = hit.Path + ": "
				}
				errs := text[max(strings.Index(text, "Errors while reading"), 0):]
				require.True(t, strings.Contains(noSpace(errs), noSpace(want)), "text report lacks %q in:\n%s", want, errs)
			}
			for _, id := range tc.rules {
				require.True(t, strings.Contains(text, "["+id+"]"), "text report lacks [%s]", id)
			}

			// triage: a readable rest is a host row with its findings and a
			// read-error count; an unreadable input names path and offset.
			out, stderr, code := runBinary(t, dir, []string{"triage", "--fail-on", "info", "--format", "json", tc.input}, "")
			noPanic(t, stderr)
			require.Equal(t, tc.triageExit, code, "triage exit code; stderr:\n%s", stderr)
			var sum struct {
				Rows []struct {
					Findings []struct {
						Rule string `json:"rule"`
					} `json:"findings"`
					ReadErrors int    `json:"read_errors"`
					Error      string `json:"error"`
				} `json:"rows"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &sum), out)
			require.NotEmpty(t, sum.Rows)
			row := sum.Rows[0]
			if tc.triageExit == exitUsage {
				require.NotEmpty(t, row.Error)
				if hit != nil {
					require.Contains(t, row.Error, hit.Path+" at offset "+fmt.Sprint(hit.Offset))
				} else {
					require.Contains(t, row.Error, "nothing recognised")
				}
				return
			}
			if !tc.noErr {
				n := 0 // a multi-host input counts each error on its host's row
				for _, r := range sum.Rows {
					n += r.ReadErrors
				}
				require.Positive(t, n)
			}
			trFired := map[string]bool{}
			for _, r := range sum.Rows {
				for _, f := range r.Findings {
					trFired[f.Rule] = true
				}
			}
			for _, id := range tc.rules {
				require.True(t, trFired[id], "triage: %s missing (fired %v)", id, trFired)
			}
		})
	}

	// All of it at once: triage over the folder finds the archives by
	// content, keeps going past the bad ones and never panics.
	out, stderr, code := runBinary(t, dir, []string{"triage", "--fail-on", "info", "."}, "")
	noPanic(t, stderr)
	require.Contains(t, []int{exitFindings, exitUsage}, code, "stderr:\n%s", stderr)
	require.Contains(t, out, "esx01.lab.local")
}

// A 10 MB line piped on stdin: more than a snippet, so it is streamed (not
// read whole); the line is cut and the failure after it is still found.
func TestE2EBadInputStdinLongLine(t *testing.T) {
	dir := t.TempDir()
	long := badFail + "2024-03-07T10:15:02.000Z cpu1:1)" + strings.Repeat("A", 10<<20) + "\n" +
		strings.Replace(badFail, "10:15:01", "10:16:01", 1)
	stdout, stderr, code := runBinary(t, dir, []string{"analyze", "--fail-on", "info", "--format", "json", "-"}, "text:"+long)
	noPanic(t, stderr)
	require.Equal(t, exitFindings, code, stderr)
	var rep jsonReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	require.Len(t, rep.ReadErrors, 1)
	require.Equal(t, "stdin", rep.ReadErrors[0].Path)
	require.Contains(t, rep.ReadErrors[0].Message, "longer than")
	require.Len(t, rep.Hosts, 1)
	n := 0
	for _, f := range rep.Hosts[0].Findings {
		if f.RuleID == "scsi-sense" {
			n += f.Count
		}
	}
	require.Equal(t, 2, n, "both failures, before and after the long line")
	require.Contains(t, strings.Join(rep.Notes, "\n"), "read as a log stream")
}

func noPanic(t *testing.T, stderr string) {
	t.Helper()
	require.NotContains(t, stderr, "panic")
	require.NotContains(t, stderr, "goroutine ")
}

// noSpace drops all white space: the text report wraps a long virtual
// path over several lines (breaking it, never cutting it).
func noSpace(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// Entry names and log lines with terminal controls (ESC colour and title
// sequences, BEL, CR, a newline forging a report line) reach the text and
// markdown faces as '?': they must not drive the user's terminal. JSON keeps
// them, escaped.
func TestE2EBadInputTerminalControls(t *testing.T) {
	dir := t.TempDir()
	evil := badTar(t,
		badEnt{name: badRoot + "/var/run/log/vmkernel\x1b]0;pwned\x07.log", body: strings.Replace(badFail, "ScsiDeviceIO", "\x1b[2JScsiDeviceIO", 1)},
		badEnt{name: "../\x1b[31mRED\r\nFAKE: no problem found", body: "x"})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "evil.tgz"), badGz(t, evil), 0o644))
	for _, args := range [][]string{
		{"analyze", "--fail-on", "info", "evil.tgz"},
		{"analyze", "--fail-on", "info", "--format", "markdown", "evil.tgz"},
		{"triage", "--fail-on", "info", "evil.tgz"},
		{"triage", "--fail-on", "info", "--format", "markdown", "evil.tgz"},
	} {
		out, stderr, code := runBinary(t, dir, args, "")
		noPanic(t, stderr)
		require.Equal(t, exitFindings, code, "%v: %s", args, stderr)
		for _, c := range []string{"\x1b", "\x07", "\r"} {
			require.NotContains(t, out, c, "%v", args)
			require.NotContains(t, stderr, c, "%v", args)
		}
		require.NotContains(t, out, "\nFAKE", "%v: a newline in an entry name forged a report line", args)
	}
	out, _, _ := runBinary(t, dir, []string{"analyze", "--format", "json", "evil.tgz"}, "")
	require.Contains(t, out, `\u001b]0;pwned\u0007`)
}
