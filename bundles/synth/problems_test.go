package synth

import (
	"strings"
	"testing"
	"time"
)

// count returns the number of lines in files under any of dirs (logical paths)
// containing every needle.
func count(files map[string][]byte, prefix string, needles ...string) int {
	n := 0
	for name, data := range files {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			ok := true
			for _, nd := range needles {
				if !strings.Contains(line, nd) {
					ok = false
					break
				}
			}
			if ok {
				n++
			}
		}
	}
	return n
}

type marker struct {
	file    string // logical path prefix, e.g. "var/run/log/vmkernel"
	needles []string
	min     int
}

// markers returns what a rule must be able to find for problem p on gen.
func markers(g Generation, p Problem) []marker {
	vmk, hostd, vpxa, vobd, warn := "var/run/log/vmkernel", "var/run/log/hostd", "var/run/log/vpxa", "var/run/log/vobd", "var/run/log/vmkwarning"
	switch g {
	case ESX4:
		vmk, hostd, vpxa, warn = "var/log/messages", "var/log/vmware/hostd", "var/log/vmware/vpx/vpxa", "var/log/messages"
	case ESX35:
		vmk, hostd, vpxa, warn = "var/log/vmkernel", "var/log/vmware/hostd", "var/log/vmware/vpx/vpxa", "var/log/vmkwarning"
	}
	dev := func(i int) string {
		if g == ESX35 {
			return DevicePath(g, i, 0)[:len("vmhba1:0:")] // path prefix checked with the status below
		}
		return DeviceID(i)
	}
	switch p {
	case UAStorm:
		if g == ESX35 {
			return []marker{{vmk, []string{"status = 2/0 0x6 0x3f 0xe"}, 600}}
		}
		if g == ESXi8 {
			return []marker{{vmk, []string{"H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe."}, 600}, {vmk, []string{dev(0), "Failed:"}, 200}}
		}
		return []marker{{vmk, []string{dev(0), "H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe."}, 600}}
	case HostdStatsFull:
		return []marker{
			{"commands/vdf_-h.txt", []string{"hostdstats", " 0B", "100% --"}, 1},
			{hostd, []string{"FileIO error: No space left : /var/lib/vmware/hostd/stats/"}, 50},
			{vmk, []string{"BC: 3837: Failed to flush", "No free memory for file data"}, 10},
			{vmk, []string{"UserDump: 1485: Dumping cartel", "/var/core/hostd-worker-zdump.000"}, 1},
			{"var/core/hostd-worker-zdump.000", []string{"ELF"}, 1},
		}
	case EsxConfLock:
		return []marker{
			{hostd, []string{"/etc/vmware/esx.conf: Failed attempting to lock file.", "The process holding the lock is hostd (1363758)."}, 3},
			{hostd, []string{"Timeout while waiting for lock, /etc/vmware/esx.conf.LOCK", "The process currently holding the lock is hostd(1363758)."}, 3},
		}
	case RelocateVMDisabled:
		ms := []marker{
			{vpxa, []string{"vim.VirtualMachine.relocate: vim.fault.MethodDisabled:"}, 12},
			{hostd, []string{"RelocateVM_Task failed: The method is disabled by 'SYMC-FULL'"}, 9},
			{hostd, []string{"The method is disabled by 'com.vmware.vcDr'"}, 3},
		}
		for _, v := range MethodDisabledVMs {
			ms = append(ms, marker{hostd, []string{"/" + v.VM + ".vmx", "disabled by '" + v.By + "'"}, 3})
		}
		if g >= ESXi5 {
			ms = append(ms, marker{vpxa, []string{"--> ", "msg = \"The method is disabled by 'SYMC-FULL'\""}, 9})
		}
		return ms
	case HostdCrash:
		ms := []marker{
			{vmk, []string{"UserDump: 1485: Dumping cartel", "/var/core/hostd-zdump.001"}, 1},
			{hostd, []string{map[bool]string{true: "'App'", false: "sub=App"}[g <= ESXi5], "Backtrace:"}, 1},
			{"var/core/hostd-zdump.001", []string{"ELF"}, 1},
		}
		if g == ESXi8 {
			ms = append(ms, marker{"var/run/log/hostd-probe.log", []string{"hostd-probe[", "hostd detected to be non-responsive"}, 3})
		}
		return ms
	case SnapshotQuiesce:
		return []marker{
			{vpxa, []string{"vpxapi.VpxaService.createSnapshot: vim.fault.ApplicationQuiesceFault:"}, 3},
			{hostd, []string{"Failed to quiesce the virtual machine."}, 3},
			{hostd, []string{"'VssSyncStart' operation failed: IDispatch error #8449 (0x80042301)"}, 3},
		}
	case APD:
		ms := []marker{{vmk, []string{DeviceID(1), "H:0x1 D:0x0 P:0x0"}, 20}}
		if g >= ESXi5 {
			ms = append(ms,
				marker{vmk, []string{"StorageApdHandler:", "APD Timer started for ident [" + DeviceID(1) + "]"}, 1},
				marker{vobd, []string{"[esx.problem.storage.apd.timeout]", DeviceID(1), "for 140 seconds. I/Os will now be fast failed."}, 1},
				marker{vobd, []string{"[APDCorrelator]", "[vob.storage.apd.start]", DeviceID(1)}, 1})
		}
		return ms
	case PDL:
		return []marker{
			{vmk, []string{"(PERM LOSS)", "Valid sense data: 0x5 0x25 0x0."}, 2},
			{vmk, []string{"PDL error (0x5/0x25/0x0)", DeviceID(2)}, 2},
			{warn, []string{"Device :" + DeviceID(2) + " has been removed or is permanently inaccessible."}, 1},
			{vmk, []string{DeviceID(2), "H:0x1 D:0x0 P:0x0 Possible sense data: 0x5 0x25 0x0."}, 10},
		}
	case Latency:
		return []marker{
			{vmk, []string{"WARNING: ScsiDeviceIO:", "Device " + DeviceID(3) + " performance has deteriorated. I/O latency increased from average value of "}, 20},
			{warn, []string{"Device " + DeviceID(3) + " performance has deteriorated."}, 20},
			{vobd, []string{"[vob.scsi.device.io.latency.high]", DeviceID(3)}, 20},
		}
	case ReservationConflict:
		if g == ESX35 {
			return []marker{{vmk, []string{"status = 24/0 0x0 0x0 0x0"}, 60}}
		}
		return []marker{{vmk, []string{DeviceID(4), "failed H:0x0 D:0x18 P:0x0"}, 60}}
	case QueueFull:
		if g == ESX35 {
			return []marker{{vmk, []string{"status = 40/0 0x0 0x0 0x0"}, 100}, {vmk, []string{"status = 8/0 0x0 0x0 0x0"}, 30}}
		}
		return []marker{{vmk, []string{DeviceID(5), "H:0x0 D:0x28 P:0x0"}, 100}, {vmk, []string{DeviceID(5), "H:0x0 D:0x8 P:0x0"}, 30}}
	case ThinProvNoSpace:
		return []marker{{vmk, []string{DeviceID(6), "H:0x0 D:0x2 P:0x0 Valid sense data: 0x7 0x27 0x7."}, 50}}
	case DeadPath:
		ms := []marker{{vmk, []string{DeviceID(7), DevicePath(g, 7, 1), "H:0x1 D:0x0 P:0x0"}, 3}}
		if g == ESXi8 { // split record: the status is on the next record
			ms = []marker{{vmk, []string{DeviceID(7), DevicePath(g, 7, 1), "Failed:"}, 3}, {vmk, []string{")H:0x1 D:0x0 P:0x0"}, 3}}
		}
		if g >= ESXi5 {
			ms = append(ms, marker{vobd, []string{"[vob.scsi.scsipath.pathstate.dead]", DevicePath(g, 7, 1)}, 1},
				marker{vobd, []string{"[esx.problem.storage.redundancy.lost]", DeviceID(7)}, 1})
		}
		return ms
	}
	return nil
}

