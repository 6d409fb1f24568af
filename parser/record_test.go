package parser

import "testing"

func TestNextRecord(t *testing.T) {
	// lnav test/logfile_vpxd.0: a record continued by a "-->" line.
	buf := []byte("2022-06-02T11:59:41.498Z warning vpxd[47756] [Originator@6876 sub=drmLogger opID=SWI-66b629ff] Exception was thrown (Fault cause: vim.fault.NotFound\n" +
		"--> )\n" +
		"2022-06-02T11:58:12.796Z info vpxd[47240] [Originator@6876 sub=MoCluster opID=HB-host-363@2022-389ab9b1] Host has 1 HDCS resources\r\n" +
		"    at frame 1\n" +
		"   \n" +
		"last without newline")
	want := []string{
		"2022-06-02T11:59:41.498Z warning vpxd[47756] [Originator@6876 sub=drmLogger opID=SWI-66b629ff] Exception was thrown (Fault cause: vim.fault.NotFound\n--> )",
		"2022-06-02T11:58:12.796Z info vpxd[47240] [Originator@6876 sub=MoCluster opID=HB-host-363@2022-389ab9b1] Host has 1 HDCS resources\r\n    at frame 1",
		"   ",
		"last without newline",
	}
	var got []string
	for len(buf) > 0 {
		var rec []byte
		rec, buf = NextRecord(buf)
		got = append(got, string(rec))
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records %q", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d = %q, want %q", i, got[i], want[i])
		}
	}
	if a := testing.AllocsPerRun(20, func() { NextRecord([]byte("a\n--> b\nc")) }); a != 0 {
		t.Errorf("allocs %v", a)
	}
}

func FuzzNextRecord(f *testing.F) {
	f.Add("a\n--> b\n c\nd")
	f.Fuzz(func(t *testing.T, s string) {
		buf := []byte(s)
		for n := 0; len(buf) > 0; n++ {
			var rec []byte
			prev := len(buf)
			rec, buf = NextRecord(buf)
			if len(buf) >= prev || len(rec) > prev {
				t.Fatal("no progress")
			}
		}
	})
}
