package parser

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Lines of each ONTAP form. The 7-Mode lines with "p1-3240cl1-2" are
// published real lines (kb.md §8, rules-catalog.md); the clustered ONTAP
// message texts follow the EMS reference syslog templates and a published
// runbook quoted in kb.md §8; row and XML framing is inferred.
func TestParseONTAP(t *testing.T) {
	ref := time.Date(2012, 11, 30, 12, 0, 0, 0, time.UTC)
	type want struct {
		form                    ONTAPForm
		time                    string // RFC3339 UTC, "" = no time
		assumed, inferred       bool
		node, proc, event, sev  string
		msg                     string
		lun, vol, vserver, aggr string
		igroup, serial          string
		lunID, usePct, rank     int
	}
	cases := []struct {
		name string
		line string
		ok   bool
		w    want
	}{
		{"7mode real lun.map", "Sat Nov 24 15:15:29 EST [p1-3240cl1-2: lun.map:info]: LUN /vol/karim_vol/my_lun was mapped to initiator group esx_hosts=0", true,
			want{form: ONTAPForm7Mode, time: "2012-11-24T20:15:29Z", inferred: true, node: "p1-3240cl1-2", event: "lun.map", sev: "info",
				msg: "LUN /vol/karim_vol/my_lun was mapped to initiator group esx_hosts=0", lun: "/vol/karim_vol/my_lun", vol: "karim_vol",
				igroup: "esx_hosts", lunID: 0, usePct: -1, rank: 6}},
		{"7mode real portLogin", "Sat Nov 24 15:32:05 EST [p1-3240cl1-2: scsitarget.ispfct.portLogin:notice]: FCP login on Fibre Channel adapter '0c' from '20:00:00:25:b5:0a:00:46', address 0x80051.", true,
			want{form: ONTAPForm7Mode, time: "2012-11-24T20:32:05Z", inferred: true, node: "p1-3240cl1-2", event: "scsitarget.ispfct.portLogin", sev: "notice",
				msg: "FCP login on Fibre Channel adapter '0c' from '20:00:00:25:b5:0a:00:46', address 0x80051.", lunID: -1, usePct: -1, rank: 5}},
		{"7mode no space, padded day", "Mon Mar  5 10:00:00 EST [filer1:wafl.vol.full:notice]: file system full on volume vol0", true,
			want{form: ONTAPForm7Mode, time: "2012-03-05T15:00:00Z", inferred: true, node: "filer1", event: "wafl.vol.full", sev: "notice",
				msg: "file system full on volume vol0", vol: "vol0", lunID: -1, usePct: -1, rank: 5}},
		{"7mode unmap", "Thu Nov 29 08:53:30 PST [filer1: lun.unmap:info]: LUN /vol/exch_db/{5d0e}.rws was unmapped from initiator group viaRPC.iqn.1998-01.com.vmware:esx01", true,
			want{form: ONTAPForm7Mode, time: "2012-11-29T16:53:30Z", inferred: true, node: "filer1", event: "lun.unmap", sev: "info",
				msg: "LUN /vol/exch_db/{5d0e}.rws was unmapped from initiator group viaRPC.iqn.1998-01.com.vmware:esx01",
				lun: "/vol/exch_db/{5d0e}.rws", vol: "exch_db", igroup: "viaRPC.iqn.1998-01.com.vmware:esx01", lunID: -1, usePct: -1, rank: 6}},
		{"7mode unknown zone", "Sat Nov 24 15:15:29 XYZT [f1:lun.map:info]: LUN /vol/v/l was mapped to initiator group ig=3", true,
			want{form: ONTAPForm7Mode, time: "2012-11-24T15:15:29Z", assumed: true, inferred: true, node: "f1", event: "lun.map", sev: "info",
				msg: "LUN /vol/v/l was mapped to initiator group ig=3", lun: "/vol/v/l", vol: "v", igroup: "ig", lunID: 3, usePct: -1, rank: 6}},
		{"7mode numeric zone + year", "Sat Nov 24 15:15:29 2012 +0100 [f1:lun.offline:notice]: LUN /vol/v/l has been taken offline", true,
			want{form: ONTAPForm7Mode, time: "2012-11-24T14:15:29Z", node: "f1", event: "lun.offline", sev: "notice",
				msg: "LUN /vol/v/l has been taken offline", lun: "/vol/v/l", vol: "v", lunID: -1, usePct: -1, rank: 5}},
		{"syslog forward with proc", "<13>Nov 24 15:15:29 cl1-01 [cl1-01: mgwd: LUN.offline:notice]: LUN /vol/vol1/lun1, vol vol1 (DSID 1036) was brought offline (UUID: 6d2a).", true,
			want{form: ONTAPForm7Mode, time: "2012-11-24T15:15:29Z", assumed: true, inferred: true, node: "cl1-01", proc: "mgwd", event: "LUN.offline", sev: "notice",
				msg: "LUN /vol/vol1/lun1, vol vol1 (DSID 1036) was brought offline (UUID: 6d2a).", lun: "/vol/vol1/lun1", vol: "vol1", lunID: -1, usePct: -1, rank: 5}},
		{"7mode december line, january ref", "Mon Dec 31 23:59:59 UTC [f1:raid.disk.fail:error]: x", true,
			want{form: ONTAPForm7Mode, time: "2012-12-31T23:59:59Z", inferred: true, node: "f1", event: "raid.disk.fail", sev: "error", msg: "x", lunID: -1, usePct: -1, rank: 3}},
		{"event log show wafl.vol.full", "3/7/2024 10:15:01   cl1-01   ALERT   wafl.vol.full: Insufficient space on volume ds01@svm1:9f1c-22 to perform operation. 1.01MB was requested but only 1.00MB was available.", true,
			want{form: ONTAPFormEventLog, time: "2024-03-07T10:15:01Z", assumed: true, node: "cl1-01", event: "wafl.vol.full", sev: "ALERT",
				msg: "Insufficient space on volume ds01@svm1:9f1c-22 to perform operation. 1.01MB was requested but only 1.00MB was available.",
				vol: "ds01", vserver: "svm1", lunID: -1, usePct: -1, rank: 1}},
		{"event log show nearlyFull", "11/24/2012 15:15:29  node-01  ERROR  monitor.volume.nearlyFull: Volume ds01@svm1:9f1c is nearly full (using or reserving 95% of space and 4% of inodes).", true,
			want{form: ONTAPFormEventLog, time: "2012-11-24T15:15:29Z", assumed: true, node: "node-01", event: "monitor.volume.nearlyFull", sev: "ERROR",
				msg: "Volume ds01@svm1:9f1c is nearly full (using or reserving 95% of space and 4% of inodes).", vol: "ds01", vserver: "svm1", lunID: -1, usePct: 95, rank: 3}},
		{"event log show aggr.full", "3/7/2024 10:15:01 cl1-02 ALERT aggr.full: Aggregate \"aggr1\" is full.", true,
			want{form: ONTAPFormEventLog, time: "2024-03-07T10:15:01Z", assumed: true, node: "cl1-02", event: "aggr.full", sev: "ALERT",
				msg: "Aggregate \"aggr1\" is full.", aggr: "aggr1", lunID: -1, usePct: -1, rank: 1}},
		{"event log show LUN.vol.no.space", "3/7/2024 10:15:02  cl1-01  ERROR  LUN.vol.no.space: An operation on /vol/ds01/lun0 in volume ds01 (DSID 1043) failed due to lack of space in the volume.", true,
			want{form: ONTAPFormEventLog, time: "2024-03-07T10:15:02Z", assumed: true, node: "cl1-01", event: "LUN.vol.no.space", sev: "ERROR",
				msg: "An operation on /vol/ds01/lun0 in volume ds01 (DSID 1043) failed due to lack of space in the volume.", lun: "/vol/ds01/lun0", vol: "ds01", lunID: -1, usePct: -1, rank: 3}},
		{"event log header", "Time                Node             Severity      Event", false, want{}},
		{"event log separator", "------------------- ---------------- ------------- ---------------------------", false, want{}},
		{"ems xml", `<LR d="24Nov2012 15:15:29" n="cl1-01" t="1353770129" id="1353770129/33" p="6" s="Ok" o="scsiblade" vf="" type="0" seq="0x1e5f" ><lun_map_1 path="/vol/ds01/lun0" igroup="esx_hosts" lun_id="0" serial="C4i/aJ2J5bPZ"/></LR>`, true,
			want{form: ONTAPFormEMSXML, time: "2012-11-24T15:15:29Z", node: "cl1-01", event: "lun.map", sev: "6",
				msg: `path="/vol/ds01/lun0" igroup="esx_hosts" lun_id="0" serial="C4i/aJ2J5bPZ"`, lun: "/vol/ds01/lun0", vol: "ds01", igroup: "esx_hosts",
				serial: "C4i/aJ2J5bPZ", lunID: -1, usePct: -1, rank: 6}},
		{"ems xml date only", `<LR d="07Mar2024 10:15:01" n="cl1-01" p="1"><monitor_vol_full_inc_sav_1 vol="ds01"/></LR>`, true,
			want{form: ONTAPFormEMSXML, time: "2024-03-07T10:15:01Z", assumed: true, node: "cl1-01", event: "monitor.vol.full.inc.sav", sev: "1",
				msg: `vol="ds01"`, vol: "ds01", lunID: -1, usePct: -1, rank: 1}},
		{"esxi vmkernel", `2024-03-07T10:15:01.123Z cpu3:2097)ScsiDeviceIO: 1672: Cmd(0x45) 0x28 to dev "naa.600a0980433469...": failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`, false, want{}},
		{"syslog hostd", "Mar  1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: x", false, want{}},
		{"empty", "", false, want{}},
		{"bracket without event dot", "Sat Nov 24 15:15:29 EST [f1:lunmap:info]: x", false, want{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r ONTAPRecord
			r.Node = []byte("stale") // reset must clear
			lr := ref
			if c.name == "7mode december line, january ref" {
				lr = time.Date(2013, 1, 2, 0, 0, 0, 0, time.UTC)
			}
			if c.name == "7mode no space, padded day" {
				lr = time.Date(2012, 3, 6, 0, 0, 0, 0, time.UTC)
			}
			ok := ParseONTAP([]byte(c.line), lr, &r)
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, c.ok, r)
			}
			if !ok {
				return
			}
			w := c.w
			got := want{form: r.Form, assumed: r.TimeAssumed, inferred: r.YearInferred, node: string(r.Node), proc: string(r.Proc),
				event: string(r.Event), sev: string(r.Severity), msg: string(r.Message), lun: string(r.LUNPath), vol: string(r.Volume),
				vserver: string(r.Vserver), aggr: string(r.Aggregate), igroup: string(r.Igroup), serial: string(r.Serial),
				lunID: r.LUNID, usePct: r.UsePct, rank: r.Sev()}
			if r.HasTime {
				got.time = r.Time.UTC().Format(time.RFC3339)
			}
			if got != w {
				t.Errorf("\n got %+v\nwant %+v", got, w)
			}
		})
	}
}

