package rules

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestEngineGolden pins the engine's whole output (findings, evidence,
// statuses, counts, unparsed files) for a fixed member set and the test
// catalog. Regenerate with: go test ./rules -run TestEngineGolden -update
func TestEngineGolden(t *testing.T) {
	ms := manyMembers(6)
	ms = append(ms,
		fakeMember{0, "var/run/log/vobd.log", []byte("2024-03-07T10:15:01.123Z: [APDCorrelator] 2682686563us: [esx.problem.storage.apd.timeout] Device naa.600a0b8000 has entered the All Paths Down Timeout state\n" +
			"garbage 2024-03-07 line\n2024-03-07T10:15:0x broken stamp\n")},
		fakeMember{1, "var/run/log/hostd.log", []byte("[2011-04-01 15:14:34.203 F5A5AB90 info 'Default'] No space left on device: /var/lib/vmware/hostd/stats\n")},
	)
	got, err := json.MarshalIndent(runFake(t, testCatalog(t), ms, 2, Options{MaxEvidence: 2}), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "engine", "golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update after checking the diff):\n%s", path, got)
	}
}
