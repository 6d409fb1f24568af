package rules

import (
	"testing"

	"github.com/esxdiag/esxdiag/parser"
)

var case1Vdf = member{rel: "commands/vdf_-h.txt", kind: parser.KindVdf, lines: []string{
	"Ramdisk Size Used Available Use% Mounted on",
	"MAINSYS 32M 21M 10M 68% --",
	"tmp 192M 60K 191M 0% --",
	"updatestg 750M 24K 749M 0% --",
	"hostdstats 166M 166M 0B 100% --",
}}

var case1Messages = member{rel: "var/log/messages", kind: parser.KindMessages, lines: []string{
	`Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device "naa.xxxxxxxxxxxxx" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`,
	`Apr 7 17:33:20 esx_host Hostd: [2012-04-07 17:33:20.472 32AE9B90 error 'Statssvc'] Error: 'FileIO error: No space left : /var/lib/vmware/hostd/stats/hostAgentStats.idMap'; while adding stat ...`,
	`Apr 7 17:39:16 esx_host Hostd: [2012-04-07 17:39:16.938 FFCFEE80 warning 'HostsvcPlugin'] Unable to initialize vmkernel ssl information : vim.fault.PlatformConfigFault`,
	`Apr 7 17:41:03 esx_host vmkernel: 17:19:52:55.580 cpu7:4182)BC: 3837: Failed to flush 45 buffers of size 8192 each for object '' 1 4 ed6 0 0 0 0 0 0 0 0 0 0 0: No free memory for file data`,
	`Apr 7 17:41:03 esx_host vmkernel: 17:19:52:55.726 cpu6:3476319)UserDump: 1485: Dumping cartel 3476251 (from world 3476319) to file /var/core/hostd-worker-zdump.000 ...`,
	`Apr 7 17:41:03 esx_host Hostd: [00] rip 17c6bbf3`,
	`Apr 7 17:41:04 esx_host vmkernel: 17:19:52:56.902 cpu6:3476319)UserDump: 1587: Userworld coredump complete.`,
	`Apr 7 17:52:41 esx_host root: Error running operation: Error interacting with configuration file /etc/vmware/esx.conf: Failed attempting to lock file.  Another process has locked the file for more than 20 seconds. The process holding the lock is hostd (1363758).  This operation will complete if it is run again after the lock is released.`,
}}

func TestHostdstatsSamples(t *testing.T) { checkGoSamples(t, hostdstatsRule{}) }

func TestHostdstatsCase1(t *testing.T) {
	fs, st := runRule(t, hostdstatsRule{}, case1Vdf, case1Messages)
	if len(fs) != 1 {
		t.Fatalf("findings = %+v", fs)
	}
	f := fs[0]
	if f.Severity != SeverityCritical || f.Object != "hostdstats" || st.State != StateFired {
		t.Fatalf("finding = %+v status %+v", f, st)
	}
	if f.Facts["signals"] != "4" || f.Facts["use_pct"] != "100" || f.Facts["hostd_core_dumps"] != "1" {
		t.Errorf("facts = %v", f.Facts)
	}
	mustContain(t, "summary", f.Summary, "4 of 4", "100% full (166M of 166M used)", "hostd-worker-zdump.000", "No free memory")
	if len(f.KB) != 1 || f.KB[0].Number != "1005884" {
		t.Errorf("KB = %+v", f.KB)
	}
	if len(f.Evidence) != 4 {
		t.Errorf("evidence should cite each of the 4 signals once: %+v", f.Evidence)
	}
	if len(f.Remediation) < 3 {
		t.Errorf("remediation = %v", f.Remediation)
	}
}

func TestHostdstatsSeverityLadder(t *testing.T) {
	tests := []struct {
		name  string
		ms    []member
		sev   Severity
		fired bool
		state string
	}{
		{"vdf alone", []member{case1Vdf}, SeverityError, true, StateFired},
		{"hostd alone", []member{{rel: "var/log/hostd.log", kind: parser.KindHostd, lines: []string{case1Messages.lines[1]}}}, SeverityError, true, StateFired},
		{"nomem alone", []member{{rel: "var/log/vmkernel.log", kind: parser.KindVmkernel, lines: []string{case1Messages.lines[3]}}}, SeverityWarning, true, StateFired},
		{"nomem and dump", []member{{rel: "var/log/vmkernel.log", kind: parser.KindVmkernel, lines: []string{case1Messages.lines[3], case1Messages.lines[4]}}}, SeverityError, true, StateFired},
		{"dump alone", []member{{rel: "var/log/vmkernel.log", kind: parser.KindVmkernel, lines: []string{case1Messages.lines[4]}}}, 0, false, StateClear},
		{"vdf fine", []member{{rel: "commands/vdf_-h.txt", kind: parser.KindVdf, lines: []string{"hostdstats 1803M 2M 1800M 0% --"}}}, 0, false, StateClear},
		{"nothing readable", []member{{rel: "etc/vmware/esx.conf", kind: parser.KindEsxConf}}, 0, false, StateNotEvaluable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, st := runRule(t, hostdstatsRule{}, tt.ms...)
			if (len(fs) > 0) != tt.fired || st.State != tt.state {
				t.Fatalf("findings %+v status %+v", fs, st)
			}
			if tt.fired && fs[0].Severity != tt.sev {
				t.Errorf("severity = %v, want %v", fs[0].Severity, tt.sev)
			}
			if st.State == StateClear && st.Reason == "" {
				t.Error("a clear status must say what was checked")
			}
		})
	}
}

func TestHostdstatsCoreFilesInBundle(t *testing.T) {
	fs, _ := runRule(t, hostdstatsRule{}, case1Vdf, member{rel: "var/core/hostd-worker-zdump.000", kind: parser.KindUnknown})
	if len(fs) != 1 || fs[0].Severity != SeverityCritical || fs[0].Facts["core_files"] != "var/core/hostd-worker-zdump.000" {
		t.Fatalf("findings = %+v", fs)
	}
}