func TestParseONTAPZeroRef(t *testing.T) {
	var r ONTAPRecord
	if !ParseONTAP([]byte("Sat Nov 24 15:15:29 EST [f1: lun.map:info]: LUN /vol/v/l was mapped to initiator group g=0"), time.Time{}, &r) {
		t.Fatal("not parsed")
	}
	if r.HasTime {
		t.Errorf("year-less stamp with zero ref has a time: %v", r.Time)
	}
}

// The weekday decides the year when the 48-hour rule guesses wrong: a line
// "Sat Nov 24" read with a reference in 2013 (Nov 24, 2013 is a Sunday) is 2012.
func TestParseONTAPWeekdayYear(t *testing.T) {
	var r ONTAPRecord
	ref := time.Date(2013, 12, 1, 0, 0, 0, 0, time.UTC)
	if !ParseONTAP([]byte("Sat Nov 24 15:15:29 UTC [f1: lun.map:info]: x"), ref, &r) {
		t.Fatal("not parsed")
	}
	if got := r.Time.Year(); got != 2012 {
		t.Errorf("year %d, want 2012", got)
	}
}

// Every line of every file under testdata/ontap (one file per shape:
// 7-Mode messages with the published real lines, event log show rows, EMS
// XML records) parses, and each file sniffs as ONTAP.
func TestParseONTAPTestdata(t *testing.T) {
	files, err := filepath.Glob("testdata/ontap/*")
	if err != nil || len(files) < 3 {
		t.Fatalf("testdata: %v %v", files, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if k := KindOfContent(data); k != KindONTAP {
			t.Errorf("%s: KindOfContent = %v", name, k)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		n := 0
		for sc.Scan() {
			n++
			var r ONTAPRecord
			if !ParseONTAP(sc.Bytes(), time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC), &r) || !r.HasTime {
				t.Errorf("%s:%d not parsed (or no time): %s", name, n, sc.Text())
			}
		}
		if n == 0 {
			t.Errorf("%s: no lines", name)
		}
	}
}

func TestParseONTAPAllocs(t *testing.T) {
	lines := [][]byte{
		[]byte("Sat Nov 24 15:15:29 EST [p1-3240cl1-2: lun.map:info]: LUN /vol/karim_vol/my_lun was mapped to initiator group esx_hosts=0"),
		[]byte("3/7/2024 10:15:01   cl1-01   ALERT   wafl.vol.full: Insufficient space on volume ds01@svm1:9f1c-22 to perform operation."),
		[]byte(`<LR d="24Nov2012 15:15:29" n="cl1-01" t="1353770129" p="6"><lun_map_1 path="/vol/ds01/lun0" serial="C4i/aJ2J5bPZ"/></LR>`),
	}
	ref := time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC)
	var r ONTAPRecord
	for _, l := range lines {
		if n := testing.AllocsPerRun(100, func() { ParseONTAP(l, ref, &r) }); n != 0 {
			t.Errorf("%d allocs for %q", int(n), l)
		}
	}
	dev := []byte("naa.600a09804334692f614a324a3562505a")
	if n := testing.AllocsPerRun(100, func() { NetAppSerialEqualNAA(dev, []byte("C4i/aJ2J5bPZ")) }); n != 0 {
		t.Errorf("NetAppSerialEqualNAA: %d allocs", int(n))
	}
}

