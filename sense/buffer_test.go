package sense

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustHex(t testing.TB, s string) []byte {
	b, err := ParseHex(s)
	require.NoError(t, err)
	return b
}

// The cases are the sg_decode_sense runs recorded in data/ORACLE.md.
func TestDecodeBuffer(t *testing.T) {
	t.Run("fixed 3f/0e", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "70 00 06 00 00 00 00 0a 00 00 00 00 3f 0e 00 00 00 00"))
		require.NoError(t, err)
		require.False(t, b.Descriptor)
		require.False(t, b.Deferred)
		require.Equal(t, "UNIT ATTENTION", b.Decoded.KeyName)
		require.Equal(t, "REPORTED LUNS DATA HAS CHANGED", b.Decoded.ASCText)
		require.False(t, b.InfoValid)
		require.False(t, b.HasSKS)
	})
	t.Run("fixed valid info", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "f0 00 03 00 00 12 34 0a 00 00 00 00 11 00 00 00 00 00"))
		require.NoError(t, err)
		require.True(t, b.InfoValid)
		require.Equal(t, uint64(0x1234), b.Information)
		require.Equal(t, uint8(3), b.Key)
		require.Equal(t, "medium-error", b.Decoded.Class.ID)
	})
	t.Run("deferred", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "71 00 04 00 00 00 00 0a 00 00 00 00 44 00 00 00 00 00"))
		require.NoError(t, err)
		require.True(t, b.Deferred)
		require.Equal(t, "INTERNAL TARGET FAILURE", b.Decoded.ASCText)
		b, err = DecodeBuffer(mustHex(t, "73 04 44 00 00 00 00 00"))
		require.NoError(t, err)
		require.True(t, b.Deferred)
		require.True(t, b.Descriptor)
		require.Equal(t, uint8(0x44), b.ASC)
	})
	t.Run("descriptor info", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "72 03 11 00 00 00 00 0c 00 0a 80 00 00 00 00 00 12 34 56 78"))
		require.NoError(t, err)
		require.True(t, b.InfoValid)
		require.Equal(t, uint64(0x12345678), b.Information)
		require.Len(t, b.Descriptors, 1)
	})
	t.Run("descriptor info + field pointer", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "72 05 24 00 00 00 00 14 00 0a 80 00 00 00 00 00 00 00 10 00 02 06 00 00 cb 00 02 00"))
		require.NoError(t, err)
		require.Equal(t, uint64(0x1000), b.Information)
		require.True(t, b.HasSKS)
		require.Equal(t, SenseKeySpecific{Kind: SKSFieldPointer, Raw: [3]byte{0xcb, 0, 2}, InCDB: true, BitValid: true, Bit: 3, Field: 2}, b.SKS)
	})
	t.Run("fixed progress", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "70 00 02 00 00 00 00 0a 00 00 00 00 04 04 00 80 80 00"))
		require.NoError(t, err)
		require.True(t, b.HasProgress)
		require.Equal(t, 50.0, b.SKS.ProgressPercent())
	})
	t.Run("descriptor progress", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "72 02 04 04 00 00 00 08 02 06 00 00 80 40 00 00"))
		require.NoError(t, err)
		require.True(t, b.HasProgress)
		require.Equal(t, uint16(0x4000), b.Progress)
	})
	t.Run("fixed field pointer", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 cb 00 02"))
		require.NoError(t, err)
		require.Equal(t, SKSFieldPointer, b.SKS.Kind)
		require.True(t, b.SKS.InCDB)
		require.Equal(t, uint8(3), b.SKS.Bit)
		require.Equal(t, uint16(2), b.SKS.Field)
	})
	t.Run("retry count, cmd info, fru, flags", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "70 00 e4 00 00 00 00 0a de ad be ef 44 00 07 80 01 02"))
		require.NoError(t, err)
		require.True(t, b.FileMark && b.EOM && b.ILI)
		require.Equal(t, uint64(0xdeadbeef), b.CommandInfo)
		require.Equal(t, uint8(7), b.FRU)
		require.Equal(t, SKSRetryCount, b.SKS.Kind)
		require.Equal(t, uint16(0x102), b.SKS.RetryCount)
	})
	t.Run("descriptor fru, block, stream, ata, progress desc, unknown", func(t *testing.T) {
		b, err := DecodeBuffer(mustHex(t, "72 0b 00 00 00 00 00 30"+
			" 01 0a 00 00 00 00 00 00 00 00 00 2a"+ // command-specific
			" 03 02 00 09"+ // FRU
			" 04 02 00 c0"+ // stream: filemark, eom
			" 05 02 00 20"+ // block: ILI
			" 09 0c 01 04 00 10 11 22 33 44 55 66 40 51"+ // ATA
			" 0a 06 02 04 07 00 c0 00"+ // progress
			" 80 00")) // vendor
		require.NoError(t, err)
		require.Equal(t, uint64(0x2a), b.CommandInfo)
		require.Equal(t, uint8(9), b.FRU)
		require.True(t, b.FileMark && b.EOM && b.ILI)
		// SAT layout: LBA bytes 7/9/11 = bits 7:0/15:8/23:16, 6/8/10 = 31:24/39:32/47:40.
		require.Equal(t, &ATAReturn{Extend: true, Error: 4, Count: 0x10, LBA: 0x553311664422, Device: 0x40, Status: 0x51}, b.ATA)
		require.True(t, b.HasProgress)
		require.Equal(t, uint16(0xc000), b.Progress)
		require.Len(t, b.Descriptors, 7)
		require.Equal(t, uint8(0x80), b.Descriptors[6].Type)
	})
}

func TestDecodeBufferErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{"", 0, "empty"},
		{"7e 00 06 00", 0, "response code 0x7e"},
		{"7f 00 06 00", 0, "vendor specific"},
		{"70 00 06", 3, "want at least 8"},
		{"70 00 06 00 00 00 00 0a 00 00", 10, "additional length 0x0a needs 18 bytes"},
		{"72 05 24 00 00 00 00 03 00 0a 80", 8, "overruns"},
		{"72 05 24 00 00 00 00 01 00", 8, "header truncated"},
		{"72 05 24 00 00 00 00 04 00 02 00 00", 8, "information descriptor (type 0x00): additional length 0x02, want 0x0a"},
	}
	for _, tc := range tests {
		var in []byte
		if tc.in != "" {
			in = mustHex(t, tc.in)
		}
		_, err := DecodeBuffer(in)
		var be *BufferError
		require.True(t, errors.As(err, &be), "%q: %v", tc.in, err)
		require.Equal(t, tc.offset, be.Offset, tc.in)
		require.Contains(t, err.Error(), tc.msg, tc.in)
	}
}

func TestParseHex(t *testing.T) {
	for _, in := range []string{"70 00 06", "700006", "0x70 0x00 0x06", "70:00:06", "70,0,6", "7 0 6"} {
		b, err := ParseHex(in)
		require.NoError(t, err, in)
		if in == "7 0 6" {
			require.Equal(t, []byte{7, 0, 6}, b)
			continue
		}
		require.Equal(t, []byte{0x70, 0, 6}, b, in)
	}
	for _, in := range []string{"", "7000 6g", "700", "zz", "0x", "70 0x", "70 0X "} {
		_, err := ParseHex(in)
		require.Error(t, err, in)
	}
}

// FuzzParseHex: ParseHex reads user input (esxdiag sense --raw); it must
// never panic, and what it accepts must round-trip through packed hex.
func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"70 00 06", "0x70,0x00", "700006", "70 0x", "0x", "7 0 6", "zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseHex(s)
		if err != nil {
			return
		}
		if len(b) == 0 {
			t.Fatalf("%q: no bytes and no error", s)
		}
		again, err := ParseHex(hex.EncodeToString(b))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("%q: % x does not round-trip: % x, %v", s, b, again, err)
		}
	})
}

func FuzzDecodeBuffer(f *testing.F) {
	for _, s := range []string{
		"70 00 06 00 00 00 00 0a 00 00 00 00 3f 0e 00 00 00 00",
		"f0 00 03 00 00 12 34 0a 00 00 00 00 11 00 00 00 00 00",
		"72 05 24 00 00 00 00 14 00 0a 80 00 00 00 00 00 00 00 10 00 02 06 00 00 cb 00 02 00",
		"72 02 04 04 00 00 00 08 02 06 00 00 80 40 00 00",
		"73 04 44 00 00 00 00 00", "72 0b 00 00 00 00 00 10 09 0c 01 04 00 10 11 22 33 44 55 66 40 51",
	} {
		b, _ := ParseHex(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := DecodeBuffer(in)
		if err != nil {
			var be *BufferError
			if !errors.As(err, &be) || be.Offset < 0 || be.Offset > len(in) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if b.Key > 0xf || b.Decoded.ASCText == "" {
			t.Fatalf("bad decode %+v", b)
		}
	})
}

func BenchmarkDecodeBuffer(b *testing.B) {
	in, _ := ParseHex("72 05 24 00 00 00 00 14 00 0a 80 00 00 00 00 00 00 00 10 00 02 06 00 00 cb 00 02 00")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeBuffer(in); err != nil {
			b.Fatal(err)
		}
	}
}
