package parser

import (
	"testing"
	"time"
)

func BenchmarkParseScsi(b *testing.B) {
	var ls []string
	for _, c := range scsiCases {
		ls = append(ls, c.line)
	}
	lines, n := benchLines(ls)
	b.SetBytes(n)
	b.ReportAllocs()
	var ev ScsiEvent
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			ParseScsi(l, &ev)
		}
	}
}

func TestScsiZeroAllocs(t *testing.T) {
	var ev ScsiEvent
	for _, c := range scsiCases {
		l := []byte(c.line)
		if a := testing.AllocsPerRun(50, func() { ParseScsi(l, &ev) }); a != 0 {
			t.Errorf("ParseScsi %s: %v allocs", c.name, a)
		}
	}
	// The joiner allocates while warming up, then reuses its buffers.
	var j ScsiJoiner
	split := []byte(scsiCases[7].line)
	status := []byte("2026-03-29T20:49:12.920Z In(182) vmkernel: cpu71:2098575)NMP: nmp_ThrottleLogForDevice:3901: H:0x0 D:0x2 P:0x0 Valid sense data: 0xe 0x1d 0x0. Act:NONE")
	var hs, hv Header
	ParseHeader(split, time.Time{}, &hs)
	ParseHeader(status, time.Time{}, &hv)
	n := 0
	emit := func([]byte) { n++ }
	j.Feed(&hs, split, emit)
	j.Feed(&hv, status, emit)
	if a := testing.AllocsPerRun(50, func() {
		j.Feed(&hs, split, emit)
		j.Feed(&hv, status, emit)
	}); a != 0 {
		t.Errorf("ScsiJoiner steady state: %v allocs", a)
	}
}