func TestNetAppSerialNAA(t *testing.T) {
	cases := []struct {
		dev    string
		serial string
		ok     bool
	}{
		// VMware KB 2004684 PDL sample, a NetApp LUN (Data ONTAP 7G/8 prefix).
		{"naa.60a98000572d54724a34642d71325763", "W-TrJ4d-q2Wc", true},
		// elatov NetApp LUN seen in rules-catalog.md (H:0x8 sample).
		{"naa.60a9800064655a77524a6c4938685950", "deZwRJlI8hYP", true},
		// clustered ONTAP prefix, serial from the issue example.
		{"naa.600a09804334692f614a324a3562505a", "C4i/aJ2J5bPZ", true},
		{"NAA.600A09804334692F614A324A3562505A", "C4i/aJ2J5bPZ", true},
		{"600a09804334692f614a324a3562505a", "C4i/aJ2J5bPZ", true},
		// other vendors and damaged ids
		{"naa.600601602c411800f955e0bbe09fdb11", "", false},   // EMC (KB 1029039 sample)
		{"naa.600508e000000000c9f6baa7c19f6900", "", false},   // LSI (KB 289902 sample)
		{"naa.60a98000572d54724a34642d713257", "", false},     // short
		{"naa.60a98000572d54724a34642d7132576300", "", false}, // long
		{"naa.60a98000002d54724a34642d71325763", "", false},   // NUL byte
		{"naa.60a98000572d54724a34642d7132576g", "", false},   // not hex
		{"eui.60a98000572d54724a34642d71325763", "", false},   // not naa
	}
	for _, c := range cases {
		s, ok := NetAppSerialFromNAA([]byte(c.dev))
		if ok != c.ok || s != c.serial {
			t.Errorf("NetAppSerialFromNAA(%s) = %q,%v want %q,%v", c.dev, s, ok, c.serial, c.ok)
		}
		if !c.ok {
			continue
		}
		if !NetAppSerialEqualNAA([]byte(c.dev), []byte(c.serial)) {
			t.Errorf("NetAppSerialEqualNAA(%s, %s) false", c.dev, c.serial)
		}
		a, b, ok := NetAppNAAFromSerial(c.serial)
		if !ok {
			t.Fatalf("NetAppNAAFromSerial(%q) failed", c.serial)
		}
		if !equalFold([]byte(c.dev), a) && !equalFold([]byte(c.dev), b) && !equalFold([]byte("naa."+c.dev), a) {
			t.Errorf("NetAppNAAFromSerial(%q) = %s, %s; neither is %s", c.serial, a, b, c.dev)
		}
		for _, d := range []string{a, b} {
			if s2, ok := NetAppSerialFromNAA([]byte(d)); !ok || s2 != c.serial {
				t.Errorf("round trip %s -> %q", d, s2)
			}
		}
	}
	// Hex form of the serial ("Serial Number (Hex)").
	if s, ok := NormalizeNetAppSerial("4334692f614a324a3562505a"); !ok || s != "C4i/aJ2J5bPZ" {
		t.Errorf("NormalizeNetAppSerial hex = %q %v", s, ok)
	}
	if !NetAppSerialEqualNAA([]byte("naa.600a09804334692f614a324a3562505a"), []byte("4334692F614A324A3562505A")) {
		t.Error("hex serial does not match")
	}
	if NetAppSerialEqualNAA([]byte("naa.600a09804334692f614a324a3562505a"), []byte("C4i/aJ2J5bPY")) {
		t.Error("different serial matches")
	}
	if _, ok := NormalizeNetAppSerial("short"); ok {
		t.Error("short serial accepted")
	}
}

