package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// copySlowly writes src to dst in small chunks with pauses, as a slow
// upload does.
func copySlowly(t *testing.T, src, dst string, chunk int, pause time.Duration) {
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	f, err := os.Create(dst)
	require.NoError(t, err)
	for len(b) > 0 {
		n := min(chunk, len(b))
		_, err := f.Write(b[:n])
		require.NoError(t, err)
		b = b[n:]
		time.Sleep(pause)
	}
	require.NoError(t, f.Close())
}

func TestTriageWatch(t *testing.T) {
	chdirTemp(t)
	require.NoError(t, os.MkdirAll("up", 0o755))
	// Bundles of a few KB that do not compress away, so the copy takes
	// several polls.
	for i := range 3 {
		var spec strings.Builder
		fmt.Fprintf(&spec, "host esx-%02d 8.0.2 22380479 2024-03-0%dT00:00:00Z\nfinding r%d error 1 t\n", i, i+1, i)
		for j := range 300 {
			fmt.Fprintf(&spec, "# %d %x\n", j, (j*7919+i)*104729)
		}
		writeFakeBundle(t, fmt.Sprintf("src/b%d.tgz", i), spec.String())
	}
	// One bundle was in the folder before the watch started.
	writeFakeBundle(t, "up/old.tgz", "host esx-old 7.0.3 21930508 2024-03-01T00:00:00Z\n")

	var analyzed counter
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := testConfig()
	cfg.Watch, cfg.Out, cfg.Poll, cfg.Jobs = "up", "out", 150*time.Millisecond, 2
	cfg.OnAnalyzed = analyzed.add
	done := make(chan int)
	go func() {
		code, err := runTriage(ctx, cfg, fakeAnalyze, &stdout, &stderr)
		if err != nil {
			t.Errorf("watch: %v", err)
		}
		done <- code
	}()

	// A slow copy in chunks (pauses shorter than the two-poll window).
	copySlowly(t, "src/b0.tgz", "up/b0.tgz", 32, 4*time.Millisecond)
	// An upload written under a hidden name and renamed into place.
	copySlowly(t, "src/b1.tgz", "up/.b1.tgz.part", 256, 4*time.Millisecond)
	require.NoError(t, os.Rename("up/.b1.tgz.part", "up/b1.tgz"))
	// A slow copy into a subfolder.
	require.NoError(t, os.MkdirAll("up/sub", 0o755))
	copySlowly(t, "src/b2.tgz", "up/sub/b2.tgz", 128, 4*time.Millisecond)

	require.Eventually(t, func() bool { return len(analyzed.snapshot()) == 4 }, 10*time.Second, 10*time.Millisecond, stdout.String())
	time.Sleep(5 * cfg.Poll) // nothing more must happen
	cancel()
	select {
	case code := <-done:
		require.Equal(t, exitOK, code)
	case <-time.After(5 * time.Second):
		t.Fatal("watch did not stop on cancel")
	}
	for p, n := range analyzed.snapshot() {
		require.Equal(t, 1, n, "%s triaged %d times", p, n)
	}
	out := stdout.String()
	require.NotContains(t, out, "UNREADABLE", "a bundle was triaged before its copy completed")
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 4, out)
	for _, want := range []string{"esx-old 7.0.3 (21930508)  up/old.tgz", "esx-00", "esx-01", "esx-02 8.0.2 (22380479): r2×1  up/sub/b2.tgz"} {
		require.Contains(t, out, want)
	}
	var sum triageSummary
	b, err := os.ReadFile(filepath.Join("out", "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &sum))
	require.Equal(t, 4, sum.Bundles)
	requireNoTempFiles(t, "out")
	require.Contains(t, stderr.String(), "stopped watching")

	// Restarting the watch finds everything already triaged.
	var again counter
	ctx2, cancel2 := context.WithTimeout(context.Background(), 6*cfg.Poll)
	defer cancel2()
	cfg.OnAnalyzed = again.add
	var out2 bytes.Buffer
	_, err = runTriage(ctx2, cfg, fakeAnalyze, &out2, io.Discard)
	require.NoError(t, err)
	require.Empty(t, again.snapshot())
	require.Equal(t, 4, strings.Count(out2.String(), "(already triaged)"), out2.String())
}

func TestTriageWatchStopsMidBundleWithoutPartialResults(t *testing.T) {
	chdirTemp(t)
	writeFakeBundle(t, "up/slow.tgz", "host esx-s 8.0.2 1 2024-01-01T00:00:00Z\nslow 1m\n")
	var started counter
	ctx, cancel := context.WithCancel(context.Background())
	an := func(c context.Context, p string) (*bundleOutcome, error) {
		started.add(p)
		cancel() // SIGINT arrives while the bundle is being analyzed
		return fakeAnalyze(c, p)
	}
	cfg := testConfig()
	cfg.Watch, cfg.Out, cfg.Poll = "up", "out", 10*time.Millisecond
	code, err := runTriage(ctx, cfg, an, io.Discard, io.Discard)
	require.NoError(t, err)
	require.Equal(t, exitOK, code)
	require.Len(t, started.snapshot(), 1)
	recs, _ := filepath.Glob("out/records/*")
	reps, _ := filepath.Glob("out/reports/*")
	require.Empty(t, recs)
	require.Empty(t, reps)
	requireNoTempFiles(t, "out")
}

func TestTriageWatchRewrittenUploadReplacesItsRow(t *testing.T) {
	chdirTemp(t)
	writeFakeBundle(t, "up/a.tgz", "host esx-a 8.0.2 1 2024-01-01T00:00:00Z\nfinding r1 error 1 t\n")
	var n counter
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := testConfig()
	cfg.Watch, cfg.Out, cfg.Poll = "up", "out", 20*time.Millisecond
	cfg.OnAnalyzed = n.add
	done := make(chan struct{})
	go func() {
		defer close(done)
		runTriage(ctx, cfg, fakeAnalyze, io.Discard, io.Discard)
	}()
	require.Eventually(t, func() bool { return n.snapshot()["up/a.tgz"] == 1 }, 5*time.Second, 5*time.Millisecond)
	// The same upload is replaced by a corrected bundle.
	writeFakeBundle(t, "up/a.tgz.tmp", "host esx-a 8.0.2 1 2024-01-02T00:00:00Z\n")
	require.NoError(t, os.Rename("up/a.tgz.tmp", "up/a.tgz"))
	require.Eventually(t, func() bool { return n.snapshot()["up/a.tgz"] == 2 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	<-done
	var sum triageSummary
	b, err := os.ReadFile("out/summary.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &sum))
	require.Equal(t, 1, sum.Bundles)
	require.Empty(t, sum.Rows[0].Worst, "the new content's result, not the old one")
}
