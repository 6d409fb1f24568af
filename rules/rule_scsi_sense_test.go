package rules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/parser"
)

func TestScsiSenseSamples(t *testing.T) { checkGoSamples(t, scsiSenseRule{}) }

func TestScsiSenseCase1LunInventoryChanged(t *testing.T) {
	r := scsiSenseRule{}
	st := r.NewState()
	dispatch(r, st, false, case1Messages)
	h := hostFor(case1Messages)
	fs, status := st.Finish(h)
	if len(fs) != 1 || status.State != StateFired {
		t.Fatalf("findings %+v status %+v", fs, status)
	}
	f := fs[0]
	if f.Object != "naa.xxxxxxxxxxxxx" || f.Facts["class"] != "lun-inventory-changed" || f.Facts["sense"] != "6/3f/0e" {
		t.Errorf("finding = %+v", f)
	}
	if f.Severity != SeverityInfo {
		t.Errorf("a single LUN inventory change is info, got %v", f.Severity)
	}
	mustContain(t, "summary", f.Summary, "0x28 Read(10)", "REPORTED LUNS DATA HAS CHANGED", "UNIT ATTENTION")
	if len(h.devices) != 1 || h.devices[0].Class != "lun-inventory-changed" || h.devices[0].Count != 1 || h.devices[0].Device != "naa.xxxxxxxxxxxxx" {
		t.Errorf("device rows = %+v", h.devices)
	}
	if len(f.KB) == 0 || f.KB[0].Number != "289902" {
		t.Errorf("KB = %+v", f.KB)
	}
}

func TestScsiSenseBenignPollingIsInfo(t *testing.T) {
	var lines []string
	for i := 0; i < 30; i++ { // even as a storm, polling rejects stay info
		lines = append(lines, fmt.Sprintf(`2011-04-04T21:07:%02d.257Z cpu2:2050)ScsiDeviceIO: 2315: Cmd(0x4124003edb00) 0x%s, CmdSN 0x51 to dev "naa.600508e000000000c9f6baa7c19f6900" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x24 0x0.`, i, []string{"1a", "4d", "85"}[i%3]))
	}
	fs, _ := runRule(t, scsiSenseRule{}, member{rel: "var/log/vmkernel.log", kind: parser.KindVmkernel, lines: lines})
	if len(fs) != 1 || fs[0].Severity != SeverityInfo || fs[0].Count != 30 {
		t.Fatalf("findings = %+v", fs)
	}
	mustContain(t, "summary", fs[0].Summary, "Benign", "0x1a", "0x4d", "0x85")
	// The same rejection for a WRITE is not benign.
	fs, _ = runRule(t, scsiSenseRule{}, member{rel: "var/log/vmkernel.log", kind: parser.KindVmkernel, lines: []string{
		`2011-04-04T21:07:30.257Z cpu2:2050)ScsiDeviceIO: 2315: Cmd(0x4124003edb00) 0x2a, CmdSN 0x51 to dev "naa.600508e000000000c9f6baa7c19f6900" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x24 0x0.`,
	}})
	if len(fs) != 1 || fs[0].Summary == "" || strings.Contains(fs[0].Summary, "Benign") {
		t.Fatalf("write rejection = %+v", fs)
	}
}

func TestScsiSenseStormRaisesSeverity(t *testing.T) {
	var lines []string
	for i := 0; i < 12; i++ {
		lines = append(lines, fmt.Sprintf(`2010-10-30T02:20:%02d.013Z cpu14:4110)NMP: nmp_ThrottleLogForDevice:2318: Cmd 0x28 (0x412441199080) to dev "naa.60a9800064655a77524a6c4938685950" on path "vmhba2:C0:T1:L%d" Failed: H:0x8 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0.Act:EVAL`, i*4, i%2))
	}
	fs, _ := runRule(t, scsiSenseRule{}, member{rel: "var/log/vmkernel.log", kind: parser.KindVmkernel, lines: lines})
	if len(fs) != 1 {
		t.Fatalf("findings = %+v", fs)
	}
	f := fs[0]
	if f.Facts["class"] != "host-reset" || f.Facts["storm"] != "true" || f.Facts["peak_per_minute"] != "12" || f.Facts["paths"] != "2" {
		t.Errorf("facts = %v", f.Facts)
	}
	if f.Severity != SeverityError { // host-reset is a warning; a storm is one step higher
		t.Errorf("severity = %v", f.Severity)
	}
	mustContain(t, "summary", f.Summary, "Storm: 12 failures", "vmhba2:C0:T1:L0 ×6", "vmhba2:C0:T1:L1 ×6", "H:0x8 D:0x0 P:0x0")
}