func FuzzParseONTAP(f *testing.F) {
	for _, s := range []string{
		"Sat Nov 24 15:15:29 EST [p1-3240cl1-2: lun.map:info]: LUN /vol/karim_vol/my_lun was mapped to initiator group esx_hosts=0",
		"Mon Mar  5 10:00:00 EST [filer1:wafl.vol.full:notice]: x",
		"<13>Nov 24 15:15:29 cl1-01 [cl1-01: mgwd: LUN.offline:notice]: LUN /vol/vol1/lun1, vol vol1 (DSID 1036) was brought offline",
		"3/7/2024 10:15:01   cl1-01   ALERT   wafl.vol.full: Insufficient space on volume ds01@svm1:9f1c-22 to perform operation.",
		"11/24/2012 15:15:29  node-01  ERROR  monitor.volume.nearlyFull: Volume v@s:u is nearly full (using or reserving 95% of space",
		`<LR d="24Nov2012 15:15:29" n="cl1-01" t="1353770129" p="6"><lun_map_1 path="/vol/ds01/lun0" serial="C4i/aJ2J5bPZ"/></LR>`,
		`<LR n="x"><a_1`, "1/1/2000 00:00:00 n ALERT a.b", "Sat Nov 24 15:15:29 +05:30 [a:b.c:d]:",
	} {
		f.Add([]byte(s))
	}
	ref := time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		var r ONTAPRecord
		if !ParseONTAP(b, ref, &r) {
			return
		}
		if len(r.Node) == 0 || !isEventName(r.Event) || r.Form == ONTAPFormNone {
			t.Fatalf("accepted record without node/event: %+v", r)
		}
		if r.Serial != nil && len(r.Serial) != 12 && len(r.Serial) != 24 {
			t.Fatalf("serial %q", r.Serial)
		}
		_, _ = NetAppSerialFromNAA(b)
	})
}

