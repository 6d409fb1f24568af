package sense

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseStatus(t *testing.T) {
	type want = Status
	tests := []struct {
		name string
		in   string
		ok   bool
		want want
	}{
		{"esxi valid", `Command 0x28 to device "naa.x" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`, true,
			want{Opcode: 0x28, Device: 2, HasStatus: true, Validity: SenseValid, Key: 6, ASC: 0x3f, ASCQ: 0xe, Form: FormESXi5}},
		{"esxi possible", `Cmd(0x439e4fc3c0c0) 0x2a, CmdSN 0x8000004c from world 2099 to dev "naa.1" failed H:0x0 D:0x18 P:0x3 Possible sense data: 0x0 0x0 0x0`, true,
			want{Opcode: 0x2a, Device: 0x18, Plugin: 3, HasStatus: true, Validity: SensePossible, Form: FormESXi5}},
		{"no sense data", `NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x45a2c0d1b040, 2097617) to dev "naa.6" on path "vmhba2:C0:T1:L4" Failed: H:0x8 D:0x0 P:0x0 `, true,
			want{Opcode: 0x89, Host: 8, HasStatus: true, Form: FormESXi5}},
		{"truncated sense", `Failed: H:0x0 D:0x2 P:0x0 Valid se…`, true,
			want{Opcode: -1, Device: 2, HasStatus: true, Form: FormESXi5}},
		{"esx 4 nmp", `NMP: nmp_CompleteCommandForPath: Command 0x2a (0x41000b1e3c40) to NMP device "naa.60" failed on physical path "vmhba2:C0:T0:L1" H:0x2 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0.`, true,
			want{Opcode: 0x2a, Host: 2, HasStatus: true, Validity: SensePossible, Form: FormESXi5}},
		{"esx35 queue full", `WARNING: SCSI: 5663: vmhba0:0:1:1 status = 40/0 0x0 0x0 0x0`, true,
			want{Opcode: -1, Device: 0x28, HasStatus: true, Validity: SensePossible, Form: FormESX35}},
		{"esx35 reset", `WARNING: SCSI: 5663: vmhba0:0:1:1 status = 0/8 0x0 0x0 0x0`, true,
			want{Opcode: -1, Host: 8, HasStatus: true, Validity: SensePossible, Form: FormESX35}},
		{"esx35 check condition", `status = 2/0 0x5 0x24 0x0`, true,
			want{Opcode: -1, Device: 2, HasStatus: true, Validity: SenseValid, Key: 5, ASC: 0x24, Form: FormESX35}},
		{"pdl", `WARNING: NMP: nmp_PathDetermineFailure:2084: Cmd (0x2a) PDL error (0x5/0x25/0x0) - path vmhba2:C0:T0:L1 device naa.6 - triggering path failover`, true,
			want{Opcode: 0x2a, Validity: SenseValid, Key: 5, ASC: 0x25, PDL: true, Form: FormPDL}},
		{"typographic damage", "Command 0×28 to device „naa.x“ failed H:0×0 D:0×2\u00a0P:0×0 Valid sense data:\u00a00×6 0×3f 0×e.", true,
			want{Opcode: 0x28, Device: 2, HasStatus: true, Validity: SenseValid, Key: 6, ASC: 0x3f, ASCQ: 0xe, Form: FormESXi5}},
		{"upper X", `H:0X0 D:0X2 P:0X0 Valid sense data: 0X5 0X25 0X0`, true,
			want{Opcode: -1, Device: 2, HasStatus: true, Validity: SenseValid, Key: 5, ASC: 0x25, Form: FormESXi5}},
		{"leading zeros", `H:0x00 D:0x08 P:0x0 Possible sense data: 0x00 0x00 0x00`, true,
			want{Opcode: -1, Device: 8, HasStatus: true, Validity: SensePossible, Form: FormESXi5}},
		{"first of two", `H:0x5 D:0x0 P:0x0 then H:0x0 D:0x2 P:0x0`, true,
			want{Opcode: -1, Host: 5, HasStatus: true, Form: FormESXi5}},
		{"nothing", `2014-11-14T19:19:51.559Z cpu7:35233)VC: 2002: Device rescan time 704 msec`, false, want{}},
		{"overflow", `H:0x100 D:0x2 P:0x0`, false, want{}},
		{"bad key", `PDL error (0x15/0x25/0x0)`, false, want{}},
		{"empty", ``, false, want{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var st Status
			ok := ParseStatus([]byte(tc.in), &st)
			require.Equal(t, tc.ok, ok)
			if ok {
				require.Equal(t, tc.want, st)
			}
		})
	}
}

