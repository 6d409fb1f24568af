package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// sampleReport is a hand-built report shaped like CASE.md case 1, with the
// awkward parts a renderer must survive: over-long evidence, a NAA id, a
// long virtual path, untimed findings, a read error and a normalisation note.
func sampleReport() *jsonReport {
	ts := func(s string) string { return s }
	r := &jsonReport{
		Schema:  reportSchemaID,
		Inputs:  []string{"case1.tgz"},
		Filters: jsonFilters{MinSeverity: "info", FailOn: "error", Rules: []string{}, Devices: []string{}},
		Notes:   []string{"replaced 2 typographic quotes (“ ” → \")"},
		Hosts: []jsonHost{{
			Input: "case1.tgz",
			Bundle: jsonBundle{
				Path: "case1.tgz", Kind: "esxi-vm-support", Host: "esx_host", Version: "4.1.0", Build: "348481",
				CollectedAt: ts("2012-04-07T18:05:00Z"),
				Sources:     map[string]string{"host": "bundle name", "version": "commands/vmware_-vl.txt", "build": "commands/vmware_-vl.txt", "collected_at": "bundle name"},
			},
			Files: 4, Bytes: 123456, Lines: 2345,
			First: ts("2012-03-01T08:53:36Z"), Last: ts("2012-04-07T17:41:03Z"),
			Unparsed: []jsonUnparsed{{Path: "var/log/messages", Kind: "messages", Count: 2, Sample: "Apr 7 17:41:03 esx_host garbled"}},
			Findings: []jsonFinding{
				{
					RuleID: "hostdstats-exhausted", Severity: "critical", Title: "hostdstats ramdisk exhausted; hostd crashed",
					Summary:     "Ramdisk hostdstats is 100% full (166M of 166M); hostd could not write its stats (No space left), vmkernel could not flush buffers and hostd dumped core 1 time.",
					Object:      "hostdstats",
					Fingerprint: "0123456789abcdef", Count: 4,
					First: ts("2012-04-07T17:33:20Z"), Last: ts("2012-04-07T17:41:03Z"),
					Evidence: []jsonEvidence{
						{Path: "case1.tgz!esx-esx_host-2012-04-07--18.05-3478812/var/log/messages", Line: 3, Time: ts("2012-04-07T17:33:20Z"),
							Text: "Apr 7 17:33:20 esx_host Hostd: [2012-04-07 17:33:20.472 32AE9B90 error 'Statssvc'] Error: 'FileIO error: No space left : /var/lib/vmware/hostd/stats/hostAgentStats.idMap'; while adding stat ..."},
						{Path: "case1.tgz!esx-esx_host-2012-04-07--18.05-3478812/var/log/messages", Line: 7, Time: ts("2012-04-07T17:41:03Z"),
							Text: "Apr 7 17:41:03 esx_host vmkernel: 17:19:52:55.580 cpu7:4182)BC: 3837: Failed to flush 45 buffers of size 8192 each for object '' 1 4 ed6 0 0 0 0 0 0 0 0 0 0 0: No free memory for file data"},
						{Path: "commands/vdf_-h.txt", Line: 5, Text: "hostdstats 166M 166M 0B 100% --"},
					},
					Remediation: []string{
						"Remove /var/lib/vmware/hostd/stats/hostAgentStats-20.stats (or the whole /var/lib/vmware/hostd/stats directory) to free the hostdstats ramdisk.",
						"Restart the management agents: services.sh restart",
					},
					KB:    []jsonKB{{Vendor: "vmware", Number: "1005884", Title: "Hostd crashes when the hostdstats ramdisk is full", URL: "https://kb.vmware.com/s/article/1005884"}},
					Facts: map[string]string{"use_pct": "100", "size": "166M"},
				},
				{
					RuleID: "esxconf-lock-contention", Severity: "error", Title: "esx.conf lock held by hostd (1363758)",
					Summary: "1 operation failed waiting for the /etc/vmware/esx.conf lock held by hostd, PID 1363758.", Object: "hostd",
					Fingerprint: "fedcba9876543210", Count: 1, First: ts("2012-04-07T17:45:00Z"), Last: ts("2012-04-07T17:45:00Z"),
					Evidence: []jsonEvidence{{Path: "var/log/messages", Line: 9, Time: ts("2012-04-07T17:45:00Z"),
						Text: "Error running operation: Error interacting with configuration file /etc/vmware/esx.conf: Failed attempting to lock file.  Another process has locked the file for more than 20 seconds. The process holding the lock is hostd (1363758)."}},
					Remediation: []string{"Run the operation again once the lock is released.", "Re-apply the host profile for whatever did not apply."},
					KB:          []jsonKB{},
					Facts:       map[string]string{},
				},
				{
					RuleID: "scsi-sense", Severity: "warning", Title: "LUN inventory changed on naa.600a098038303053453f463045726c56",
					Summary: "READ(10) failed 12 times with UNIT ATTENTION 3f/0e REPORTED LUNS DATA HAS CHANGED.", Object: "naa.600a098038303053453f463045726c56",
					Fingerprint: "00aa11bb22cc33dd", Count: 12, First: ts("2012-03-01T08:53:36Z"), Last: ts("2012-03-01T08:59:00Z"),
					Evidence: []jsonEvidence{{Path: "var/log/vmkernel", Line: 1, Time: ts("2012-03-01T08:53:36Z"),
						Text: "Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device \"naa.600a098038303053453f463045726c56\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe."}},
					Remediation: []string{"Rescan storage on the host after LUN mapping changes."},
					KB:          []jsonKB{{Vendor: "vmware", Number: "289902", Title: "Interpreting SCSI sense codes in VMware ESXi", URL: "https://knowledge.broadcom.com/external/article?legacyId=289902"}},
					Facts:       map[string]string{},
				},
			},
			Rules: []jsonStatus{
				{RuleID: "apd-timeout", State: "clear"},
				{RuleID: "esxconf-lock-contention", State: "fired"},
				{RuleID: "hostdstats-exhausted", State: "fired"},
				{RuleID: "relocatevm-disabled", State: "not-evaluable", Reason: "no hostd or vpxd log in bundle"},
				{RuleID: "scsi-sense", State: "fired"},
			},
			Devices: []jsonDevice{{Device: "naa.600a098038303053453f463045726c56", Class: "lun-inventory-changed", ClassTitle: "LUN inventory changed (REPORTED LUNS DATA HAS CHANGED)", Count: 12, First: ts("2012-03-01T08:53:36Z"), Last: ts("2012-03-01T08:59:00Z")}},
		}},
		ReadErrors: []jsonReadError{{Input: "case1.tgz", Path: "case1.tgz!var/log/vmkernel.1.gz", Offset: 4096, Message: "gzip: invalid checksum"}},
	}
	r.Summary = summarize(r)
	r.Summary.Recognised = true
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "analyze", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden %s; run go test ./cmd/esxdiag -update", path)
	if string(want) != string(got) {
		t.Fatalf("golden %s differs (go test ./cmd/esxdiag -update, then review git diff):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line of two texts with its number,
// short enough to read in a failing test's output.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g || i >= len(wl) || i >= len(gl) {
			return fmt.Sprintf("line %d:\n  want: %q\n  got:  %q\n(want %d lines, got %d)", i+1, w, g, len(wl), len(gl))
		}
	}
	return "(no line differs)"
}

