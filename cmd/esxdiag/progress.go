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
	rate := func(n int64) float64 {
		if secs <= 0 {
			return 0
		}
		return float64(n) / mb / secs
	}
	var amount, bar string
	var r float64
	if pr.Size > 0 {
		// Input of known size: compressed bytes consumed of the total,
		// and the throughput of that consumption.
		frac := float64(pr.BytesRead) / float64(pr.Size)
		frac = min(max(frac, 0), 1)
		amount = fmt.Sprintf(" %3.0f%% %.1f/%.1f MB", frac*100, float64(pr.BytesRead)/mb, float64(pr.Size)/mb)
		const barW = 20
		fill := int(frac * barW)
		bar = " [" + strings.Repeat("=", fill) + strings.Repeat(" ", barW-fill) + "]"
		r = rate(pr.BytesRead)
	} else {
		// Unknown size (a pipe): what was scanned so far, uncompressed.
		amount = fmt.Sprintf(" %.1f MB scanned", float64(pr.Bytes)/mb)
		r = rate(pr.Bytes)
	}
	stats := fmt.Sprintf("  %s members  %s lines  %.1f MB/s", commas(pr.Files), commas(pr.Lines), r)
	line := truncate(name, 30) + bar + amount + stats
	return truncate(line, width)
}
