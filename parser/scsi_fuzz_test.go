package parser

import (
	"bytes"
	"testing"
	"time"
)

func FuzzParseScsi(f *testing.F) {
	for _, c := range scsiCases {
		f.Add(c.line)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var ev ScsiEvent
		if ParseScsi([]byte(s), &ev) {
			within(t, []byte(s), ev.Device, ev.Path, ev.CmdSN, ev.Action)
			if ev.Repeat < 1 {
				t.Fatalf("repeat %d", ev.Repeat)
			}
		}
	})
}

func FuzzScsiJoiner(f *testing.F) {
	f.Add(scsiCases[7].line, "2026-03-29T20:49:12.920Z In(182) vmkernel: cpu71:2098575)NMP: x:3901: H:0x0 D:0x2 P:0x0 Valid sense data: 0xe 0x1d 0x0.", "x")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var j ScsiJoiner
		j.MaxPending = 2
		fed, got := 0, 0
		var h Header
		for _, l := range []string{a, b, c, a} {
			if bytes.IndexByte([]byte(l), '\n') >= 0 {
				continue
			}
			ParseHeader([]byte(l), time.Time{}, &h)
			fed++
			j.Feed(&h, []byte(l), func([]byte) { got++ })
		}
		j.Flush(func([]byte) { got++ })
		// joins merge two fed records into one emitted
		if got > fed || got == 0 && fed > 0 {
			t.Fatalf("fed %d emitted %d", fed, got)
		}
	})
}
