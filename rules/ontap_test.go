package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/parser"
)

// fleetRule reports whether a built-in rule correlates across inputs (its
// positive cases need several inputs: rules/ontap_test.go covers them).
func fleetRule(id string) bool {
	for _, g := range goRules() {
		if g.Info().ID == id {
			_, ok := g.NewState().(FleetState)
			return ok
		}
	}
	return false
}

// ---- fixture generators (ESXi folder bundle + ONTAP logs) ----

const (
	case1Serial = "C4i/aJ2J5bPZ" // LUN mapped by SnapDrive verification
	spaceSerial = "800R?ZK-lJz1" // thin LUN in a volume that fills
)

func naaOf(t testing.TB, serial string) string {
	a, _, ok := parser.NetAppNAAFromSerial(serial)
	if !ok {
		t.Fatalf("serial %q", serial)
	}
	return a
}

// writeESXiBundle writes a folder vm-support bundle of host esx01 collected
// 2024-03-07 11:30 whose vmkernel log holds background noise, plus a
// 6/3f/0e storm on uaDev at 10:15:00-10:15:29 and 7/27/07 write failures on
// spaceDev from 11:02:31 (either may be "").
func writeESXiBundle(t testing.TB, dir, uaDev, spaceDev string) string {
	root := filepath.Join(dir, "esx-esx01-2024-03-07--11.30-4242")
	var b bytes.Buffer
	base := time.Date(2024, 3, 7, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 200; i++ {
		ts := base.Add(time.Duration(i) * 40 * time.Second).Format("2006-01-02T15:04:05.000Z")
		fmt.Fprintf(&b, "%s cpu%d:%d)VC: 2002: Device rescan time %d msec (total number of devices 12)\n", ts, i%4, 2090+i%7, 300+i)
	}
	if uaDev != "" {
		st := time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC)
		for i := 0; i < 30; i++ {
			ts := st.Add(time.Duration(i) * time.Second).Format("2006-01-02T15:04:05.000Z")
			fmt.Fprintf(&b, "%s cpu3:2097)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x28, CmdSN 0x%x from world 2099 to dev \"%s\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.\n", ts, 0x100+i, uaDev)
		}
	}
	if spaceDev != "" {
		st := time.Date(2024, 3, 7, 11, 2, 31, 0, time.UTC)
		for i := 0; i < 12; i++ {
			ts := st.Add(time.Duration(i) * 5 * time.Second).Format("2006-01-02T15:04:05.000Z")
			fmt.Fprintf(&b, "%s cpu1:2101)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x2a, CmdSN 0x%x from world 2100 to dev \"%s\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x7 0x27 0x7.\n", ts, 0x200+i, spaceDev)
		}
	}
	p := filepath.Join(root, "var/run/log/vmkernel.log")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// writeFilerConsole writes a 7-Mode filer console capture (EMS lines as in
// /etc/messages, zone EST, plus "lun show -v" output): SnapDrive maps the
// LUN with serial case1Serial at 05:14:58 EST = 10:14:58 UTC.
func writeFilerConsole(t testing.TB, dir string) string {
	text := `Thu Mar  7 05:02:11 EST [filer1: wafl.snap.create:info]: Snapshot sdsnap_exch.0 created on volume exch_vol.
Thu Mar  7 05:14:58 EST [filer1: lun.map:info]: LUN /vol/exch_vol/exch_db was mapped to initiator group esx_hosts=3
Thu Mar  7 05:32:05 EST [filer1: scsitarget.ispfct.portLogin:notice]: FCP login on Fibre Channel adapter '0c' from '20:00:00:25:b5:0a:00:46', address 0x80051.
filer1> lun show -v /vol/exch_vol/exch_db
        /vol/exch_vol/exch_db        200g (214748364800)  (r/w, online, mapped)
                Serial#: ` + case1Serial + `
                Share: none
                Space Reservation: enabled
                Multiprotocol Type: vmware
                Maps: esx_hosts=3
`
	p := filepath.Join(dir, "filer1-console.log")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeClusterEventLog writes clustered ONTAP "event log show" rows (no
// zone: read as UTC) with "lun show -v" output naming the LUN's serial.
func writeClusterEventLog(t testing.TB, dir string) string {
	text := `3/7/2024 11:02:10   cl1-01   ALERT   wafl.vol.full: Insufficient space on volume ds01@svm1:9f1c-22 to perform operation. 4.00KB was requested but only 1.00KB was available.
3/7/2024 10:40:00   cl1-01   ERROR   monitor.volume.nearlyFull: Volume ds01@svm1:9f1c-22 is nearly full (using or reserving 97% of space and 1% of inodes).
3/7/2024 11:02:12   cl1-01   ERROR   LUN.vol.no.space: An operation on /vol/ds01/lun0 in volume ds01 (DSID 1043) failed due to lack of space in the volume.
cl1::> lun show -v -path /vol/ds01/lun0
              Vserver Name: svm1
                  LUN Path: /vol/ds01/lun0
             Serial Number: ` + spaceSerial + `
`
	p := filepath.Join(dir, "cl1-events.log")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func analyzePaths(t testing.TB, paths ...string) *Report {
	t.Helper()
	var srcs []*bundles.Source
	for _, p := range paths {
		src, err := bundles.Open(context.Background(), p, bundles.Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	rep, err := AnalyzeSources(context.Background(), srcs, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func findRule(rep *Report, id string) (*Finding, *HostReport) {
	for hi := range rep.Hosts {
		for i := range rep.Hosts[hi].Findings {
			if rep.Hosts[hi].Findings[i].RuleID == id {
				return &rep.Hosts[hi].Findings[i], &rep.Hosts[hi]
			}
		}
	}
	return nil, nil
}

func statusOf(h *HostReport, id string) RuleStatus {
	for _, s := range h.Statuses {
		if s.RuleID == id {
			return s
		}
	}
	return RuleStatus{}
}

// golden compares the correlation findings (and the ONTAP ones) with a
// golden file, temp paths replaced by <tmp>.
func checkOntapGolden(t *testing.T, name, tmp string, rep *Report, ids ...string) {
	t.Helper()
	type entry struct {
		Host    string  `json:"host"`
		Finding Finding `json:"finding"`
	}
	var out []entry
	for _, h := range rep.Hosts {
		for _, f := range h.Findings {
			for _, id := range ids {
				if f.RuleID == id {
					out = append(out, entry{Host: h.Bundle.Host, Finding: f})
				}
			}
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte(tmp), []byte("<tmp>"))
	b = append(b, '\n')
	p := filepath.Join("testdata", "ontap", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./rules -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(want, b) {
		t.Errorf("%s differs from the report (go test ./rules -run %s -update):\n%s", p, t.Name(), b)
	}
}

// Case 1 (CASE.md): SnapDrive verification maps a LUN on the filer; the
// ESXi host sees a 6/3f/0e storm on that LUN's naa device.
func TestE2EOntapCase1LunMapUA(t *testing.T) {
	dir := t.TempDir()
	dev := naaOf(t, case1Serial)
	esx := writeESXiBundle(t, dir, dev, "")
	filer := writeFilerConsole(t, dir)
	rep := analyzePaths(t, esx, filer)
	if len(rep.Hosts) != 2 {
		t.Fatalf("hosts = %d, want 2 (%s)", len(rep.Hosts), rep)
	}
	f, h := findRule(rep, lunMapUAID)
	if f == nil {
		t.Fatalf("no %s finding; statuses: %+v", lunMapUAID, rep.Hosts)
	}
	if h.Bundle.Host != "esx01" || f.Object != dev {
		t.Errorf("finding on host %q object %q, want esx01 %s", h.Bundle.Host, f.Object, dev)
	}
	mustContain(t, "summary", f.Summary, "lun.map of /vol/exch_vol/exch_db on filer1 at 2024-03-07T10:14:58Z", "30 UNIT ATTENTION 6/3f/0e", dev, "±2m0s", "confidence high", case1Serial)
	for k, v := range map[string]string{"confidence": "high", "serial": case1Serial, "lun_path": "/vol/exch_vol/exch_db", "igroup": "esx_hosts", "ua_count": "30", "ontap_node": "filer1"} {
		if f.Facts[k] != v {
			t.Errorf("fact %s = %q, want %q", k, f.Facts[k], v)
		}
	}
	if len(f.Evidence) < 2 || !strings.Contains(f.Evidence[0].Text, "lun.map") || !strings.Contains(f.Evidence[1].Text, "0x6 0x3f 0xe") {
		t.Errorf("evidence must cite both sides: %+v", f.Evidence)
	}
	if f.Severity != SeverityError {
		t.Errorf("severity %v", f.Severity)
	}
	// The ONTAP input reports the map event itself (info: no churn) and
	// says where correlations go.
	if m, _ := findRule(rep, ontapLunMapID); m == nil || m.Severity != SeverityInfo {
		t.Errorf("ontap-lun-map-churn: %+v", m)
	}
	for _, hr := range rep.Hosts {
		if hr.Bundle.Host == "esx01" {
			continue
		}
		if st := statusOf(&hr, lunMapUAID); st.State != StateNotEvaluable || !strings.Contains(st.Reason, "ONTAP log") {
			t.Errorf("ONTAP input status %+v", st)
		}
	}
	if fh := rep.Hosts[1]; fh.Bundle.Host != "filer1" || fh.First.Format(time.RFC3339) != "2024-03-07T10:02:11Z" || fh.Last.Format(time.RFC3339) != "2024-03-07T10:32:05Z" {
		t.Errorf("ONTAP input report: host %q span %v..%v", fh.Bundle.Host, fh.First, fh.Last)
	}
	checkOntapGolden(t, "case1-lunmap-ua.golden.json", dir, rep, lunMapUAID, ontapLunMapID)
}

// A full volume on the array ↔ 7/27/07 on the host (clustered ONTAP event
// log rows, zone not stated).
func TestE2EOntapVolumeFullOutOfSpace(t *testing.T) {
	dir := t.TempDir()
	dev := naaOf(t, spaceSerial)
	esx := writeESXiBundle(t, dir, "", dev)
	evlog := writeClusterEventLog(t, dir)
	rep := analyzePaths(t, evlog, esx) // order of inputs does not matter
	f, h := findRule(rep, spaceHostID)
	if f == nil {
		t.Fatalf("no %s finding: %s", spaceHostID, rep)
	}
	if h.Bundle.Host != "esx01" {
		t.Errorf("host %q", h.Bundle.Host)
	}
	mustContain(t, "summary", f.Summary, "7/27/07", dev, "±2m0s", "/vol/ds01/lun0", "time zone",
		"related array events: wafl.vol.full (volume ds01) at 2024-03-07T11:02:10Z")
	if f.Facts["host_symptom"] != "out-of-space" || f.Facts["serial"] != spaceSerial || f.Facts["lun_path"] != "/vol/ds01/lun0" {
		t.Errorf("facts %v", f.Facts)
	}
	// The zone of event log rows is assumed: confidence is capped at medium.
	if f.Facts["confidence"] != "medium" {
		t.Errorf("confidence %q, want medium (zone assumed)", f.Facts["confidence"])
	}
	if f.Severity != SeverityCritical {
		t.Errorf("severity %v", f.Severity)
	}
	if v, _ := findRule(rep, ontapVolFullID); v == nil || v.Object != "volume ds01" {
		t.Errorf("ontap-volume-full: %+v", v)
	}
	checkOntapGolden(t, "volfull-7-27-07.golden.json", dir, rep, spaceHostID, ontapVolFullID, ontapLunSpaceID)
}

// Without both inputs the correlation rules are not-evaluable with the reason.
func TestOntapCorrelationNotEvaluable(t *testing.T) {
	dir := t.TempDir()
	esx := writeESXiBundle(t, dir, naaOf(t, case1Serial), "")
	rep := analyzePaths(t, esx)
	for _, id := range []string{lunMapUAID, spaceHostID} {
		st := statusOf(&rep.Hosts[0], id)
		if st.State != StateNotEvaluable || !strings.Contains(st.Reason, "no ONTAP log among the inputs") {
			t.Errorf("%s: %+v", id, st)
		}
	}
	// Plain Analyze (one source) gives the same status.
	src, err := bundles.Open(context.Background(), esx, bundles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep2, err := Analyze(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st := statusOf(&rep2.Hosts[0], lunMapUAID); st.State != StateNotEvaluable {
		t.Errorf("Analyze: %+v", st)
	}
	filer := writeFilerConsole(t, dir)
	rep3 := analyzePaths(t, filer)
	if st := statusOf(&rep3.Hosts[0], lunMapUAID); st.State != StateNotEvaluable || !strings.Contains(st.Reason, "ONTAP log") {
		t.Errorf("ONTAP alone: %+v", st)
	}
}

// A storm outside the skew window of the map event does not correlate.
func TestOntapCorrelationWindow(t *testing.T) {
	dir := t.TempDir()
	esx := writeESXiBundle(t, dir, naaOf(t, case1Serial), "")
	text := "Thu Mar  7 05:30:58 EST [filer1: lun.map:info]: LUN /vol/exch_vol/exch_db was mapped to initiator group esx_hosts=3\n"
	p := filepath.Join(dir, "filer1-late.log")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyzePaths(t, esx, p)
	if f, _ := findRule(rep, lunMapUAID); f != nil {
		t.Errorf("map 16 minutes after the storm correlated: %s", f.Summary)
	}
}

// Churn: four map/unmap events of one LUN within an hour raise a warning.
func TestOntapLunMapChurn(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 4; i++ {
		ev := "lun.map"
		verb := "mapped to"
		if i%2 == 1 {
			ev, verb = "lun.unmap", "unmapped from"
		}
		fmt.Fprintf(&b, "Thu Mar  7 05:%02d:00 EST [filer1: %s:info]: LUN /vol/v/clone was %s initiator group verify=1\n", 10+i*5, ev, verb)
	}
	rep, err := AnalyzeText(context.Background(), "filer", []byte(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := findRule(rep, ontapLunMapID)
	if f == nil {
		t.Fatalf("no finding: %+v", rep.Hosts[0].Statuses)
	}
	if f.Severity != SeverityWarning || f.Count != 4 || !strings.Contains(f.Summary, "churn") || !strings.Contains(f.Facts["unverified_names"], "lun.unmap") {
		t.Errorf("%+v", f)
	}
}

// A 7-Mode filer (zone stated) whose volume fills: wafl.vol.full alone is
// linked to 7/27/07 through the LUN's volume, with high confidence.
func TestE2EOntapWaflVolFull7Mode(t *testing.T) {
	dir := t.TempDir()
	dev := naaOf(t, spaceSerial)
	esx := writeESXiBundle(t, dir, "", dev)
	text := "Thu Mar  7 06:01:50 EST [filer2: wafl.vol.full:notice]: file system full on volume ds01\n" +
		"filer2> lun show -v\n        /vol/ds01/lun0   500g (536870912000)  (r/w, online, mapped)\n                Serial#: " + spaceSerial + "\n"
	p := filepath.Join(dir, "filer2-messages.log")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyzePaths(t, esx, p)
	f, _ := findRule(rep, spaceHostID)
	if f == nil {
		t.Fatalf("no finding: %s", rep)
	}
	if f.Facts["ontap_event"] != "wafl.vol.full" || f.Facts["confidence"] != "high" || f.Facts["volume"] != "ds01" || f.Facts["lun_path"] != "/vol/ds01/lun0" {
		t.Errorf("facts %v", f.Facts)
	}
	mustContain(t, "summary", f.Summary, "wafl.vol.full (volume ds01) on filer2 at 2024-03-07T11:01:50Z", "a LUN in volume ds01")
}

// The multi-input report does not depend on the number of workers.
func TestAnalyzeSourcesDeterministic(t *testing.T) {
	dir := t.TempDir()
	esx := writeESXiBundle(t, dir, naaOf(t, case1Serial), naaOf(t, spaceSerial))
	filer := writeFilerConsole(t, dir)
	evlog := writeClusterEventLog(t, dir)
	var outs [][]byte
	for _, w := range []int{1, 4} {
		var srcs []*bundles.Source
		for _, p := range []string{esx, filer, evlog} {
			src, err := bundles.Open(context.Background(), p, bundles.Options{Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, src)
		}
		rep, err := AnalyzeSources(context.Background(), srcs, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(rep)
		outs = append(outs, b)
		if len(rep.Hosts) != 3 {
			t.Fatalf("hosts %d", len(rep.Hosts))
		}
		if f, _ := findRule(rep, lunMapUAID); f == nil {
			t.Error("no lun-map correlation with three inputs")
		}
		if f, _ := findRule(rep, spaceHostID); f == nil {
			t.Error("no space correlation with three inputs")
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("reports differ between 1 and 4 workers")
	}
	if _, err := AnalyzeSources(context.Background(), nil, Options{}); err == nil {
		t.Error("no input accepted")
	}
}

// LUN.offline on the array ↔ PDL sense and APD on the host, same LUN.
func TestE2EOntapLunOfflinePDLAPD(t *testing.T) {
	dir := t.TempDir()
	dev := naaOf(t, case1Serial)
	root := writeESXiBundle(t, dir, "", "")
	vmk := "2024-03-07T10:20:05.000Z cpu2:2127)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x28, CmdSN 0xecab from world 2127 to dev \"" + dev + "\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0.\n"
	vobd := "2024-03-07T10:20:09.512Z: [APDCorrelator] 3012345678us: [vob.storage.apd.start] Device or filesystem with identifier [" + dev + "] has entered the All Paths Down state.\n"
	f, err := os.OpenFile(filepath.Join(root, "var/run/log/vmkernel.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(vmk)
	f.Close()
	if err := os.WriteFile(filepath.Join(root, "var/run/log/vobd.log"), []byte(vobd), 0o644); err != nil {
		t.Fatal(err)
	}
	filer := filepath.Join(dir, "cl1-offline.log")
	text := "<13>Mar  7 10:20:00 cl1-01 [cl1-01: mgwd: LUN.offline:notice]: LUN /vol/exch_vol/exch_db, vol exch_vol (DSID 1036) was brought offline (UUID: 6d2a).\n" +
		"cl1::> lun show -v -path /vol/exch_vol/exch_db\n                  LUN Path: /vol/exch_vol/exch_db\n             Serial Number: " + case1Serial + "\n"
	if err := os.WriteFile(filer, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyzePaths(t, root, filer)
	got := map[string]*Finding{}
	for hi := range rep.Hosts {
		for i := range rep.Hosts[hi].Findings {
			if fd := &rep.Hosts[hi].Findings[i]; fd.RuleID == spaceHostID {
				got[fd.Facts["host_symptom"]] = fd
			}
		}
	}
	for _, sym := range []string{"pdl", "apd"} {
		fd := got[sym]
		if fd == nil {
			t.Errorf("no %s correlation (have %v)", sym, got)
			continue
		}
		if fd.Facts["ontap_event"] != "LUN.offline" || fd.Facts["lun_path"] != "/vol/exch_vol/exch_db" || fd.Facts["host_device"] != dev {
			t.Errorf("%s: %v", sym, fd.Facts)
		}
	}
}

// BenchmarkOntapLog runs the built-in catalog over a 7-Mode messages file
// (every ONTAP rule reads every line: ONTAP logs are small next to vmkernel).
func BenchmarkOntapLog(b *testing.B) {
	var buf bytes.Buffer
	base := time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC)
	evs := []string{
		"[filer1: lun.map:info]: LUN /vol/exch_vol/exch_db was mapped to initiator group esx_hosts=3",
		"[filer1: wafl.snap.create:info]: Snapshot hourly.0 created on volume exch_vol.",
		"[filer1: scsitarget.ispfct.portLogin:notice]: FCP login on Fibre Channel adapter '0c' from '20:00:00:25:b5:0a:00:46', address 0x80051.",
		"[filer1: wafl.vol.full:notice]: file system full on volume ds01",
	}
	for i := 0; buf.Len() < 4<<20; i++ {
		t := base.Add(time.Duration(i) * time.Second).In(time.FixedZone("EST", -5*3600))
		fmt.Fprintf(&buf, "%s %s\n", t.Format("Mon Jan _2 15:04:05 MST"), evs[i%len(evs)])
	}
	data := buf.Bytes()
	cat := Builtin()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src, err := bundles.OpenReader(context.Background(), "filer1-messages.log", bytes.NewReader(data), bundles.Options{Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := AnalyzeSources(context.Background(), []*bundles.Source{src}, Options{Workers: 1, Catalog: cat}); err != nil {
			b.Fatal(err)
		}
	}
}

// The real case-1 bundle (ESX 4.1, masked device id, zone-less syslog
// stamps in host-local time) with a filer log in EST: the single 6/3f/0e
// line matches the lun.map only with the clocks shifted (the host ran on
// US Pacific time in this reconstruction), reported with low confidence.
func TestOntapCase1RealBundleClockOffset(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "filer1-messages.log")
	text := "Thu Mar  1 11:53:31 EST [filer1: lun.map:info]: LUN /vol/exch_snap/sdv_verify_lun was mapped to initiator group viaRPC.iqn.1998-01.com.vmware:esx_host=4\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyzePaths(t, filepath.Join("testdata", "case1", "esx-esx_host-2012-04-07--18.05-3478812"), p)
	f, _ := findRule(rep, lunMapUAID)
	if f == nil {
		t.Fatalf("no correlation: %s", rep)
	}
	if f.Facts["confidence"] != "low" || f.Facts["clock_offset"] != "-8h0m0s" || f.Object != "naa.xxxxxxxxxxxxx" {
		t.Errorf("facts %v object %s", f.Facts, f.Object)
	}
	mustContain(t, "summary", f.Summary, "shifted by -8h0m0s", "different time zones", "lun.map of /vol/exch_snap/sdv_verify_lun on filer1")
}

// FC target port queue full on the array ↔ TASK SET FULL on the host.
func TestE2EOntapPortQfull(t *testing.T) {
	dir := t.TempDir()
	dev := naaOf(t, case1Serial)
	root := writeESXiBundle(t, dir, "", "")
	f, err := os.OpenFile(filepath.Join(root, "var/run/log/vmkernel.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		fmt.Fprintf(f, "2024-03-07T10:15:%02d.000Z cpu2:2127)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x2a, CmdSN 0x%x from world 2127 to dev \"%s\" failed H:0x0 D:0x28 P:0x0 Possible sense data: 0x0 0x0 0x0.\n", 10+i, i, dev)
	}
	f.Close()
	filer := filepath.Join(dir, "cl1-port.log")
	if err := os.WriteFile(filer, []byte("3/7/2024 10:15:00  cl1-01  ERROR  scsitarget.fct.port.full: FC target port 0c: active commands 2048 reached the maximum 2048.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyzePaths(t, root, filer)
	fd, _ := findRule(rep, portQfullID)
	if fd == nil {
		t.Fatalf("no %s finding: %s", portQfullID, rep)
	}
	if fd.Facts["confidence"] != "medium" || fd.Facts["host_symptom"] != "queue-full" || fd.Facts["host_count"] != "5" || fd.Facts["host_device"] != dev {
		t.Errorf("facts %v", fd.Facts)
	}
	if len(fd.KB) != 3 {
		t.Errorf("KB %v", fd.KB)
	}
}

// With one ESXi source AnalyzeSources gives exactly Analyze's report, so a
// caller can always use it.
func TestAnalyzeSourcesOneSourceEqualsAnalyze(t *testing.T) {
	root := filepath.Join("testdata", "case1", "esx-esx_host-2012-04-07--18.05-3478812")
	var outs [][]byte
	for i := 0; i < 2; i++ {
		src, err := bundles.Open(context.Background(), root, bundles.Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		var rep *Report
		if i == 0 {
			rep, err = Analyze(context.Background(), src, Options{Workers: 1})
		} else {
			rep, err = AnalyzeSources(context.Background(), []*bundles.Source{src}, Options{Workers: 1})
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(rep)
		outs = append(outs, b)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Errorf("AnalyzeSources(one source) differs from Analyze:\n%s\n%s", outs[0], outs[1])
	}
}

// FuzzOntapCorrelate feeds arbitrary filer and vmkernel text through
// AnalyzeSources: no panic, no error, correlation findings only on hosts.
func FuzzOntapCorrelate(f *testing.F) {
	f.Add("Thu Mar  7 05:14:58 EST [filer1: lun.map:info]: LUN /vol/v/l was mapped to initiator group g=3\nfiler1> lun show -v\n        /vol/v/l  1g\n                Serial#: "+case1Serial+"\n",
		"2024-03-07T10:15:00.000Z cpu3:2097)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x28, CmdSN 0x100 from world 2099 to dev \"naa.600a09804334692f614a324a3562505a\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.\n")
	f.Add("3/7/2024 11:02:10   cl1-01   ALERT   wafl.vol.full: Insufficient space on volume ds01@svm1:9f1c-22\n",
		"2024-03-07T11:02:31.000Z cpu1:2101)ScsiDeviceIO: 3449: Cmd(0x45) 0x2a, CmdSN 0x1 from world 2100 to dev \"naa.60a98000572d54724a34642d71325763\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x7 0x27 0x7.\n")
	cat := Builtin()
	f.Fuzz(func(t *testing.T, filer, vmk string) {
		ctx := context.Background()
		a, err := bundles.OpenReader(ctx, "filer1-messages.log", strings.NewReader("Thu Mar  7 05:00:00 EST [filer1: x.y:info]: start\n"+filer), bundles.Options{Workers: 1})
		if err != nil {
			return
		}
		b, err := bundles.OpenReader(ctx, "vmkernel.log", strings.NewReader("2024-03-07T10:00:00.000Z cpu0:1)start\n"+vmk), bundles.Options{Workers: 1})
		if err != nil {
			return
		}
		rep, err := AnalyzeSources(ctx, []*bundles.Source{a, b}, Options{Workers: 1, Catalog: cat})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range rep.Hosts {
			for _, fd := range h.Findings {
				if fd.RuleID == lunMapUAID || fd.RuleID == spaceHostID || fd.RuleID == portQfullID {
					if fd.Facts["confidence"] == "" || fd.Facts["skew_tolerance"] == "" {
						t.Fatalf("correlation finding without confidence/skew: %+v", fd)
					}
				}
			}
		}
	})
}

// Bare files without a collection time: the 7-Mode stamps take their year
// from the latest time of the vmkernel log analyzed with them.
func TestOntapBareFilesYear(t *testing.T) {
	dir := t.TempDir()
	dev := naaOf(t, case1Serial)
	root := writeESXiBundle(t, dir, dev, "")
	vmk := filepath.Join(dir, "vmkernel.log")
	data, err := os.ReadFile(filepath.Join(root, "var/run/log/vmkernel.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vmk, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyzePaths(t, vmk, writeFilerConsole(t, dir))
	f, _ := findRule(rep, lunMapUAID)
	if f == nil || f.Facts["confidence"] != "high" || f.Facts["array_time"] != "2024-03-07T10:14:58Z" {
		t.Fatalf("bare files: %+v", f)
	}
}
