package rules

import (
	"bytes"
	"context"
	"testing"
)

// FuzzEngine feeds random text through the whole engine path (as a
// vmkernel and a hostd member, and as a pasted snippet): no panic, and the
// line count matches the input.
func FuzzEngine(f *testing.F) {
	for _, s := range []string{
		"2024-03-07T10:15:01.123Z cpu3:2097)WARNING: APD timeout on device \"naa.600a0b80001\" after 140 seconds\n",
		"--> (vim.fault.MethodDisabled) {\n--> }\n",
		"2022-06-02T05:34:23Z In(14)[+] hostprofile[1001430319]: {'mode': 'Disabled'}\n",
		"Mar  1 08:53:36 host vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.",
		"\n\n\r\n--> APD timeout\n",
		"No space left No space left\nNo space left",
		"",
	} {
		f.Add([]byte(s))
	}
	cat := testCatalog(f)
	bcat := benchCatalog(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range []*Catalog{cat, bcat} {
			r := runFake(t, c, []fakeMember{
				{0, "var/log/vmkernel.log", data},
				{0, "var/log/hostd.log", data},
			}, 2, Options{MaxEvidence: 2})[0]
			want := int64(bytes.Count(data, []byte("\n")))
			if len(data) > 0 && data[len(data)-1] != '\n' {
				want++
			}
			if r.Lines != 2*want {
				t.Fatalf("lines = %d, want %d", r.Lines, 2*want)
			}
		}
		if _, err := AnalyzeText(context.Background(), "fuzz", data, Options{Catalog: cat}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseRules: arbitrary rule files never panic the loader.
func FuzzParseRules(f *testing.F) {
	f.Add([]byte(testRules))
	f.Add([]byte("[[rule]]\nid = \"x\"\n[[rule.sample]]\nline = \"a\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseRules("fuzz.toml", data)
		if err == nil {
			_ = c.TestSamples()
		}
	})
}
