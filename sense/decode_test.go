package sense

import (
	"bytes"
	"os"
	"testing"

	"github.com/esxdiag/esxdiag/sense/internal/gen"
	"github.com/stretchr/testify/require"
)

// TestTablesUpToDate regenerates tables_gen.go in memory from data/ and
// fails when the committed file differs (run `go generate ./sense`).
func TestTablesUpToDate(t *testing.T) {
	want, err := gen.Generate("data")
	require.NoError(t, err)
	got, err := os.ReadFile("tables_gen.go")
	require.NoError(t, err)
	if !bytes.Equal(want, got) {
		t.Fatal("tables_gen.go is out of date with data/*.tsv: run `go generate ./sense` and commit the result")
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		key, asc, ascq uint8
		keyName, text  string
		kind           ASCKind
		class          string
		desc           string
	}{
		{6, 0x3f, 0x0e, "UNIT ATTENTION", "REPORTED LUNS DATA HAS CHANGED", ASCExact, "lun-inventory-changed", ""},
		{6, 0x29, 0x00, "UNIT ATTENTION", "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED", ASCExact, "power-on-reset", ""},
		{6, 0x29, 0x03, "UNIT ATTENTION", "BUS DEVICE RESET FUNCTION OCCURRED", ASCExact, "power-on-reset", ""},
		{6, 0x2a, 0x09, "UNIT ATTENTION", "CAPACITY DATA HAS CHANGED", ASCExact, "capacity-changed", ""},
		{2, 0x04, 0x0a, "NOT READY", "LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION", ASCExact, "alua-transition", ""},
		{6, 0x38, 0x07, "UNIT ATTENTION", "THIN PROVISIONING SOFT THRESHOLD REACHED", ASCExact, "thin-soft-threshold", ""},
		{7, 0x27, 0x07, "DATA PROTECT", "SPACE ALLOCATION FAILED WRITE PROTECT", ASCExact, "out-of-space", ""},
		{5, 0x25, 0x00, "ILLEGAL REQUEST", "LOGICAL UNIT NOT SUPPORTED", ASCExact, "pdl", ""},
		{5, 0x68, 0x00, "ILLEGAL REQUEST", "LOGICAL UNIT NOT CONFIGURED", ASCExact, "pdl", ""},
		{5, 0x20, 0x00, "ILLEGAL REQUEST", "INVALID COMMAND OPERATION CODE", ASCExact, "unsupported-command", ""},
		{5, 0x24, 0x00, "ILLEGAL REQUEST", "INVALID FIELD IN CDB", ASCExact, "unsupported-command", ""},
		{0xe, 0x1d, 0x00, "MISCOMPARE", "MISCOMPARE DURING VERIFY OPERATION", ASCExact, "ats-miscompare", ""},
		{3, 0x11, 0x00, "MEDIUM ERROR", "UNRECOVERED READ ERROR", ASCExact, "medium-error", ""},
		{4, 0x44, 0x00, "HARDWARE ERROR", "INTERNAL TARGET FAILURE", ASCExact, "hardware-error", ""},
		{0xb, 0x47, 0x03, "ABORTED COMMAND", "INFORMATION UNIT iuCRC ERROR DETECTED", ASCExact, "aborted-command", ""},
		{0, 0x40, 0x85, "NO SENSE", "DIAGNOSTIC FAILURE ON COMPONENT [0x85]", ASCRange, "other", ""},
		{0, 0x4d, 0x00, "NO SENSE", "TAGGED OVERLAPPED COMMANDS [0x0]", ASCRange, "other", ""},
		{0, 0x70, 0x05, "NO SENSE", "DECOMPRESSION EXCEPTION SHORT ALGORITHM ID OF 0x5", ASCRange, "other", ""},
		{4, 0x84, 0x21, "HARDWARE ERROR", "VENDOR SPECIFIC", ASCVendor, "hardware-error", "vendor specific ASC=84, ASCQ=21 (hex)"},
		{0xb, 0x47, 0x99, "ABORTED COMMAND", "VENDOR SPECIFIC QUALIFIER", ASCVendorModifier, "aborted-command", "ASC=47, vendor specific qualification ASCQ=99 (hex)"},
		{6, 0x04, 0x7f, "UNIT ATTENTION", "RESERVED", ASCReserved, "unit-attention", "ASC=04, ASCQ=7f (hex)"},
		{9, 0, 0, "VENDOR SPECIFIC(9)", "NO ADDITIONAL SENSE INFORMATION", ASCExact, "other", ""},
	}
	for _, tc := range tests {
		d := Decode(tc.key, tc.asc, tc.ascq)
		require.Equal(t, tc.keyName, d.KeyName, "%x/%x/%x", tc.key, tc.asc, tc.ascq)
		require.Equal(t, tc.text, d.ASCText, "%x/%x/%x", tc.key, tc.asc, tc.ascq)
		require.Equal(t, tc.kind, d.ASCKind, "%x/%x/%x", tc.key, tc.asc, tc.ascq)
		require.Equal(t, tc.class, d.Class.ID, "%x/%x/%x", tc.key, tc.asc, tc.ascq)
		want := tc.desc
		if want == "" {
			want = tc.text
		}
		require.Equal(t, want, d.Description())
	}
	require.Equal(t, uint8(0xc), Decode(0x2c, 0, 0).Key, "key is the low 4 bits")
}