// assertWidth fails when a line is wider than w runes.
func assertWidth(t *testing.T, text string, w int) {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		require.LessOrEqual(t, utf8.RuneCountInString(l), w, "line %d is wider than %d: %q", i+1, w, l)
	}
}

func TestRenderSample(t *testing.T) {
	for _, tc := range []struct {
		name  string
		width int
		tz    string
	}{
		{"sample.txt", 100, ""},
		{"sample-60.txt", 60, ""},
		{"sample-tz.txt", 100, "Europe/Paris"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := textOptions{Width: tc.width}
			if tc.tz != "" {
				loc, err := time.LoadLocation(tc.tz)
				require.NoError(t, err)
				o.Loc = loc
			}
			var buf bytes.Buffer
			require.NoError(t, renderText(&buf, sampleReport(), o))
			assertWidth(t, buf.String(), tc.width)
			require.NotContains(t, buf.String(), "\x1b[", "plain output must carry no escape sequence")
			golden(t, filepath.Join("render", tc.name), buf.Bytes())
		})
	}
	t.Run("sample.md", func(t *testing.T) {
		var buf bytes.Buffer
		require.NoError(t, renderMarkdown(&buf, sampleReport(), textOptions{}))
		golden(t, "render/sample.md", buf.Bytes())
	})
	t.Run("sample.json", func(t *testing.T) {
		var buf bytes.Buffer
		require.NoError(t, renderJSON(&buf, sampleReport()))
		validateReportJSON(t, buf.Bytes())
		golden(t, "render/sample.json", buf.Bytes())
	})
}

