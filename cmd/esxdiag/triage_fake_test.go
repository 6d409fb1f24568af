package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Fake bundles: gzip-compressed text, one directive per line:
//
//	host NAME VERSION BUILD COLLECTED(RFC3339)
//	finding RULE SEVERITY COUNT TITLE...
//	readerror MESSAGE...
//	panic | fail MESSAGE... | slow DURATION
//
// fakeAnalyze turns them into outcomes without the engine.

func writeFakeBundle(t testing.TB, path, spec string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(spec))
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
}

func fakeAnalyze(ctx context.Context, path string) (*bundleOutcome, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("fake: %s: %w", path, err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("fake: %s: %w", path, err)
	}
	out := &bundleOutcome{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		switch fs[0] {
		case "host":
			h := triageHost{Host: fs[1], Version: fs[2], Build: fs[3]}
			h.CollectedAt, _ = time.Parse(time.RFC3339, fs[4])
			out.Hosts = append(out.Hosts, h)
		case "finding":
			n, _ := strconv.Atoi(fs[3])
			h := &out.Hosts[len(out.Hosts)-1]
			h.Findings = append(h.Findings, triageFinding{RuleID: fs[1], Severity: fs[2], Count: n, Objects: 1, Title: strings.Join(fs[4:], " ")})
			if severityRank(fs[2]) > severityRank(h.Worst) {
				h.Worst = fs[2]
			}
			sortFindings(h.Findings)
		case "readerror":
			out.ReadErrors = append(out.ReadErrors, strings.Join(fs[1:], " "))
			if len(out.Hosts) > 0 {
				out.Hosts[len(out.Hosts)-1].ReadErrors++
			}
		case "panic":
			var m map[string]int
			m["boom"]++ // nil map write: a real runtime panic
		case "fail":
			return nil, errors.New(strings.Join(fs[1:], " "))
		case "slow":
			d, _ := time.ParseDuration(fs[1])
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	rep, _ := json.MarshalIndent(map[string]any{"schema": "fake", "input": path, "hosts": out.Hosts}, "", "  ")
	out.Report = append(rep, '\n')
	return out, nil
}

// fakeFleet writes a small fleet of fake bundles under dir and returns
// their paths (sorted).
func fakeFleet(t testing.TB, dir string) {
	const b1, b2 = "7.0.3 21930508", "8.0.2 22380479"
	specs := map[string]string{
		"a/esx-01.tgz":   "host esx-01 " + b1 + " 2024-03-07T10:00:00Z\nfinding apd-timeout error 3 All paths down timeout\nfinding lun-reset warning 7 LUN resets\n",
		"a/esx-02.tgz":   "host esx-02 " + b1 + " 2024-03-07T11:00:00Z\nfinding apd-timeout error 1 All paths down timeout\n",
		"a/esx-03.bin":   "host esx-03 " + b2 + " 2024-03-08T09:30:00Z\nfinding ramdisk-full critical 2 Ramdisk full\nreaderror var/log/x.gz: unexpected EOF\n",
		"b/esx-04.tgz":   "host esx-04 " + b2 + " 2024-03-08T09:31:00Z\n",
		"b/vc.zip":       "host esx-05 " + b1 + " 2024-03-09T00:00:00Z\nfinding apd-timeout error 2 All paths down timeout\nhost esx-06 " + b2 + " 2024-03-09T00:00:00Z\nfinding lun-reset warning 1 LUN resets\n",
		"b/panic.tgz":    "host esx-07 " + b2 + " 2024-03-09T00:00:00Z\npanic\n",
		"b/unknown.tgz":  "fail bundles: unknown.tgz: not a support bundle\n",
		"b/c/esx-08.tgz": "host esx-08 " + b2 + " 2024-03-10T00:00:00Z\nfinding apd-timeout error 5 All paths down timeout\n",
	}
	for name, spec := range specs {
		writeFakeBundle(t, filepath.Join(dir, name), spec)
	}
	// Not bundles: a text file and a hidden partial upload.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "README.txt"), []byte("hello\n"), 0o644))
	writeFakeBundle(t, filepath.Join(dir, "b", ".esx-09.tgz.part"), "host esx-09 x y 2024-03-10T00:00:00Z\n")
}

type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[p]++
}

func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

func testConfig(args ...string) triageConfig {
	return triageConfig{Args: args, Jobs: 1, Format: "text", FailOn: "error", Esxdiag: "test", RulesVersion: "rules-test", Width: 100}
}

// chdir runs the test from dir so that paths in outputs are relative.
func chdirTemp(t *testing.T) string {
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

func TestTriageFakeSummaryGolden(t *testing.T) {
	chdirTemp(t)
	fakeFleet(t, "in")
	for _, format := range []string{"text", "json", "markdown", "csv"} {
		t.Run(format, func(t *testing.T) {
			var outs [][]byte
			for _, jobs := range []int{1, 4} {
				cfg := testConfig("in")
				cfg.Jobs, cfg.Format = jobs, format
				var stdout, stderr bytes.Buffer
				code, err := runTriage(context.Background(), cfg, fakeAnalyze, &stdout, &stderr)
				require.Equal(t, exitUsage, code, "unreadable bundles win over findings")
				require.ErrorContains(t, err, "2 of 8 bundles could not be read")
				outs = append(outs, stdout.Bytes())
			}
			require.Equal(t, string(outs[0]), string(outs[1]), "--jobs 1 and --jobs 4 differ")
			ext := map[string]string{"text": "txt", "json": "json", "markdown": "md", "csv": "csv"}[format]
			triageGolden(t, filepath.Join("fake-summary."+ext), outs[0])
		})
	}
}

// triageGolden compares got with testdata/triage/NAME, rewriting it with -update.
func triageGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test -update")
	require.Equal(t, string(want), string(got), "golden %s differs; run go test -update and review", name)
}

var goldenDir = func() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "testdata", "triage")
}()
