package rules

import (
	"testing"

	"github.com/esxdiag/esxdiag/parser"
)

func TestEsxconfLockCase1(t *testing.T) {
	fs, st := runRule(t, esxconfLockRule{}, case1Messages)
	if len(fs) != 1 || st.State != StateFired {
		t.Fatalf("findings %+v status %+v", fs, st)
	}
	f := fs[0]
	if f.Facts["holder"] != "hostd" || f.Facts["pid"] != "1363758" || f.Count != 1 || f.Severity != SeverityWarning {
		t.Errorf("finding = %+v", f)
	}
	mustContain(t, "summary", f.Summary, "hostd PID 1363758 (1 time)")
	if len(f.KB) != 1 || f.KB[0].Number != "305118" {
		t.Errorf("KB = %+v", f.KB)
	}
}

func TestEsxconfLockBothFormsRepeated(t *testing.T) {
	v41 := esxconfLockRule{}.Info().Samples[0].Line
	v50 := esxconfLockRule{}.Info().Samples[1].Line
	fs, _ := runRule(t, esxconfLockRule{}, member{rel: "var/log/syslog.log", kind: parser.KindSyslog, lines: []string{v50, v41, v50, "unrelated", v50}})
	if len(fs) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	f := fs[0]
	if f.Severity != SeverityError || f.Count != 4 || f.Facts["holder"] != "hostd-worker" || f.Facts["pid"] != "5055" || f.Facts["holders"] != "2" {
		t.Errorf("finding = %+v", f)
	}
	mustContain(t, "summary", f.Summary, "hostd-worker PID 5055 (3 times)", "hostd PID 1363758 (1 time)", "4 times")
}

func TestHostdCrashCase1(t *testing.T) {
	fs, st := runRule(t, hostdCrashRule{}, case1Messages, member{rel: "var/core/hostd-worker-zdump.000", kind: parser.KindUnknown})
	if len(fs) != 1 || st.State != StateFired {
		t.Fatalf("findings %+v status %+v", fs, st)
	}
	f := fs[0]
	if f.Object != "hostd" || f.Severity != SeverityError || f.Facts["core_dumps"] != "1" || f.Facts["backtraces"] != "1" {
		t.Errorf("finding = %+v", f)
	}
	if f.Facts["core_files"] != "/var/core/hostd-worker-zdump.000" {
		t.Errorf("core files = %q (the UserDump file and the bundle file are the same)", f.Facts["core_files"])
	}
	if len(f.Evidence) != 2 {
		t.Errorf("evidence = %+v", f.Evidence)
	}
}

func TestHostdCrashVpxaAndProbe(t *testing.T) {
	fs, _ := runRule(t, hostdCrashRule{},
		member{rel: "var/run/log/hostd-probe.log", kind: parser.KindHostdProbe, lines: []string{
			"2023-08-08T14:13:55.101Z In(14) hostd-probe[2099101]: hostd detected to be non-responsive",
		}},
		member{rel: "var/core/vpxa-zdump.000", kind: parser.KindUnknown},
	)
	if len(fs) != 2 || fs[0].Object != "hostd" || fs[1].Object != "vpxa" {
		t.Fatalf("findings = %+v", fs)
	}
	if fs[0].Facts["non_responsive"] != "1" || fs[1].Facts["core_files"] != "/var/core/vpxa-zdump.000" {
		t.Errorf("facts = %v / %v", fs[0].Facts, fs[1].Facts)
	}
}