func TestRenderTextColor(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, renderText(&buf, sampleReport(), textOptions{Width: 100, Color: true}))
	// Whatever the styling, the visible text is the plain report.
	var plain bytes.Buffer
	require.NoError(t, renderText(&plain, sampleReport(), textOptions{Width: 100}))
	require.Equal(t, plain.String(), stripANSI(buf.String()))
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		w    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"hello wonderful world", 16, "hello wonderful…"},
		{"hello wonderful world", 15, "hello wonderfu…"}, // a space before half the width is not worth it
		{"hello wonderful world", 10, "hello…"},
		{"abcdefghijklmnop", 8, "abcdefg…"},
		{"a b", 1, "…"},
		{"", 5, ""},
		{"héllo wörld ünïcode", 13, "héllo wörld…"},
	} {
		got := truncate(tc.in, tc.w)
		require.Equal(t, tc.want, got, "truncate(%q, %d)", tc.in, tc.w)
		require.LessOrEqual(t, utf8.RuneCountInString(got), tc.w)
	}
	require.Equal(t, "…/vmkernel.log:12", truncateLeft("a/b/c/var/log/vmkernel.log:12", 17))
	require.Equal(t, "naa.6…726c56", truncateMiddle("naa.600a098038303053453f463045726c56", 12))
}

func TestWrap(t *testing.T) {
	got := wrap("one two three four five six", 10, "  ")
	require.Equal(t, []string{"one two", "  three", "  four", "  five six"}, got)
	for _, l := range wrap(strings.Repeat("x", 50)+" y", 20, "") {
		require.LessOrEqual(t, utf8.RuneCountInString(l), 20)
	}
	require.Equal(t, []string{""}, wrap("", 10, ""))
}

func TestFilters(t *testing.T) {
	parse := func(s string) timeSpec {
		ts, err := parseTimeSpec(s)
		require.NoError(t, err)
		return ts
	}
	ids := func(r *jsonReport) []string {
		var out []string
		for _, f := range r.Hosts[0].Findings {
			out = append(out, f.RuleID)
		}
		return out
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		f    filterSpec
		want []string
	}{
		{"none", filterSpec{MinSeverity: "info"}, []string{"hostdstats-exhausted", "esxconf-lock-contention", "scsi-sense"}},
		{"min error", filterSpec{MinSeverity: "error"}, []string{"hostdstats-exhausted", "esxconf-lock-contention"}},
		{"rule", filterSpec{MinSeverity: "info", Rules: []string{"scsi-sense"}}, []string{"scsi-sense"}},
		{"device", filterSpec{MinSeverity: "info", Devices: []string{"NAA.600A0980"}}, []string{"scsi-sense"}},
		{"since abs", filterSpec{MinSeverity: "info", Since: parse("2012-04-01T00:00:00Z")}, []string{"hostdstats-exhausted", "esxconf-lock-contention"}},
		{"until date", filterSpec{MinSeverity: "info", Until: parse("2012-03-02")}, []string{"scsi-sense"}},
		// relative to the collection time 2012-04-07 18:05: last 20 minutes
		{"since rel", filterSpec{MinSeverity: "info", Since: parse("20m")}, []string{"esxconf-lock-contention"}},
		{"since days", filterSpec{MinSeverity: "info", Since: parse("7d")}, []string{"hostdstats-exhausted", "esxconf-lock-contention"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleReport()
			tc.f.apply(r, now)
			require.Equal(t, tc.want, ids(r))
			require.Equal(t, len(tc.want), r.Summary.Findings)
		})
	}
	r := sampleReport()
	(&filterSpec{MinSeverity: "info", Since: parse("25m")}).apply(r, now)
	// 17:33:20 dropped; 17:41:03 and the untimed vdf row kept
	require.Len(t, r.Hosts[0].Findings[0].Evidence, 2)

	for _, bad := range []string{"yesterday", "-2h", "2x", "Infd", "NaNd", "1e300d"} {
		_, err := parseTimeSpec(bad)
		require.Error(t, err, bad)
	}
	r = sampleReport()
	require.True(t, failed(r, "error"))
	require.True(t, failed(r, "critical"))
	require.False(t, failed(r, "none"))
	(&filterSpec{MinSeverity: "warning", Rules: []string{"scsi-sense"}}).apply(r, now)
	require.False(t, failed(r, "error"))
	require.True(t, failed(r, "warning"))
}