func TestScan(t *testing.T) {
	in := "a Cmd 0x28 H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x29 0x0\n" +
		"noise\nstatus = 0/1 0x0 0x0 0x0\nPDL error (0x5/0x25/0x0) H:0x1 D:0x0 P:0x0\n"
	var got []Status
	Scan([]byte(in), func(s Status) { got = append(got, s) })
	require.Len(t, got, 4)
	require.Equal(t, 0x28, got[0].Opcode)
	require.Equal(t, uint8(0x29), got[0].ASC)
	require.Equal(t, FormESX35, got[1].Form)
	require.Equal(t, uint8(1), got[1].Host)
	require.Equal(t, FormPDL, got[2].Form)
	require.Equal(t, FormESXi5, got[3].Form)
	require.Equal(t, uint8(1), got[3].Host)
}

func TestParseTriple(t *testing.T) {
	for _, in := range []string{"0x6 0x3f 0xe", "6 3f e", "6/3f/0e", "0x6,0x3f,0xe", " 0×6 0×3f 0×e. "} {
		var st Status
		require.True(t, ParseTriple([]byte(in), &st), in)
		require.Equal(t, Status{Opcode: -1, Form: FormTriple, Validity: SenseValid, Key: 6, ASC: 0x3f, ASCQ: 0xe}, st, in)
	}
	for _, in := range []string{"", "0x6 0x3f", "0x16 0x3f 0xe", "0x6 0x3f 0xe 0x1", "6 3f 100", "x y z"} {
		var st Status
		require.False(t, ParseTriple([]byte(in), &st), in)
	}
}

func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{
		`Command 0x28 to device "naa.x" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`,
		`status = 40/0 0x0 0x0 0x0`, `Cmd (0x2a) PDL error (0x5/0x25/0x0)`,
		"H:0×0 D:0×2\u00a0P:0×0 Possible sense data: 0×0 0×0 0×0", `Cmd(0xffffffffffffffffff) 0x2a H:0x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var st Status
		if ParseStatus(b, &st) {
			if st.Key > 0xf || st.Opcode > 0xff || st.Opcode < -1 || st.Form == FormNone {
				t.Fatalf("bad status %+v", st)
			}
		}
		n := 0
		Scan(b, func(Status) { n++ })
		if n > len(b) {
			t.Fatalf("%d fragments in %d bytes", n, len(b))
		}
		ParseTriple(b, &st)
	})
}

func BenchmarkParseStatus(b *testing.B) {
	line := []byte(`2015-04-01T22:22:35.038Z cpu22:44012977)ScsiDeviceIO: 2927: Cmd(0x439e4fc3c0c0) 0x28, CmdSN 0x8000004c from world 2099 to dev "naa.600a0980" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	var st Status
	for b.Loop() {
		if !ParseStatus(line, &st) {
			b.Fatal("no status")
		}
	}
}

func BenchmarkParseStatusNoMatch(b *testing.B) {
	line := []byte(`2022-06-02T03:20:05.107Z Db(167) Hostd[1001392035]: [Originator@6876 sub=AdapterServer opID=531c52d7-9d8a sid=52806149 user=vpxuser:<no user>] New request: target='vim.HostSystem:ha-host', method='retrieveInternalCapability'`)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	var st Status
	for b.Loop() {
		if ParseStatus(line, &st) {
			b.Fatal("false positive")
		}
	}
}

func TestOpcodeIn(t *testing.T) {
	for in, want := range map[string]int{
		`Cmd 0x89 (0x45a2c0d1b040, 2097617) to dev "naa.6" on path "vmhba2:C0:T1:L4" Failed:`: 0x89,
		`Cmd(0x439e4fc3c0c0) 0x2a, CmdSN 0x8000004c`:                                          0x2a,
		`command 0xa3 failed with status`:                                                     0xa3,
		`Cmd (0x28) PDL error`:                                                                0x28,
		`Command 0x28 (0x4100070e8e80) to NMP device`:                                         0x28,
		`no command here, CmdSN 0x1`:                                                          -1,
	} {
		require.Equal(t, want, OpcodeIn([]byte(in)), in)
	}
}