// TestDecodeNeverEmpty checks every triple decodes to non-empty names.
func TestDecodeNeverEmpty(t *testing.T) {
	for k := 0; k < 16; k++ {
		for a := 0; a < 256; a++ {
			for q := 0; q < 256; q++ {
				d := Decode(uint8(k), uint8(a), uint8(q))
				if d.KeyName == "" || d.ASCText == "" || d.Class.ID == "" {
					t.Fatalf("empty decode for %x/%x/%x: %+v", k, a, q, d)
				}
			}
		}
	}
	for v := 0; v < 256; v++ {
		for _, c := range []Code{HostStatus(uint8(v)), DeviceStatus(uint8(v)), PluginStatus(uint8(v)), Opcode(uint8(v), -1), Opcode(uint8(v), 1)} {
			require.NotEmpty(t, c.Name, "%x", v)
			require.NotEmpty(t, c.Meaning, "%x", v)
			require.Equal(t, v, c.Value)
		}
	}
}

func TestCodes(t *testing.T) {
	require.Equal(t, "OK", HostStatus(0).Name)
	require.Equal(t, "NO_CONNECT", HostStatus(1).Name)
	require.Contains(t, HostStatus(0xd).Name, "REQUEUE")
	require.Contains(t, HostStatus(0xd).Name, "PI_GUARD_ERROR")
	require.Equal(t, "UNKNOWN", HostStatus(0x10).Name)
	require.Equal(t, "CHECK CONDITION", DeviceStatus(2).Name)
	require.Equal(t, "TASK SET FULL", DeviceStatus(0x28).Name)
	require.Equal(t, "RESERVATION CONFLICT", DeviceStatus(0x18).Name)
	require.Equal(t, "RESERVED", DeviceStatus(0x03).Name)
	require.Equal(t, "THINPROV_NOSPACE", PluginStatus(8).Name)
	require.Equal(t, "UNKNOWN", PluginStatus(9).Name)
	require.Equal(t, "Read(10)", Opcode(0x28, -1).Name)
	require.Equal(t, "Compare and write", Opcode(0x89, -1).Name)
	require.Equal(t, "Service action in(16)", Opcode(0x9e, -1).Name)
	require.Equal(t, "Read capacity(16)", Opcode(0x9e, 0x10).Name)
	require.Equal(t, "Read(32)", Opcode(0x7f, 9).Name)
	require.Equal(t, "SERVICE ACTION OPCODE", Opcode(0x7f, -1).Name)
	require.Equal(t, "VENDOR SPECIFIC", Opcode(0xc5, -1).Name)
}