func TestRelocateVMGroupsByWhoAndVM(t *testing.T) {
	line := func(task, vm, who string) string {
		return "2022-06-02T11:58:1" + task + ".193Z error vpxd[45715] [Originator@6876 sub=vpxLro opID=7e1280cf] [VpxLRO] -- ERROR task-" + task + " -- " + vm + " -- vim.VirtualMachine.relocate: vim.fault.MethodDisabled: The method is disabled by '" + who + "'"
	}
	fs, st := runRule(t, relocateRule{}, member{rel: "vpxd.log", kind: parser.KindVpxd, lines: []string{
		line("1", "vm-2041", "SYMC-FULL-1234"), line("2", "vm-2041", "SYMC-FULL-1234"),
		line("3", "vm-77", "SYMC-FULL-1234"), line("4", "vm-9", "VEEAM"),
	}})
	if len(fs) != 2 || st.State != StateFired {
		t.Fatalf("findings %+v", fs)
	}
	f := findingFor(fs, "SYMC-FULL-1234")
	if f == nil || f.Facts["vms"] != "2" || f.Count != 3 {
		t.Fatalf("finding = %+v", f)
	}
	mustContain(t, "summary", f.Summary, "vm-2041 (2, since", "vm-77 (1, since", "'SYMC-FULL-1234'")
	if len(f.Remediation) < 4 {
		t.Errorf("remediation = %v", f.Remediation)
	}
}

func TestRelocateVMNotEvaluableWithoutVpxd(t *testing.T) {
	_, st := runRule(t, relocateRule{}, member{rel: "var/log/hostd.log", kind: parser.KindHostd, lines: []string{"nothing"}})
	if st.State != StateNotEvaluable || st.Reason == "" {
		t.Fatalf("status = %+v", st)
	}
}

func TestQuiesceCountsCausesPerVM(t *testing.T) {
	s := quiesceRule{}.Info().Samples
	fs, _ := runRule(t, quiesceRule{}, member{rel: "var/log/hostd.log", kind: parser.KindHostd, lines: []string{s[1].Line, s[2].Line, s[3].Line}},
		member{rel: "var/log/vpxa.log", kind: parser.KindVpxa, lines: []string{
			"2010-10-10T22:53:31.077Z [45EEEB90 info 'Default' opID=D1D8F924-00002337-83] [VpxLRO] -- ERROR task-768 -- exch01 -- vpxapi.VpxaService.createSnapshot: vim.fault.ApplicationQuiesceFault:",
		}})
	if len(fs) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	f := fs[0]
	if f.Count != 3 || f.Facts["vms"] != "1" || f.Facts["hold_off_timeouts"] != "1" || f.Facts["vss_errors"] != "1" {
		t.Errorf("finding = %+v", f)
	}
	mustContain(t, "summary", f.Summary, "exch01 (3)")
	if len(f.KB) != 3 {
		t.Errorf("KB = %+v", f.KB)
	}
}

func TestRamdiskFullGeneralises(t *testing.T) {
	fs, st := runRule(t, ramdiskFullRule{},
		member{rel: "commands/vdf_-h.txt", kind: parser.KindVdf, lines: []string{
			"Ramdisk Size Used Available Use% Mounted on",
			"root 32M 31M 1M 97% --",
			"hostdstats 166M 166M 0B 100% --",
			"tmp 192M 60K 191M 0% --",
		}},
		member{rel: "commands/localcli_system-visorfs-ramdisk-list.txt", kind: parser.KindRamdiskList, lines: []string{
			"root            true                  true  32768 KiB     32768 KiB   2520 KiB   2668 KiB  92 %           92 %            8192              8192         4212  /",
			"var             true                  true  49152 KiB     49152 KiB  48000 KiB  48000 KiB   2 %            2 %            8192              8192          400  /var",
		}},
	)
	if st.State != StateFired || len(fs) != 2 {
		t.Fatalf("findings %+v status %+v", fs, st)
	}
	if f := findingFor(fs, "root"); f == nil || f.Facts["use_pct"] != "97" {
		t.Errorf("root = %+v", f)
	}
	if f := findingFor(fs, "var"); f == nil || f.Facts["use_pct"] != "98" {
		t.Errorf("var = %+v", f)
	}
	_, st = runRule(t, ramdiskFullRule{}, member{rel: "var/log/hostd.log", kind: parser.KindHostd})
	if st.State != StateNotEvaluable {
		t.Errorf("status without vdf = %+v", st)
	}
}

