package parser

import (
	"strings"
	"testing"
	"time"

	"github.com/esxdiag/esxdiag/sense"
)

type scsiWant struct {
	op                int
	dev, path         string
	world             int
	cmdsn             string
	h, d, p           uint8
	val               sense.Validity
	key, asc, ascq    uint8
	act               string
	pdl               bool
	repeat            int
	status, split, sm bool
}

// Real lines: CASE.md (case 1), KB 338435/309543/337796 (4.x), formats.md §2.3
// (ESXi 8, masked ids), formats.md §2.1 (ESX 3.5, KB 289902).
// "(shape)" lines follow a grammar formats.md gives with placeholders.
var scsiCases = []struct {
	name, line string
	w          scsiWant
}{
	{"4.x ScsiDeviceIO CASE 1", `Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device "naa.xxxxxxxxxxxxx" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`,
		scsiWant{op: 0x28, dev: "naa.xxxxxxxxxxxxx", world: -1, h: 0, d: 2, p: 0, val: sense.SenseValid, key: 6, asc: 0x3f, ascq: 0xe, repeat: 1, status: true}},
	{"4.x NMP sym", `vmkernel: 116:03:44:19.039 cpu4:4100)NMP: nmp_CompleteCommandForPath: Command 0x2a (0x4100020e0b00) to NMP device "sym.029010111831353837" failed on physical path "vmhba2:C0:T0:L152" H:0x2 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0.`,
		scsiWant{op: 0x2a, dev: "sym.029010111831353837", path: "vmhba2:C0:T0:L152", world: -1, h: 2, val: sense.SensePossible, repeat: 1, status: true}},
	{"4.x NMP valid", `vmkernel: 76:23:45:36.239 cpu11:22687)NMP: nmp_CompleteCommandForPath: Command 0x28 (0x41000b10f000) to NMP device "naa.600601601f70190016361881f3b4de11" failed on physical path "vmhba3:C0:T2:L10" H:0x0 D:0x2 P:0x0 Valid sense data: 0x2 0x4 0x3.`,
		scsiWant{op: 0x28, dev: "naa.600601601f70190016361881f3b4de11", path: "vmhba3:C0:T2:L10", world: -1, d: 2, val: sense.SenseValid, key: 2, asc: 4, ascq: 3, repeat: 1, status: true}},
	{"4.x no sense", `vmkernel: 0:00:42:28.062 cpu5:4112)ScsiDeviceIO: SCSIAsyncDeviceCommand:2077: Error Inject: Command 0x2a to device "naa.600601600f6021002cfb75ea2bc6de11" failed H:0x0 D:0x4 P:0x0`,
		scsiWant{op: 0x2a, dev: "naa.600601600f6021002cfb75ea2bc6de11", world: -1, d: 4, repeat: 1, status: true}},
	{"KB masked no day", `19:26:42.068 cpu0:4103)NMP: nmp_CompleteCommandForPath: Command 0x28 (0x4100070e8e80) to NMP device "naa.********************" failed on physical path "vmhba2:C0:T1:L27" H:0x8 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0`,
		scsiWant{op: 0x28, dev: "naa.********************", path: "vmhba2:C0:T1:L27", world: -1, h: 8, val: sense.SensePossible, repeat: 1, status: true}},
	{"ESX 3.5 device/host", `WARNING: SCSI: 5663: vmhba0:0:1:1 status = 0/8 0x0 0x0 0x0`,
		scsiWant{op: -1, path: "vmhba0:0:1:1", world: -1, h: 8, d: 0, val: sense.SensePossible, repeat: 1, status: true}},
	{"ESX 3.5 check condition", `StorageMonitor: 196: vmhba1:1:6:0 status = 2/0 0x5 0x24 0x0`,
		scsiWant{op: -1, path: "vmhba1:1:6:0", world: -1, d: 2, val: sense.SenseValid, key: 5, asc: 0x24, repeat: 1, status: true}},
	{"ESXi 8 split Failed:", `2026-03-29T20:49:12.918Z In(182) vmkernel: cpu70:2098575)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x45dd57ec84c0, 2097288) to dev "naa.#########################" on path "vmhba3:C0:T6:L17" Failed:`,
		scsiWant{op: 0x89, dev: "naa.#########################", path: "vmhba3:C0:T6:L17", world: 2097288, repeat: 1, split: true}},
	{"ESXi 8 repeated", `2026-03-29T20:49:16.964Z In(182) vmkernel: cpu74:2098575)NMP: nmp_ThrottleLogForDevice:3825: last error status from device naa.######################### repeated 40 times`,
		scsiWant{op: -1, dev: "naa.#########################", world: -1, repeat: 40, sm: true}},
	{"ESXi 8 cmdId.initiator", `2026-03-29T20:49:20.931Z In(182) vmkernel: cpu77:2097375)ScsiDeviceIO: 4681: Cmd(0x45dd48ddc580) 0xfe, cmdId.initiator=0x430db5696bc0 CmdSN 0x561a77 from world 2097288 to dev "naa.#########################" failed H:0x5 D:0x0 P:0x0 . Cmd count Active:33`,
		scsiWant{op: 0xfe, dev: "naa.#########################", world: 2097288, cmdsn: "0x561a77", h: 5, repeat: 1, status: true}},
	{"ESXi 8 busy", `2026-03-29T20:49:20.951Z In(182) vmkernel: cpu72:2098577)ScsiDeviceIO: 4644: Cmd(0x45dd59aeb940) 0x2a, CmdSN 0x80000048 from world 2116310 to dev "naa.#########################" failed H:0x0 D:0x8 P:0x0`,
		scsiWant{op: 0x2a, dev: "naa.#########################", world: 2116310, cmdsn: "0x80000048", d: 8, repeat: 1, status: true}},
	{"6.x throttle same line (shape)", `2016-05-10T08:01:02.345Z cpu12:32874)NMP: nmp_ThrottleLogForDevice:3298: Cmd 0x2a (0x439d8c2f1a00, 2100050) to dev "naa.600a098038303053453f463045727a42" on path "vmhba64:C0:T1:L0" Failed: H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x29 0x0. Act:NONE`,
		scsiWant{op: 0x2a, dev: "naa.600a098038303053453f463045727a42", path: "vmhba64:C0:T1:L0", world: 2100050, d: 2, val: sense.SenseValid, key: 6, asc: 0x29, act: "NONE", repeat: 1, status: true}},
	{"failover action (shape)", `2016-05-10T08:01:02.345Z cpu12:32874)NMP: nmp_ThrottleLogForDevice:3298: Cmd 0x28 (0x439d8c2f1a00, 2100050) to dev "eui.0025385b71b0a7e1" on path "vmhba2:C0:T0:L1" Failed: H:0x1 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0. Act:FAILOVER`,
		scsiWant{op: 0x28, dev: "eui.0025385b71b0a7e1", path: "vmhba2:C0:T0:L1", world: 2100050, h: 1, val: sense.SensePossible, act: "FAILOVER", repeat: 1, status: true}},
	{"PDL (shape)", `2016-05-10T08:01:02.345Z cpu3:33242)WARNING: NMP: nmp_PathDetermineFailure:3022: Cmd (0x2a) PDL error (0x5/0x25/0x0) - path vmhba3:C0:T2:L10 device naa.600601601f70190016361881f3b4de11 - triggering path failover`,
		scsiWant{op: 0x2a, dev: "naa.600601601f70190016361881f3b4de11", path: "vmhba3:C0:T2:L10", world: -1, val: sense.SenseValid, key: 5, asc: 0x25, pdl: true, repeat: 1}},
	{"t10 device", `2016-05-10T08:01:02.345Z cpu1:2)ScsiDeviceIO: 2613: Cmd(0x4136c0) 0x1a, CmdSN 0x1 from world 0 to dev "t10.ATA_____Samsung_SSD_850" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x24 0x0.`,
		scsiWant{op: 0x1a, dev: "t10.ATA_____Samsung_SSD_850", world: 0, cmdsn: "0x1", d: 2, val: sense.SenseValid, key: 5, asc: 0x24, repeat: 1, status: true}},
}