func TestClassify(t *testing.T) {
	tests := []struct {
		line  string
		class string
	}{
		{`H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe`, "lun-inventory-changed"},
		{`H:0x0 D:0x18 P:0x3 Possible sense data: 0x0 0x0 0x0`, "reservation-conflict"},
		{`H:0x0 D:0x28 P:0x0 Possible sense data: 0x0 0x0 0x0`, "queue-full"},
		{`H:0x0 D:0x8 P:0x0 Possible sense data: 0x0 0x0 0x0`, "busy"},
		{`H:0x1 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0`, "host-no-connect"},
		{`H:0x3 D:0x0 P:0x0`, "host-timeout"},
		{`H:0x5 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0`, "host-abort"},
		{`H:0x8 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0`, "host-reset"},
		{`H:0x2 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0`, "host-error"},
		{`H:0x0 D:0x2 P:0x8 Valid sense data: 0x7 0x27 0x7`, "out-of-space"},
		{`H:0x0 D:0x2 P:0x5 Valid sense data: 0xe 0x1d 0x0`, "ats-miscompare"},
		{`H:0x0 D:0x0 P:0x5 Possible sense data: 0x0 0x0 0x0`, "ats-miscompare"},
		{`H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0`, "pdl"},
		{`Cmd (0x2a) PDL error (0x5/0x25/0x0)`, "pdl"},
		{`H:0x0 D:0x2 P:0x0 Valid sense data: 0x2 0x4 0x3`, "not-ready"},
		{`H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x26 0x0`, "illegal-request"},
		{`H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x2a 0x6`, "alua-transition"},
		{`H:0x0 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0`, "other"},
		{`H:0x1 D:0x0 P:0x0 Possible sense data: 0x5 0x25 0x0`, "host-no-connect"},
		{`status = 40/0 0x0 0x0 0x0`, "queue-full"},
		{`status = 0/8 0x0 0x0 0x0`, "host-reset"},
		{`status = 2/0 0x5 0x24 0x0`, "unsupported-command"},
	}
	for _, tc := range tests {
		var st Status
		require.True(t, ParseStatus([]byte(tc.line), &st), tc.line)
		require.Equal(t, tc.class, Classify(st).ID, tc.line)
	}
	for _, c := range Classes() {
		got, ok := ClassByID(c.ID)
		require.True(t, ok)
		require.Equal(t, c, got)
		require.NotEmpty(t, c.Source)
	}
}

var sinkDecoded Decoded

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	triples := [][3]uint8{{6, 0x3f, 0x0e}, {5, 0x25, 0}, {0xb, 0x47, 0x99}, {4, 0x84, 0x21}, {0, 0x40, 0x85}}
	i := 0
	for b.Loop() {
		t := triples[i%len(triples)]
		sinkDecoded = Decode(t[0], t[1], t[2])
		i++
	}
}

// TestZeroAllocs pins the hot-path promise: Decode, Classify and
// ParseStatus never allocate.
func TestZeroAllocs(t *testing.T) {
	line := []byte(`ScsiDeviceIO: 2927: Cmd(0x439e4fc3c0c0) 0x28, CmdSN 0x8000004c from world 2099 to dev "naa.6" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`)
	pasted := []byte("Command 0×28 failed H:0×0 D:0×2\u00a0P:0×0 Valid sense data: 0×5 0×25 0×0\nstatus = 40/0 0x0 0x0 0x0")
	var st Status
	for name, fn := range map[string]func(){
		"Decode":               func() { sinkDecoded = Decode(0xb, 0x47, 0x99) },
		"ParseStatus":          func() { ParseStatus(line, &st) },
		"ParseStatus (pasted)": func() { ParseStatus(pasted, &st) },
		"Classify":             func() { sinkDecoded.Class = Classify(st) },
		"LookupASC":            func() { sinkDecoded.ASCText, sinkDecoded.ASCKind = LookupASC(0x40, 0x85) },
	} {
		require.Zero(t, testing.AllocsPerRun(100, fn), name)
	}
}
