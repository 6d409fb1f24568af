package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxdiag/esxdiag/bundles/synth"
)

// maxRSSBytes is the quality bar's memory bound for one esxdiag process,
// whatever the bundle size.
const maxRSSBytes = 150 << 20

// TestE2EMemoryBound runs the binary on a generated bundle of 256 MiB of
// uncompressed logs (every problem, rotated .gz logs, FRAG pieces) and on a
// hostile archive of 200,000 "../" entries, and checks the peak RSS of
// analyze (text and JSON) and triage stays under 150 MB. About 10 s in all
// on a loaded 2-core box; skipped with -short.
func TestE2EMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 256 MiB bundle")
	}
	dir := t.TempDir()
	start := time.Now()
	f, err := os.Create(filepath.Join(dir, "big.tgz"))
	require.NoError(t, err)
	bw := bufio.NewWriterSize(f, 1<<20)
	m, err := synth.Generate(bw, synth.Config{Host: "esxbig.lab.local", Generation: synth.ESXi7, Seed: 1,
		TargetBytes: 256 << 20, RotateBytes: 16 << 20, FragBytes: 8 << 20, Problems: synth.AllProblems()})
	require.NoError(t, err)
	require.NoError(t, bw.Flush())
	require.NoError(t, f.Close())
	t.Logf("generated %d MiB uncompressed, %d MiB .tgz in %v", m.ContentBytes>>20, m.OutBytes>>20, time.Since(start).Round(time.Millisecond))
	require.GreaterOrEqual(t, m.ContentBytes, int64(256<<20))

	require.NoError(t, os.WriteFile(filepath.Join(dir, "many-bad.tgz"), manyBadEntries(t, 200000), 0o644))
	lf, err := os.Create(filepath.Join(dir, "vmkernel.log"))
	require.NoError(t, err)
	bw = bufio.NewWriterSize(lf, 1<<20)
	require.NoError(t, synth.WriteLog(bw, synth.ESXi7, "vmkernel", synth.Config{Seed: 2, TargetBytes: 64 << 20, Problems: []synth.Problem{synth.APD}}))
	require.NoError(t, bw.Flush())
	require.NoError(t, lf.Close())

	for _, tc := range []struct {
		name  string
		args  []string
		exit  int
		want  string // in stdout: the run really analysed the bundle
		stdin string // file in dir piped to stdin
	}{
		{"analyze-text", []string{"analyze", "big.tgz"}, exitFindings, "[apd-timeout]", ""},
		{"analyze-json", []string{"analyze", "--format", "json", "big.tgz"}, exitFindings, `"rule_id": "apd-timeout"`, ""},
		{"triage", []string{"triage", "big.tgz"}, exitFindings, "apd-timeout", ""},
		{"many-bad-entries-json", []string{"analyze", "--fail-on", "info", "--format", "json", "many-bad.tgz"}, exitFindings, "more \\\"path\\\" problems not listed", ""},
		{"stdin-64MiB-log", []string{"analyze", "-"}, exitFindings, "[apd-timeout]", "vmkernel.log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code, rss, ru, el := runBinaryRSS(t, dir, tc.args, tc.stdin)
			t.Logf("%s: peak RSS %.1f MB (VmHWM; rusage upper bound %.1f MB), %v", tc.name,
				float64(rss)/(1<<20), float64(ru)/(1<<20), el.Round(time.Millisecond))
			noPanic(t, stderr)
			require.Equal(t, tc.exit, code, "stderr:\n%s", stderr)
			require.True(t, strings.Contains(out, tc.want), "%q not in the output", tc.want)
			require.Less(t, rss, int64(maxRSSBytes), "peak RSS %d bytes", rss)
		})
	}
}

// manyBadEntries is a small .tgz of n unsafe "../" entries around one good
// vmkernel.log: each is reported, but only so many are kept.
func manyBadEntries(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(name, body string) {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(1709807400, 0)}))
		_, err := tw.Write([]byte(body))
		require.NoError(t, err)
	}
	add(badRoot+"/var/run/log/vmkernel.log", badFail)
	for i := 0; i < n; i++ {
		add(fmt.Sprintf("../x%d", i), "")
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// runBinaryRSS runs the binary like runBinary and also returns its peak
// resident set size and wall time. The peak is VmHWM of /proc/<pid>/status,
// polled every 5 ms while the process runs (the last value read is within
// a few ms of the end; VmHWM never decreases). rusage's ru_maxrss is
// returned too but is only an upper bound: Go starts children with
// vfork semantics, and Linux counts the test process's own high-water mark
// into the child's maxrss at exec.
func runBinaryRSS(t *testing.T, dir string, args []string, stdin string) (stdout, stderr string, code int, hwm, ruMax int64, el time.Duration) {
	t.Helper()
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc: cannot read the peak RSS of a child")
	}
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "TZ=UTC")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != "" {
		in, err := os.Open(filepath.Join(dir, stdin))
		require.NoError(t, err)
		defer in.Close()
		cmd.Stdin = in
	}
	start := time.Now()
	require.NoError(t, cmd.Start())
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var max int64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := vmHWM(status); v > max {
				max = v
			}
			select {
			case <-done:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	err := cmd.Wait()
	el = time.Since(start)
	close(done)
	hwm = <-peak
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		ruMax = ru.Maxrss << 10 // KiB on Linux
	}
	require.Positive(t, hwm, "VmHWM never read")
	return out.String(), errb.String(), code, hwm, ruMax, el
}

// vmHWM reads the peak RSS in bytes from a /proc/<pid>/status file; 0 when
// the process is gone (or a zombie, whose status has no VmHWM line).
func vmHWM(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}