// FuzzTextLayout checks the layout helpers' invariants on any input: no
// line wider than asked, valid UTF-8 out of valid UTF-8 in, no panic.
func FuzzTextLayout(f *testing.F) {
	for _, s := range []string{"", "a", "hello wonderful world", "héllo wörld", "\t\x00ctl", strings.Repeat("x", 300), "a  b   c"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, w int) {
		if !utf8.ValidString(s) || w < 1 || w > 500 {
			return
		}
		for _, out := range []string{truncate(s, w), truncateLeft(s, w), truncateMiddle(s, w)} {
			if utf8.RuneCountInString(out) > w || !utf8.ValidString(out) {
				t.Fatalf("w=%d %q -> %q", w, s, out)
			}
		}
		for _, l := range wrap(s, w, "  ") {
			if utf8.RuneCountInString(l) > max(w, 3) {
				t.Fatalf("wrap w=%d %q -> line %q", w, s, l)
			}
		}
	})
}

func FuzzParseTimeSpec(f *testing.F) {
	for _, s := range []string{"2h", "3d", "1.5d", "2024-03-07", "2024-03-07T10:15:00Z", "2024-03-07T10:15:00+05:30", "-2h", "x", ""} {
		f.Add(s)
	}
	ref := time.Date(2024, 3, 7, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := parseTimeSpec(s)
		if err != nil {
			return
		}
		if ts.set() && ts.abs.IsZero() && ts.resolve(ref).After(ref) {
			t.Fatalf("%q: a relative spec must not resolve after its reference", s)
		}
	})
}

func BenchmarkRenderText(b *testing.B) {
	r := sampleReport()
	var buf bytes.Buffer
	require.NoError(b, renderText(&buf, r, textOptions{Width: 100}))
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		_ = renderText(&buf, r, textOptions{Width: 100})
	}
}

// TestEvidenceLines pins that a long evidence line keeps its end: the
// H:/D:/P: status and the sense bytes of a vmkernel line sit at the end and
// were cut off when the line was truncated to one screen line.
func TestEvidenceLines(t *testing.T) {
	const ua = `2024-03-06T14:15:00.123Z cpu3:2097152)ScsiDeviceIO: 4681: Cmd(0x45444522f400) 0x2a, CmdSN 0x5d1881 from world 2100640 to dev "naa.60a9800073596e54682d4c554e303030" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe`
	for _, tc := range []struct {
		name     string
		in       string
		w        int
		maxLines int
		suffix   string
	}{
		{"fits", "short line", 40, 1, "short line"},
		{"wraps keeping sense", ua, 110, 2, "Valid sense data: 0x6 0x3f 0xe"},
		{"narrow keeps the tail", ua, 40, evidenceMaxLines, "Valid sense data: 0x6 0x3f 0xe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := evidenceLines(tc.in, tc.w)
			require.LessOrEqual(t, len(got), tc.maxLines, "%q", got)
			for _, l := range got {
				require.LessOrEqual(t, utf8.RuneCountInString(l), tc.w, "%q", l)
			}
			require.True(t, strings.HasSuffix(got[len(got)-1], tc.suffix), "%q", got)
			if tc.w >= 100 {
				require.Contains(t, strings.Join(got, " "), "failed H:0x0 D:0x2 P:0x0", "%q", got)
			}
		})
	}
}

func TestDeviceDetail(t *testing.T) {
	for _, tc := range []struct{ title, span, want string }{
		{"LUN inventory changed", "2024-03-06 14:15:00 → 14:54:59", "LUN inventory changed · 2024-03-06 14:15:00 → 14:54:59"},
		{"LUN inventory changed", "-", "LUN inventory changed"}, // snippet without times: no " · -"
		{"", "2024-03-06 14:15:00", "2024-03-06 14:15:00"},
	} {
		require.Equal(t, tc.want, deviceDetail(tc.title, tc.span))
	}
}

func TestGroupNotEvaluable(t *testing.T) {
	const ems = "no ONTAP EMS log in bundle"
	got := groupNotEvaluable([]jsonStatus{
		{RuleID: "ats-heartbeat-miscompare", Reason: "no vmkernel log in bundle"},
		{RuleID: "ontap-aggregate-full", Reason: ems},
		{RuleID: "ontap-disk-failure", Reason: ems},
		{RuleID: "ontap-lun-map-ua", Reason: "no ONTAP log among the inputs"},
		{RuleID: "ontap-volume-full", Reason: ems},
		{RuleID: "ramdisk-full", Reason: "no vdf"},
		{RuleID: "relocatevm-disabled", Reason: "no vdf"},
		{RuleID: "x", Reason: ""},
	})
	require.Equal(t, []neGroup{
		{"ats-heartbeat-miscompare", "no vmkernel log in bundle"},
		{"ontap-* (3 rules)", ems},
		{"ontap-lun-map-ua", "no ONTAP log among the inputs"},
		{"ramdisk-full, relocatevm-disabled", "no vdf"}, // no shared dash prefix: ids listed
		{"x", "no reason given"},
	}, got)
}
