//go:build esxdiag_engine

// Built only once rules.Report/Analyze and bundles land (tag removed then).

package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/esxdiag/esxdiag/rules"
)

// progressBar draws one self-overwriting status line on a terminal's
// stderr while the engine reads: bytes read of the total, members, and
// throughput. It is only created when stderr is a terminal and --quiet is
// off; the engine calls update from one goroutine.
type progressBar struct {
	w     io.Writer
	name  string
	width int
	drawn bool
}

func newProgressBar(w io.Writer, name string) *progressBar {
	return &progressBar{w: w, name: name, width: terminalWidth(w)}
}

func (p *progressBar) update(pr rules.Progress) {
	if pr.Done {
		if p.drawn {
			fmt.Fprint(p.w, "\r\x1b[K")
		}
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K"+formatProgress(pr, p.name, p.width-1))
	p.drawn = true
}

// formatProgress renders a progress line of at most width runes.
func formatProgress(pr rules.Progress, name string, width int) string {
	const mb = 1 << 20
	secs := pr.Elapsed.Seconds()
	var rate float64
	if secs > 0 {
		// Throughput of what the reader consumed (compressed input);
		// fall back to scanned bytes when the source cannot say.
		n := pr.BytesRead
		if n <= 0 {
			n = pr.Bytes
		}
		rate = float64(n) / mb / secs
	}
	stats := fmt.Sprintf(" %s members  %s lines  %.1f MB/s", commas(pr.Files), commas(pr.Lines), rate)
	var amount, bar string
	if pr.Size > 0 {
		frac := float64(pr.BytesRead) / float64(pr.Size)
		frac = min(max(frac, 0), 1)
		amount = fmt.Sprintf(" %3.0f%% %.1f/%.1f MB", frac*100, float64(pr.BytesRead)/mb, float64(pr.Size)/mb)
		const barW = 20
		fill := int(frac * barW)
		bar = " [" + strings.Repeat("=", fill) + strings.Repeat(" ", barW-fill) + "]"
	} else {
		amount = fmt.Sprintf(" %.1f MB", float64(max(pr.BytesRead, pr.Bytes))/mb)
	}
	line := truncate(name, 30) + bar + amount + stats
	return truncate(line, width)
}