func TestParseScsi(t *testing.T) {
	for _, tc := range scsiCases {
		t.Run(tc.name, func(t *testing.T) {
			var ev ScsiEvent
			if !ParseScsi([]byte(tc.line), &ev) {
				t.Fatal("ParseScsi false")
			}
			checkScsi(t, &ev, tc.w)
		})
	}
}

func checkScsi(t *testing.T, ev *ScsiEvent, w scsiWant) {
	t.Helper()
	if ev.Opcode != w.op {
		t.Errorf("opcode %#x, want %#x", ev.Opcode, w.op)
	}
	if string(ev.Device) != w.dev || string(ev.Path) != w.path || string(ev.CmdSN) != w.cmdsn || string(ev.Action) != w.act {
		t.Errorf("dev %q path %q cmdsn %q act %q, want %q %q %q %q", ev.Device, ev.Path, ev.CmdSN, ev.Action, w.dev, w.path, w.cmdsn, w.act)
	}
	if ev.World != w.world {
		t.Errorf("world %d, want %d", ev.World, w.world)
	}
	if ev.Host != w.h || ev.Dev != w.d || ev.Plugin != w.p {
		t.Errorf("H/D/P %x/%x/%x, want %x/%x/%x", ev.Host, ev.Dev, ev.Plugin, w.h, w.d, w.p)
	}
	if ev.Validity != w.val || ev.Key != w.key || ev.ASC != w.asc || ev.ASCQ != w.ascq {
		t.Errorf("sense %s %x/%x/%x, want %s %x/%x/%x", ev.Validity, ev.Key, ev.ASC, ev.ASCQ, w.val, w.key, w.asc, w.ascq)
	}
	if ev.PDL != w.pdl || ev.Repeat != w.repeat || ev.HasStatus != w.status || ev.Split != w.split || ev.Summary != w.sm {
		t.Errorf("pdl %v repeat %d status %v split %v summary %v, want %v %d %v %v %v", ev.PDL, ev.Repeat, ev.HasStatus, ev.Split, ev.Summary, w.pdl, w.repeat, w.status, w.split, w.sm)
	}
}