func BenchmarkParseONTAP(b *testing.B) {
	line := []byte("Sat Nov 24 15:15:29 EST [p1-3240cl1-2: lun.map:info]: LUN /vol/karim_vol/my_lun was mapped to initiator group esx_hosts=0")
	ref := time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC)
	var r ONTAPRecord
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ParseONTAP(line, ref, &r)
	}
}

func TestKindOfContentONTAP(t *testing.T) {
	for _, s := range []string{
		"3/7/2024 10:15:01   cl1-01   ALERT   wafl.vol.full: Insufficient space on volume ds01@svm1:9f1c-22 to perform operation.\n",
		`<LR d="24Nov2012 15:15:29" n="cl1-01" t="1353770129" p="6"><lun_map_1 path="/vol/ds01/lun0"/></LR>` + "\n",
		"Sat Nov 24 15:15:29 EST [p1-3240cl1-2: lun.map:info]: LUN /vol/karim_vol/my_lun was mapped to initiator group esx_hosts=0\n",
		"<13>Mar  7 10:20:00 cl1-01 [cl1-01: mgwd: LUN.offline:notice]: LUN /vol/v/l, vol v (DSID 1036) was brought offline (UUID: 6d2a).\n",
	} {
		if k := KindOfContent([]byte(s)); k != KindONTAP {
			t.Errorf("KindOfContent(%q) = %v", s, k)
		}
	}
}