func TestProblemMarkers(t *testing.T) {
	for _, g := range Generations() {
		for _, p := range AllProblems() {
			if !Supported(g, p) {
				continue
			}
			t.Run(g.String()+"/"+string(p), func(t *testing.T) {
				b, m := genBundle(t, Config{Generation: g, TargetBytes: 1 << 20, RotateBytes: 256 << 10, Problems: []Problem{p}, Seed: 3})
				es, err := readTgz(t, b)
				if err != nil {
					t.Fatal(err)
				}
				files := logical(t, es)
				for _, mk := range markers(g, p) {
					if n := count(files, mk.file, mk.needles...); n < mk.min {
						t.Errorf("%s: %d lines with %q, want ≥ %d", mk.file, n, mk.needles, mk.min)
					}
				}
				if len(m.Problems) != 1 || m.Problems[0].Problem != p {
					t.Fatalf("manifest problems %+v", m.Problems)
				}
				pi := m.Problems[0]
				if id, ok := ProblemDevice(p); ok && pi.Device != id {
					t.Errorf("manifest device %q, want %q", pi.Device, id)
				}
				if pi.First.IsZero() || pi.Last.Before(pi.First) || pi.Last.After(m.CollectedAt) ||
					pi.First.Before(m.CollectedAt.Add(-24*time.Hour)) {
					t.Errorf("problem time span %v..%v not within the day before %v", pi.First, pi.Last, m.CollectedAt)
				}
			})
		}
	}
}