func TestParseScsiNone(t *testing.T) {
	for _, l := range []string{"", "2014-11-14T19:19:51.559Z cpu7:35233)VC: 2002: Device rescan time 704 msec", "Failed:", "H:0x", "vmhba"} {
		var ev ScsiEvent
		if ParseScsi([]byte(l), &ev) {
			t.Errorf("%q: parsed %+v", l, ev)
		}
	}
}

// ESXi 8 (formats.md §2.3): the Failed: record is completed by the next record of
// the same world. The status record is inferred: formats.md's source copy is cut
// before it; on 6.x the same text followed "Failed:" on one line.
func TestScsiJoiner(t *testing.T) {
	lines := []string{
		`2026-03-29T20:49:12.918Z In(182) vmkernel: cpu70:2098575)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x45dd57ec84c0, 2097288) to dev "naa.#########################" on path "vmhba3:C0:T6:L17" Failed:`,
		`2026-03-29T20:49:12.919Z In(182) vmkernel: cpu2:1000)VC: 2002: unrelated`,
		`2026-03-29T20:49:12.920Z In(182) vmkernel: cpu71:2098575)NMP: nmp_ThrottleLogForDevice:3901: H:0x0 D:0x2 P:0x0 Valid sense data: 0xe 0x1d 0x0. Act:NONE`,
		`2026-03-29T20:49:13.000Z In(182) vmkernel: cpu70:2098576)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x2a (0x45dd57ec84c1, 2097289) to dev "naa.2" on path "vmhba3:C0:T6:L18" Failed:`,
		`2026-03-29T20:49:13.001Z In(182)[+] vmkernel: H:0x0 D:0x8 P:0x0 `,
		`2026-03-29T20:49:14.000Z In(182) vmkernel: cpu70:2098577)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x28 (0x45dd57ec84c2, 2097290) to dev "naa.3" on path "vmhba3:C0:T6:L19" Failed:`,
	}
	var j ScsiJoiner
	var got []string
	emit := func(r []byte) { got = append(got, string(r)) }
	var h Header
	for _, l := range lines {
		ParseHeader([]byte(l), time.Time{}, &h)
		j.Feed(&h, []byte(l), emit)
	}
	if j.Pending() != 1 {
		t.Fatalf("pending %d", j.Pending())
	}
	j.Flush(emit)
	if len(got) != 4 {
		t.Fatalf("got %d records: %q", len(got), got)
	}
	if !strings.HasSuffix(got[0], "unrelated") {
		t.Errorf("first %q", got[0])
	}
	var ev ScsiEvent
	if !ParseScsi([]byte(got[1]), &ev) {
		t.Fatal("joined not parsed")
	}
	checkScsi(t, &ev, scsiWant{op: 0x89, dev: "naa.#########################", path: "vmhba3:C0:T6:L17", world: 2097288, d: 2, val: sense.SenseValid, key: 0xe, asc: 0x1d, act: "NONE", repeat: 1, status: true})
	if !ParseScsi([]byte(got[2]), &ev) || ev.Opcode != 0x2a || ev.Dev != 8 || string(ev.Device) != "naa.2" {
		t.Errorf("continuation join: %q -> %+v", got[2], ev)
	}
	if !ParseScsi([]byte(got[3]), &ev) || !ev.Split || string(ev.Device) != "naa.3" {
		t.Errorf("flushed: %q -> %+v", got[3], ev)
	}
}