// ESXi lines must not sniff as ONTAP.
func TestKindOfContentNotONTAP(t *testing.T) {
	for _, s := range []string{
		"Apr 7 17:39:16 esx_host Hostd: [2012-04-07 17:39:16.938 FFCFEE80 warning 'HostsvcPlugin'] Unable to initialize vmkernel ssl information : vim.fault.PlatformConfigFault\n",
		"Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device \"naa.xxxxxxxxxxxxx\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.\n",
		"2023-05-10T08:12:01.512Z: [APDCorrelator] 3012345678us: [vob.storage.apd.start] Device or filesystem with identifier [8a5a1336-3d574c6d] has entered the All Paths Down state.\n",
	} {
		if k := KindOfContent([]byte(s)); k == KindONTAP {
			t.Errorf("KindOfContent(%q) = ontap", s)
		}
	}
}

func BenchmarkParseONTAPForms(b *testing.B) {
	ref := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ name, line string }{
		{"eventlog", "3/7/2024 11:02:10   cl1-01   ALERT   wafl.vol.full: Insufficient space on volume ds01@svm1:9f1c-22 to perform operation. 4.00KB was requested but only 1.00KB was available."},
		{"emsxml", `<LR d="07Mar2024 10:14:58" n="cl1-01" t="1709806498" id="1709806498/33" p="6" s="Ok" o="scsiblade" vf="" type="0" seq="0x1e5f" ><lun_map_1 path="/vol/ds01/lun0" igroup="esx_hosts" lun_id="0"/></LR>`},
		{"not-ontap", `2024-03-07T10:15:01.123Z cpu3:2097)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x28, CmdSN 0x1f2 from world 2099 to dev "naa.600a09804334692f614a324a3562505a" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`},
	} {
		b.Run(c.name, func(b *testing.B) {
			line := []byte(c.line)
			var r ONTAPRecord
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				ParseONTAP(line, ref, &r)
			}
		})
	}
}

func BenchmarkNetAppSerialEqualNAA(b *testing.B) {
	dev, ser := []byte("naa.600a09804334692f614a324a3562505a"), []byte("C4i/aJ2J5bPZ")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !NetAppSerialEqualNAA(dev, ser) {
			b.Fatal("no match")
		}
	}
}
