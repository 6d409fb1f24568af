package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/esxdiag/esxdiag/bundles"
)

// case1Bundle is the folder bundle built from CASE.md case 1 (see
// testdata/case1/README.md for what is verbatim).
const case1Bundle = "testdata/case1/esx-esx_host-2012-04-07--18.05-3478812"

// goldenHost is the part of a host report the golden files pin: findings,
// rule statuses and the per-device SCSI table.
type goldenHost struct {
	Host     string       `json:"host"`
	Findings []Finding    `json:"findings"`
	Statuses []RuleStatus `json:"statuses"`
	Devices  []DeviceRow  `json:"devices"`
}

func analyzeFolder(t *testing.T, path string, workers int) *Report {
	t.Helper()
	ctx := context.Background()
	src, err := bundles.Open(ctx, path, bundles.Options{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(ctx, src, Options{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func goldenJSON(t *testing.T, rep *Report) []byte {
	t.Helper()
	var hs []goldenHost
	for _, h := range rep.Hosts {
		hs = append(hs, goldenHost{Host: h.Bundle.Host, Findings: h.Findings, Statuses: h.Statuses, Devices: h.Devices})
	}
	b, err := json.MarshalIndent(hs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./rules -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./rules -run %s -update to accept):\n%s", path, t.Name(), got)
	}
}

// TestCase1Golden: the case-1 bundle yields scsi-sense (6/3f/0e, LUN
// inventory changed), hostdstats-exhausted (critical, KB 1005884),
// esxconf-lock-contention (holder hostd, PID 1363758) and hostd-crash; the
// report is identical with 1 and 4 workers and matches testdata/case1.golden.
func TestCase1Golden(t *testing.T) {
	rep := analyzeFolder(t, case1Bundle, 1)
	if len(rep.Hosts) != 1 {
		t.Fatalf("hosts = %d", len(rep.Hosts))
	}
	h := rep.Hosts[0]
	byRule := map[string]*Finding{}
	for i := range h.Findings {
		byRule[h.Findings[i].RuleID] = &h.Findings[i]
	}
	if f := byRule["scsi-sense"]; f == nil || f.Facts["class"] != "lun-inventory-changed" || f.Facts["sense"] != "6/3f/0e" {
		t.Errorf("scsi-sense = %+v", f)
	}
	if f := byRule["hostdstats-exhausted"]; f == nil || f.Severity != SeverityCritical || len(f.KB) == 0 || f.KB[0].Number != "1005884" {
		t.Errorf("hostdstats-exhausted = %+v", f)
	}
	if f := byRule["esxconf-lock-contention"]; f == nil || f.Facts["holder"] != "hostd" || f.Facts["pid"] != "1363758" {
		t.Errorf("esxconf-lock-contention = %+v", f)
	}
	if f := byRule["hostd-crash"]; f == nil || f.Object != "hostd" {
		t.Errorf("hostd-crash = %+v", f)
	}
	if len(h.Devices) != 1 || h.Devices[0].Device != "naa.xxxxxxxxxxxxx" || h.Devices[0].Class != "lun-inventory-changed" {
		t.Errorf("devices = %+v", h.Devices)
	}
	if len(h.Statuses) != Builtin().Len() {
		t.Errorf("%d statuses for %d rules", len(h.Statuses), Builtin().Len())
	}
	got := goldenJSON(t, rep)
	if again := goldenJSON(t, analyzeFolder(t, case1Bundle, 4)); !bytes.Equal(got, again) {
		t.Errorf("report differs between 1 and 4 workers")
	}
	checkGolden(t, "case1.golden", got)
}
