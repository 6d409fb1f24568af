package parser

import (
	"testing"
	"time"
)

func benchLines(lines []string) ([][]byte, int64) {
	out := make([][]byte, len(lines))
	var n int64
	for i, l := range lines {
		out[i] = []byte(l)
		n += int64(len(l) + 1)
	}
	return out, n
}

func BenchmarkParseHeader(b *testing.B) {
	var ls []string
	for _, c := range headerCases {
		ls = append(ls, c.line)
	}
	lines, n := benchLines(ls)
	b.SetBytes(n)
	b.ReportAllocs()
	var h Header
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			ParseHeader(l, refTime, &h)
		}
	}
}

func BenchmarkParseHeaderVmk5(b *testing.B) {
	l := []byte(`2021-08-10T03:12:19.611Z cpu40:2098021)ScsiDeviceIO: 4124: Cmd(0x45b8c1b0e9c8) 0x89, cmdId.initiator=0x4538d8f9b8b8 CmdSN 0x2c4b from world 2097254 to dev "naa.624a93704d2c1a4c1a6b4a4e00011c33" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0xe 0x1d 0x0`)
	b.SetBytes(int64(len(l) + 1))
	b.ReportAllocs()
	var h Header
	for i := 0; i < b.N; i++ {
		ParseHeader(l, refTime, &h)
	}
}

func BenchmarkParseHeaderSyslog(b *testing.B) {
	l := []byte(`Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device "naa.xxxxxxxxxxxxx" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`)
	b.SetBytes(int64(len(l) + 1))
	b.ReportAllocs()
	var h Header
	ref := time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)
	for i := 0; i < b.N; i++ {
		ParseHeader(l, ref, &h)
	}
}

func TestZeroAllocs(t *testing.T) {
	var h Header
	for _, c := range headerCases {
		l := []byte(c.line)
		if a := testing.AllocsPerRun(50, func() { ParseHeader(l, refTime, &h) }); a != 0 {
			t.Errorf("ParseHeader %s: %v allocs", c.name, a)
		}
	}
	var r RamdiskRow
	var lk EsxConfLock
	var md MethodDisabled
	var cd CoreDump
	var v Vob
	for _, s := range []string{
		"hostdstats 166M 166M 0B 100% --",
		`The process holding the lock is hostd (1363758). /etc/vmware/esx.conf`,
		`[VpxLRO] -- ERROR task-768 -- vm-1234 -- vim.VirtualMachine.relocate: vim.fault.MethodDisabled: The method is disabled by 'VIC'`,
		`UserDump: 1485: Dumping cartel 3476251 (from world 3476319) to file /var/core/hostd-worker-zdump.000 ...`,
		`2012-08-01T10:10:10.123Z: [APDCorrelator] 1234567us: [esx.problem.storage.apd.timeout] Device`,
	} {
		l := []byte(s)
		if a := testing.AllocsPerRun(50, func() {
			ParseVdfRow(l, &r)
			ParseEsxConfLock(l, &lk)
			ParseMethodDisabled(l, &md)
			ParseCoreDump(l, &cd)
			ParseVob(l, &v)
			LooksLikeLog(l)
		}); a != 0 {
			t.Errorf("extractors on %.40q: %v allocs", s, a)
		}
	}
	var u Unparsed
	bad := []byte("2024-03-07T10:15:01.123Z cpu3:)broken")
	u.Observe(bad, 1)
	if a := testing.AllocsPerRun(50, func() { u.Observe(bad, 2) }); a != 0 {
		t.Errorf("Unparsed.Observe: %v allocs", a)
	}
}