func TestScsiSensePerDeviceAndClass(t *testing.T) {
	fs, _ := runRule(t, scsiSenseRule{}, member{rel: "var/log/vmkernel.log", kind: parser.KindVmkernel, lines: []string{
		`2011-08-09T10:43:26.858Z cpu2:2127)ScsiDeviceIO: 2316: Cmd(0x4124403c1fc0) 0x25, CmdSN 0xecab to dev "naa.60a98000572d54724a34642d71325763" failed H:0x1 D:0x0 P:0x0 Possible sense data: 0x5 0x25 0x0.`,
		`2011-08-09T10:43:26.857Z cpu2:853571)VMW_SATP_ALUA: satp_alua_issueCommandOnPath:661: Path "vmhba3:C0:T0:L0" (PERM LOSS) command 0xa3 failed with status Device is permanently unavailable. H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0.`,
		`2018-02-13T09:41:02.311Z cpu20:66172)WARNING: NMP: nmp_PathDetermineFailure:2961: Cmd (0x2a) PDL error (0x5/0x25/0x0) - path vmhba2:C0:T1:L1 device naa.60a98000572d54724a34642d71325763 - triggering path failover`,
		`vmkernel: 1:08:40:03.933 cpu5:4736)ScsiDeviceToken: 115: Completed IO with status H:0x0 D:0x18 P:0x0 after losingreservation on device naa.6006016026601d007c174a7aa292df11`,
		`StorageMonitor: 196: vmhba1:1:6:0 status = 40/0 0x0 0x0 0x0`,
	}})
	got := map[string]string{}
	for _, f := range fs {
		got[f.Object+"#"+f.Facts["class"]] = f.Severity.String()
	}
	want := map[string]string{
		"naa.60a98000572d54724a34642d71325763#host-no-connect":      "error",
		"(device not named)#pdl":                                    "critical", // the ALUA PERM LOSS line names only the path
		"naa.60a98000572d54724a34642d71325763#pdl":                  "critical",
		"naa.6006016026601d007c174a7aa292df11#reservation-conflict": "warning",
		"vmhba1:1:6:0#queue-full":                                   "warning",
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v (the PERM LOSS line names only a path; no other record maps it to a device)", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: severity %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

func TestScsiSenseESXi8SplitRecord(t *testing.T) {
	// ESXi 8 ends the NMP record at "Failed:" and logs the status on the next
	// record of the same world (formats.md §2.3; the second record's exact
	// text is inferred, only its content is documented).
	r := scsiSenseRule{}
	st := r.NewState()
	mc := &MemberCtx{Path: "vmkernel.log", Kind: parser.KindVmkernel, Seq: 0}
	hd1 := parser.Header{World: 2097843}
	st.Observe(&Line{Member: mc, Num: 10, Header: &hd1, Text: []byte(`2023-08-08T14:13:55.101Z In(182) vmkernel: cpu3:2097843)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x2a (0x45b8c1b6f7c8, 2099302) to dev "naa.60a98000572d54724a34642d71325763" on path "vmhba2:C0:T1:L1" Failed:`)})
	st.Observe(&Line{Member: mc, Num: 11, Header: &hd1, Text: []byte(`2023-08-08T14:13:55.101Z In(182) vmkernel: cpu3:2097843)NMP: nmp_ThrottleLogForDevice:3901: H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x29 0x0. Act:NONE`)})
	h := hostFor(member{rel: "vmkernel.log", kind: parser.KindVmkernel})
	fs, _ := st.Finish(h)
	if len(fs) != 1 || fs[0].Object != "naa.60a98000572d54724a34642d71325763" || fs[0].Facts["class"] != "power-on-reset" {
		t.Fatalf("findings = %+v", fs)
	}
	mustContain(t, "summary", fs[0].Summary, "0x2a Write(10) ×1. Paths: vmhba2:C0:T1:L1 ×1.")
}

// TestScsiSenseESXi8SplitThroughEngine: the engine joins the split records
// (parser.ScsiJoiner) before the rule sees them.
func TestScsiSenseESXi8SplitThroughEngine(t *testing.T) {
	root := filepath.Join(t.TempDir(), "esx-h-2023-08-08--15.00-1")
	p := filepath.Join(root, "var/run/log/vmkernel.log")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	log := `2023-08-08T14:13:55.101Z In(182) vmkernel: cpu3:2097843)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x2a (0x45b8c1b6f7c8, 2099302) to dev "naa.60a98000572d54724a34642d71325763" on path "vmhba2:C0:T1:L1" Failed:
2023-08-08T14:13:55.102Z In(182) vmkernel: cpu4:2097850)ScsiDeviceIO: 4681: Cmd(0x45dd48ddc580) 0x28, CmdSN 0x561a77 from world 2097288 to dev "naa.600508e000000000c9f6baa7c19f6900" failed H:0x5 D:0x0 P:0x0 . Cmd count Active:33
2023-08-08T14:13:55.103Z In(182) vmkernel: cpu3:2097843)NMP: nmp_ThrottleLogForDevice:3901: H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x29 0x0. Act:NONE
`
	if err := os.WriteFile(p, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := bundles.Open(context.Background(), root, bundles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(context.Background(), src, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range rep.Hosts[0].Findings {
		if f.RuleID == scsiSenseID {
			got[f.Object] = f.Facts["class"]
		}
	}
	if got["naa.60a98000572d54724a34642d71325763"] != "power-on-reset" || got["naa.600508e000000000c9f6baa7c19f6900"] != "host-abort" || len(got) != 2 {
		t.Errorf("scsi-sense objects/classes = %v", got)
	}
}

func TestScsiSenseAttributesPathOnlyRecords(t *testing.T) {
	fs, _ := runRule(t, scsiSenseRule{}, member{rel: "var/log/vmkernel.log", kind: parser.KindVmkernel, lines: []string{
		`2011-08-09T10:43:26.857Z cpu2:853571)VMW_SATP_ALUA: satp_alua_issueCommandOnPath:661: Path "vmhba3:C0:T0:L0" (PERM LOSS) command 0xa3 failed with status Device is permanently unavailable. H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0.`,
		`2011-08-09T10:43:26.858Z cpu2:2127)NMP: nmp_ThrottleLogForDevice:2318: Cmd 0x28 (0x412441199080) to dev "naa.60a98000572d54724a34642d71325763" on path "vmhba3:C0:T0:L0" Failed: H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0. Act:NONE`,
	}})
	if len(fs) != 1 || fs[0].Object != "naa.60a98000572d54724a34642d71325763" || fs[0].Count != 2 || fs[0].Facts["class"] != "pdl" {
		t.Fatalf("findings = %+v", fs)
	}
}

// TestScsiSenseReviewPresentation pins what the pre-release review fixed in
// the scsi-sense finding text: opcodes are totalled once (not once per path),
// the paths are listed separately, a UA 3f/0e storm points at the backup job
// of its own time window, benign polling says "no action needed", and no
// finding ends with the generic "sense codes are T10-defined" non-step.
func TestScsiSenseReviewPresentation(t *testing.T) {
	const dev = "naa.60a9800073596e54682d4c554e303030"
	var ua []string
	for i := 0; i < 40; i++ {
		path := []string{"vmhba2:C0:T1:L0", "vmhba3:C0:T0:L0"}[i%2]
		if i%4 == 3 { // ESXi 5+ ScsiDeviceIO lines name no path
			ua = append(ua, fmt.Sprintf(`2024-03-06T14:15:%02d.000Z cpu3:2097152)ScsiDeviceIO: 4681: Cmd(0x45444522f400) 0x28, CmdSN 0x5d1881 from world 2100640 to dev "%s" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe`, i, dev))
			continue
		}
		ua = append(ua, fmt.Sprintf(`2024-03-06T14:15:%02d.000Z cpu3:2097152)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x28 (0x4554202d2b70, 2099604) to dev "%s" on path "%s" Failed: H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe. Act:NONE`, i, dev, path))
	}
	var poll []string
	for i := 0; i < 6; i++ {
		poll = append(poll, fmt.Sprintf(`2024-03-06T10:00:%02d.000Z cpu2:2050)ScsiDeviceIO: 3082: Cmd(0x45d9ad2c0100) 0x%s, CmdSN 0x89f3 from world 0 to dev "mpx.vmhba32:C0:T0:L0" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x24 0x0.`, i, []string{"1a", "85"}[i%2]))
	}
	for _, tc := range []struct {
		name     string
		lines    []string
		sev      Severity
		summary  []string // substrings the summary must have
		notSum   []string // substrings it must not have
		step1    string   // substring of the first remediation step
		anyStep  string   // substring of some remediation step
		maxSteps int
		paths    string // facts["paths"], when set
	}{
		{
			name:     "UA storm during backup verification",
			lines:    ua,
			sev:      SeverityWarning,
			summary:  []string{"0x28 Read(10) ×40.", "Paths: vmhba2:C0:T1:L0 ×", "vmhba3:C0:T0:L0 ×", "(10 line(s) name no path)", "6/3f/0e"},
			paths:    "2",
			notSum:   []string{"on path"},
			anyStep:  "Look up the backup jobs that ran between 2024-03-06T14:15:00Z and 2024-03-06T14:15:39Z",
			maxSteps: 4,
		},
		{
			name:     "benign polling",
			lines:    poll,
			sev:      SeverityInfo,
			summary:  []string{"Benign", "no action needed"},
			notSum:   []string{"usually benign, only a problem"}, // the class guidance is not repeated after the benign note
			step1:    "No action needed",
			maxSteps: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, _ := runRule(t, scsiSenseRule{}, member{rel: "var/run/log/vmkernel.log", kind: parser.KindVmkernel, lines: tc.lines})
			if len(fs) != 1 {
				t.Fatalf("findings = %+v", fs)
			}
			f := fs[0]
			if f.Severity != tc.sev {
				t.Errorf("severity %v, want %v", f.Severity, tc.sev)
			}
			mustContain(t, "summary", f.Summary, tc.summary...)
			if tc.paths != "" && f.Facts["paths"] != tc.paths {
				t.Errorf("paths fact = %q, want %q (lines without a path are not a path)", f.Facts["paths"], tc.paths)
			}
			for _, s := range tc.notSum {
				if strings.Contains(f.Summary, s) {
					t.Errorf("summary has %q: %s", s, f.Summary)
				}
			}
			if len(f.Remediation) == 0 || len(f.Remediation) > tc.maxSteps {
				t.Fatalf("remediation = %q", f.Remediation)
			}
			if tc.step1 != "" && !strings.Contains(f.Remediation[0], tc.step1) {
				t.Errorf("step 1 = %q, want %q", f.Remediation[0], tc.step1)
			}
			all := strings.Join(f.Remediation, "\n")
			if tc.anyStep != "" && !strings.Contains(all, tc.anyStep) {
				t.Errorf("remediation lacks %q:\n%s", tc.anyStep, all)
			}
			if strings.Contains(all, "T10-defined") {
				t.Errorf("generic non-step still in remediation:\n%s", all)
			}
		})
	}
}

// TestScsiSenseHostFailuresAfterPDL: H:0x1 failures on a device that is in
// PDL are the follow-on of the PDL; they point at it and are not raised to
// critical as a storm of their own (review: two critical findings for one
// event on the PDL device).
func TestScsiSenseHostFailuresAfterPDL(t *testing.T) {
	const dev = "naa.60a9800073596e54682d4c554e303032"
	lines := []string{
		`2024-03-07T01:15:00.000Z cpu3:2097152)ScsiDeviceIO: 4681: Cmd(0x450899224730) 0x28, CmdSN 0x4308a4 from world 2098938 to dev "` + dev + `" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0`,
	}
	for i := 0; i < 20; i++ {
		lines = append(lines, fmt.Sprintf(`2024-03-07T01:16:%02d.000Z cpu3:2097152)ScsiDeviceIO: 4681: Cmd(0x450899224730) 0x25, CmdSN 0x4308a4 from world 2098938 to dev "%s" failed H:0x1 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0`, i, dev))
	}
	fs, _ := runRule(t, scsiSenseRule{}, member{rel: "var/run/log/vmkernel.log", kind: parser.KindVmkernel, lines: lines})
	var host *Finding
	for i := range fs {
		if fs[i].Facts["class"] == "host-no-connect" {
			host = &fs[i]
		}
	}
	if len(fs) != 2 || host == nil {
		t.Fatalf("findings = %+v", fs)
	}
	if host.Severity >= SeverityCritical {
		t.Errorf("follow-on of a PDL raised to %v", host.Severity)
	}
	mustContain(t, "summary", host.Summary, "follow the Permanent Device Loss")
	if len(host.Remediation) != 1 || !strings.Contains(host.Remediation[0], "Handle the PDL first") {
		t.Errorf("remediation = %q", host.Remediation)
	}
	// Without the PDL the same storm is its own critical problem.
	fs, _ = runRule(t, scsiSenseRule{}, member{rel: "var/run/log/vmkernel.log", kind: parser.KindVmkernel, lines: lines[1:]})
	if len(fs) != 1 || fs[0].Severity != SeverityCritical {
		t.Fatalf("H:0x1 storm alone = %+v", fs)
	}
}

// TestScsiSenseESX35Summary: ESX 3.5 StorageMonitor lines carry no opcode
// and name the LUN by its path; the summary says "opcode not logged" and
// does not repeat the path as a path list (review: "command ×70. Paths:
// vmhba2:0:4:0 ×70" on device vmhba2:0:4:0).
func TestScsiSenseESX35Summary(t *testing.T) {
	var lines []string
	for i := 0; i < 3; i++ {
		lines = append(lines, fmt.Sprintf("Mar  7 02:15:0%d esx01 vmkernel: 24:04:22:48.908 cpu9:1045)StorageMonitor: 196: vmhba2:0:4:0 status = 24/0 0x0 0x0 0x0", i))
	}
	fs, _ := runRule(t, scsiSenseRule{}, member{rel: "var/log/vmkernel", kind: parser.KindVmkernel, lines: lines})
	if len(fs) != 1 || fs[0].Object != "vmhba2:0:4:0" {
		t.Fatalf("findings = %+v", fs)
	}
	mustContain(t, "summary", fs[0].Summary, "opcode not logged.", "RESERVATION CONFLICT")
	if strings.Contains(fs[0].Summary, "Paths:") || strings.Contains(fs[0].Summary, "command ×") {
		t.Errorf("summary = %s", fs[0].Summary)
	}
	mustContain(t, "remediation", strings.Join(fs[0].Remediation, "\n"), "ESX/ESXi 4.1 and later")
}

// TestScsiSenseOutOfSpaceSteps: a thin pool out of space gets array-side
// steps (with the verified ONTAP EMS names, kb.md §8) and the VM resume
// step, not only the one-line class guidance.
func TestScsiSenseOutOfSpaceSteps(t *testing.T) {
	fs, _ := runRule(t, scsiSenseRule{}, member{rel: "var/run/log/vmkernel.log", kind: parser.KindVmkernel, lines: []string{
		`2024-03-07T08:15:00.000Z cpu3:2097152)ScsiDeviceIO: 4681: Cmd(0x45444522f400) 0x2a, CmdSN 0x5d1881 from world 2100640 to dev "naa.60a9800073596e54682d4c554e303036" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x7 0x27 0x7`,
	}})
	if len(fs) != 1 || fs[0].Facts["class"] != "out-of-space" || fs[0].Severity != SeverityCritical {
		t.Fatalf("findings = %+v", fs)
	}
	all := strings.Join(fs[0].Remediation, "\n")
	mustContain(t, "remediation", all, "LUN.vol.proc.fail.no.space", "answer Retry")
	if len(fs[0].Remediation) != 4 {
		t.Errorf("remediation = %q", fs[0].Remediation)
	}
}

// TestStatusTextPossibleSense: "Possible sense data" bytes were not
// validated by a CHECK CONDITION (KB 289902); the summary says "possible
// sense" for them and plain "sense" for valid ones.
func TestStatusTextPossibleSense(t *testing.T) {
	for _, tc := range []struct {
		k    scsiStatusKey
		want string
	}{
		{scsiStatusKey{host: 1, key: 5, asc: 0x25, hasStatus: true}, "H:0x1 D:0x0 P:0x0 possible sense 5/25/00 ILLEGAL REQUEST: LOGICAL UNIT NOT SUPPORTED"},
		{scsiStatusKey{dev: 2, key: 6, asc: 0x3f, ascq: 0x0e, valid: true, hasStatus: true}, "H:0x0 D:0x2 P:0x0 sense 6/3f/0e UNIT ATTENTION: REPORTED LUNS DATA HAS CHANGED"},
		{scsiStatusKey{host: 1, hasStatus: true}, "H:0x1 D:0x0 P:0x0 (NO_CONNECT)"},
	} {
		if got := statusText(tc.k); got != tc.want {
			t.Errorf("statusText(%+v) = %q, want %q", tc.k, got, tc.want)
		}
	}
}