// TestUAStormRate: "many per minute" during the verification window.
func TestUAStormRate(t *testing.T) {
	b, m := genBundle(t, Config{Generation: ESXi7, TargetBytes: 1 << 20, Problems: []Problem{UAStorm}})
	es, _ := readTgz(t, b)
	files := logical(t, es)
	n := count(files, "var/run/log/vmkernel", "0x6 0x3f 0xe")
	span := m.Problems[0].Last.Sub(m.Problems[0].First).Minutes()
	if rate := float64(n) / span; rate < 15 {
		t.Errorf("%d UNIT ATTENTION lines over %.0f min = %.1f/min, want ≥ 15/min", n, span, rate)
	}
}

// TestNoiseIsClean: a bundle without problems carries none of the markers.
func TestNoiseIsClean(t *testing.T) {
	forbidden := []string{"0x6 0x3f 0xe", "No space left", "No free memory", "esx.conf", "disabled by", "MethodDisabled", "zdump",
		"Backtrace", "QuiesceFault", "quiesce", "APD", "0x5 0x25", "PERM LOSS", "deteriorated", "D:0x18", "D:0x28", "D:0x8 ",
		"0x7 0x27", "pathstate.dead", "redundancy", "status = ", "H:0x1", "100% --", "non-responsive"}
	for _, g := range Generations() {
		b, _ := genBundle(t, Config{Generation: g, TargetBytes: 2 << 20, RotateBytes: 512 << 10, Seed: 11})
		es, err := readTgz(t, b)
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range logical(t, es) {
			if !strings.HasPrefix(name, "var/") && name != "commands/vdf_-h.txt" {
				continue
			}
			if strings.HasPrefix(name, "var/core/") {
				t.Errorf("%s: core file without a problem", name)
			}
			s := string(data)
			for _, f := range forbidden {
				if strings.Contains(s, f) {
					i := strings.Index(s, f)
					t.Errorf("%s %s: noise contains %q: …%s…", g, name, f, s[max(0, i-80):min(len(s), i+40)])
				}
			}
		}
	}
}
