package rules

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestAnalyzeTextYearFromSnippet: year-less syslog stamps of a pasted 4.x
// snippet take their year from the latest fully dated line (here the Hostd
// stamp inside messages), and the report says so; without any dated line
// they stay untimed rather than getting a made-up year.
func TestAnalyzeTextYearFromSnippet(t *testing.T) {
	vmk := "Mar  1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device \"naa.xxxxxxxxxxxxx\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.\n"
	hostd := "Apr  7 17:33:20 esx_host Hostd: [2012-04-07 17:33:20.472 32AE9B90 error 'Statssvc'] Error: 'FileIO error: No space left : /var/lib/vmware/hostd/stats/hostAgentStats.idMap'\n"
	for _, tc := range []struct {
		name, text string
		first      time.Time
		note       bool
	}{
		{"dated line", vmk + hostd, time.Date(2012, 3, 1, 8, 53, 36, 0, time.UTC), true},
		{"no dated line", vmk, time.Time{}, false},
	} {
		rep, err := AnalyzeText(context.Background(), "stdin", []byte(tc.text), Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		var sense *Finding
		for i, f := range rep.Hosts[0].Findings {
			if f.RuleID == "scsi-sense" {
				sense = &rep.Hosts[0].Findings[i]
			}
		}
		if sense == nil {
			t.Fatalf("%s: no scsi-sense finding: %s", tc.name, rep)
		}
		if !sense.First.Equal(tc.first) {
			t.Errorf("%s: scsi-sense first = %v, want %v", tc.name, sense.First, tc.first)
		}
		note := strings.Contains(strings.Join(rep.Notes, "\n"), "inferred from the latest dated line (2012-04-07T17:33:20Z)")
		if note != tc.note {
			t.Errorf("%s: notes %q", tc.name, rep.Notes)
		}
	}
}
