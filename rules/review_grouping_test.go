package rules

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/parser"
)

// analyzeOne runs one built-in rule through the real engine on a bundle
// folder whose vmkernel log holds lines, and returns the findings' objects.
func analyzeOne(t *testing.T, id string, lines []string) []string {
	t.Helper()
	var one *Catalog
	for _, e := range Builtin().sorted() {
		if e.info.ID == id {
			one = &Catalog{rules: []ruleEntry{e}}
		}
	}
	if one == nil {
		t.Fatalf("no rule %s", id)
	}
	root := filepath.Join(t.TempDir(), "esx-review-2024-03-07--10.00-1")
	p := filepath.Join(root, kindPath[parser.KindVmkernel])
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := bundles.Open(context.Background(), root, bundles.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(context.Background(), src, Options{Workers: 1, Catalog: one})
	if err != nil {
		t.Fatal(err)
	}
	var objs []string
	for _, h := range rep.Hosts {
		for _, f := range h.Findings {
			if f.RuleID == id {
				objs = append(objs, f.Object)
			}
		}
	}
	sort.Strings(objs)
	return objs
}

// TestGroupingByDevice pins the review fix: a PDL on one LUN seen on two
// paths is one pdl finding for the device (it was three: one per path and
// one for the device), and reservation conflicts name their LUN.
func TestGroupingByDevice(t *testing.T) {
	const dev = "naa.60a9800073596e54682d4c554e303032"
	pdlLines := []string{
		`2024-03-07T01:15:00.001Z cpu3:2097152)VMW_SATP_ALUA: satp_alua_issueCommandOnPath:661: Path "vmhba2:C0:T1:L2" (PERM LOSS) command 0xa3 failed with status Device is permanently unavailable. H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0.`,
		`2024-03-07T01:15:00.002Z cpu3:2097152)NMP: nmp_PathDetermineFailure:2961: Cmd (0x28) PDL error (0x5/0x25/0x0) - path vmhba2:C0:T1:L2 device ` + dev + ` - triggering path evaluation`,
		`2024-03-07T01:15:00.003Z cpu3:2097152)NMP: nmp_PathDetermineFailure:2961: Cmd (0x28) PDL error (0x5/0x25/0x0) - path vmhba3:C0:T0:L2 device ` + dev + ` - triggering path evaluation`,
		`2024-03-07T01:15:00.004Z cpu3:2097152)WARNING: ScsiDevice: 1223: Device :` + dev + ` has been removed or is permanently inaccessible.`,
		`2024-03-07T01:15:00.005Z cpu3:2097152)ScsiDevice: 8708: Device ` + dev + ` APD Notify PERM LOSS; token num:1`,
	}
	for _, tc := range []struct {
		name  string
		rule  string
		lines []string
		want  []string
	}{
		{"pdl device and paths", "pdl", pdlLines, []string{dev}},
		{"pdl NMP lines only", "pdl", pdlLines[1:3], []string{dev}},
		// A path-only line is left to scsi-sense.
		{"pdl path-only line", "pdl", pdlLines[:1], nil},
		{"reservation conflicts per LUN", "scsi-reservation-conflict", []string{
			`2024-03-07T02:15:00.000Z cpu5:4736)ScsiDeviceToken: 115: Completed IO with status H:0x0 D:0x18 P:0x0 after losing reservation on device naa.60a9800073596e54682d4c554e303034`,
			`2024-03-07T02:15:01.000Z cpu5:4736)ScsiDeviceIO: 1672: Command 0x28 to device "naa.60a9800073596e54682d4c554e303035" failed H:0x0 D:0x18 P:0x0 Possible sense data: 0x0 0x0 0x0.`,
			`2024-03-07T02:15:02.000Z cpu5:4736)WARNING: SCSI: 5532: Failing I/O due to too many reservation conflicts`,
		}, []string{"", "naa.60a9800073596e54682d4c554e303034", "naa.60a9800073596e54682d4c554e303035"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := analyzeOne(t, tc.rule, tc.lines)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("objects %q, want %q", got, tc.want)
			}
		})
	}
}