func TestScsiJoinerEvicts(t *testing.T) {
	j := ScsiJoiner{MaxPending: 2}
	n := 0
	var h Header
	for i := 0; i < 5; i++ {
		l := []byte(`2026-03-29T20:49:12.918Z In(182) vmkernel: cpu70:2098575)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x1, 2) to dev "naa.1" on path "vmhba3:C0:T6:L17" Failed:`)
		ParseHeader(l, time.Time{}, &h)
		j.Feed(&h, l, func([]byte) { n++ })
	}
	j.Flush(func([]byte) { n++ })
	if n != 5 {
		t.Errorf("emitted %d of 5", n)
	}
}

func TestNormalizeThenScsi(t *testing.T) {
	in := "    Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0×28 to device „naa.xxxxxxxxxxxxx“ failed H:0×0 D:0×2 P:0×0 Valid sense data: 0×6 0×3f 0×e.\r\n"
	out, _ := NormalizeSnippet([]byte(in))
	var ev ScsiEvent
	if !ParseScsi(out, &ev) || ev.Opcode != 0x28 || ev.Dev != 2 || ev.Key != 6 || ev.ASC != 0x3f || ev.ASCQ != 0xe || string(ev.Device) != "naa.#############" {
		t.Errorf("normalised line: %+v", ev)
	}
}

// A complete failure record of the same world is not glued to a pending split one.
func TestScsiJoinerKeepsFullRecords(t *testing.T) {
	split := `2026-03-29T20:49:12.918Z In(182) vmkernel: cpu70:2098575)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x45dd57ec84c0, 2097288) to dev "naa.1" on path "vmhba3:C0:T6:L17" Failed:`
	full := `2026-03-29T20:49:20.951Z In(182) vmkernel: cpu72:2098575)ScsiDeviceIO: 4644: Cmd(0x45dd59aeb940) 0x2a, CmdSN 0x80000048 from world 2116310 to dev "naa.2" failed H:0x0 D:0x8 P:0x0`
	var j ScsiJoiner
	var got []string
	var h Header
	for _, l := range []string{split, full} {
		ParseHeader([]byte(l), time.Time{}, &h)
		j.Feed(&h, []byte(l), func(r []byte) { got = append(got, string(r)) })
	}
	j.Flush(func(r []byte) { got = append(got, string(r)) })
	if len(got) != 2 || got[0] != full || got[1] != split {
		t.Errorf("got %q", got)
	}
}

// A status record that carries other "Cmd" words (". Cmd count Active:N",
// as 7.x/8.x ScsiDeviceIO records end) still completes its split record.
func TestScsiJoinerStatusWithCmdWord(t *testing.T) {
	split := `2026-03-29T20:49:12.918Z In(182) vmkernel: cpu70:2098575)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x45dd57ec84c0, 2097288) to dev "naa.1" on path "vmhba3:C0:T6:L17" Failed:`
	status := `2026-03-29T20:49:12.920Z In(182) vmkernel: cpu71:2098575)NMP: nmp_ThrottleLogForDevice:3901: H:0x0 D:0x8 P:0x0 . Cmd count Active:33`
	var j ScsiJoiner
	var got []string
	var h Header
	for _, l := range []string{split, status} {
		ParseHeader([]byte(l), time.Time{}, &h)
		j.Feed(&h, []byte(l), func(r []byte) { got = append(got, string(r)) })
	}
	j.Flush(func(r []byte) { got = append(got, string(r)) })
	var ev ScsiEvent
	if len(got) != 1 || !ParseScsi([]byte(got[0]), &ev) || ev.Opcode != 0x89 || ev.Dev != 8 || string(ev.Device) != "naa.1" {
		t.Fatalf("got %q -> %+v", got, ev)
	}
}