func TestRelocateVMAttributesAnonymousFaults(t *testing.T) {
	fs, _ := runRule(t, relocateRule{}, member{rel: "var/run/log/hostd.log", kind: parser.KindHostd, lines: []string{
		"2024-03-06T11:15:00.000Z info hostd[2099482] [Originator@6876 sub=Vmsvc.vm:/vmfs/volumes/5b7d2a1e-34bc8a10-9f3c-0025b5a0001f/SQL01/SQL01.vmx opID=1a2b3c4d] RelocateVM_Task failed: The method is disabled by 'SYMC-FULL' (vim.fault.MethodDisabled)",
	}}, member{rel: "var/run/log/vpxa.log", kind: parser.KindVpxa, lines: []string{
		"2024-03-06T11:15:00.120Z error vpxa[2099501] [Originator@6876 sub=vpxLro opID=1a2b3c4d] [VpxLRO] -- ERROR task-4242 -- SQL01 -- vim.VirtualMachine.relocate: vim.fault.MethodDisabled:",
		"2024-03-06T11:16:00.120Z error vpxa[2099501] [Originator@6876 sub=vpxLro opID=1a2b3c4e] [VpxLRO] -- ERROR task-4243 -- WEB02 -- vim.VirtualMachine.relocate: vim.fault.MethodDisabled:",
	}})
	if len(fs) != 2 {
		t.Fatalf("findings = %+v", fs)
	}
	f := findingFor(fs, "SYMC-FULL")
	// The hostd and vpxa lines of the same refusal (same second) count once.
	if f == nil || f.Count != 1 || f.Facts["vms"] != "1" || len(f.Evidence) != 2 {
		t.Fatalf("SYMC-FULL = %+v", f)
	}
	mustContain(t, "summary", f.Summary, "SQL01 (1, since 2024-03-06T11:15:00Z)")
	if a := findingFor(fs, relocateAnon); a == nil || a.Facts["vms"] != "1" {
		t.Errorf("anonymous = %+v", a)
	} else {
		mustContain(t, "summary", a.Summary, "WEB02")
	}
}

func TestRelocateVMDropsContinuationRecords(t *testing.T) {
	fs, _ := runRule(t, relocateRule{}, member{rel: "var/run/log/hostd.log", kind: parser.KindHostd, lines: []string{
		"2024-03-06T11:15:00.000Z In(166) Hostd[2099482]: [Originator@6876 sub=Vmsvc.vm:/vmfs/volumes/5b7d2a1e-34bc8a10-9f3c-0025b5a0001f/SQL01/SQL01.vmx opID=1a2b3c4d] RelocateVM_Task failed: The method is disabled by 'SYMC-FULL' (vim.fault.MethodDisabled)",
	}}, member{rel: "var/run/log/vpxa.log", kind: parser.KindVpxa, lines: []string{
		// ESXi 8 logs each "-->" line of the task error as its own record.
		`2024-03-06T11:15:00.120Z In(166) Vpxa[2099501]: -->    msg = "The method is disabled by 'SYMC-FULL'"`,
		// A refusal an hour later that names no VM stays.
		`2024-03-06T12:15:00.120Z In(166) Vpxa[2099501]: -->    msg = "The method is disabled by 'SYMC-FULL'"`,
	}})
	if len(fs) != 1 {
		t.Fatalf("findings = %+v", fs)
	}
	f := fs[0]
	if f.Count != 2 || f.Facts["vms"] != "2" {
		t.Fatalf("finding = %+v", f)
	}
	mustContain(t, "summary", f.Summary, "SQL01 (1, since 2024-03-06T11:15:00Z)", "(VM not named in the log line) (1, since 2024-03-06T12:15:00Z)")
}
