package parser

import (
	"strings"
	"testing"
)

func TestNormalizeSnippet(t *testing.T) {
	// Damage seen on blogs (formats.md §4): typographic quotes, × for x, CRLF,
	// indentation, KB masks. The underlying line is CASE.md case 1.
	in := "    Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0×28 to device „naa.xxxxxxxxxxxxx“ failed H:0×0 D:0×2 P:0×0 Valid sense data: 0×6 0×3f 0×e.\r\n" +
		"    Apr 7 17:39:16 esx_host Hostd: [2012-04-07 17:39:16.938 FFCFEE80 warning ‘HostsvcPlugin’] Unable to initialize vmkernel ssl information : vim.fault.PlatformConfigFault\r\n"
	out, notes := NormalizeSnippet([]byte(in))
	want := "Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device \"naa.#############\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.\n" +
		"Apr 7 17:39:16 esx_host Hostd: [2012-04-07 17:39:16.938 FFCFEE80 warning 'HostsvcPlugin'] Unable to initialize vmkernel ssl information : vim.fault.PlatformConfigFault\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	joined := strings.Join(notes, "; ")
	for _, w := range []string{"CR/CRLF", "typographic", "'×'", "indentation from 2 lines", "masked"} {
		if !strings.Contains(joined, w) {
			t.Errorf("notes %q lack %q", joined, w)
		}
	}
}

func TestNormalizeClean(t *testing.T) {
	in := "2014-11-14T19:19:51.559Z cpu7:35233)VC: 2002: x\n--> continuation\n"
	out, notes := NormalizeSnippet([]byte(in))
	if string(out) != in || notes != nil {
		t.Errorf("clean text changed: %q %q", out, notes)
	}
	// A continuation keeps its indentation when other lines are not indented.
	in2 := "2014-11-14T19:19:51.559Z cpu7:35233)VC: 2002: x\n    at frame 1\n"
	out2, _ := NormalizeSnippet([]byte(in2))
	if string(out2) != in2 {
		t.Errorf("continuation indentation lost: %q", out2)
	}
}

func TestUnparsed(t *testing.T) {
	var u Unparsed
	lines := []string{
		"2024-03-07T10:15:01.123Z cpu3:)broken",   // looks like vmk5, fails
		"just prose",                              // does not look like a log
		"Mar 1 99:53:36 host vmkernel: x",         // bad clock
		"[2011-04-01 15:14:34.203 F5A5AB90 info ", // cut hostd bracket
	}
	for i, l := range lines {
		var h Header
		if !ParseHeader([]byte(l), refTime, &h) {
			u.Observe([]byte(l), int64(i+1))
		}
	}
	if u.Count != 3 || u.SampleLine != 1 || string(u.Sample) != lines[0] {
		t.Errorf("unparsed %+v", u)
	}
	var v Unparsed
	v.Observe([]byte("<13>1 garbage"), 0)
	v.SampleLine = 0
	v.Merge(&u)
	if v.Count != 4 || v.SampleLine != 1 {
		t.Errorf("merge %+v", v)
	}
}
