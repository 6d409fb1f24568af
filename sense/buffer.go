package sense

import (
	"encoding/binary"
	"fmt"
)

// SKSKind says how the 3-byte sense-key-specific field is interpreted; it
// depends on the sense key (SPC "Sense key specific field").
type SKSKind uint8

const (
	SKSNone               SKSKind = iota // SKSV not set or no field
	SKSFieldPointer                      // ILLEGAL REQUEST
	SKSRetryCount                        // RECOVERED ERROR, MEDIUM ERROR, HARDWARE ERROR: actual retry count
	SKSProgress                          // NO SENSE, NOT READY: progress indication
	SKSSegmentPointer                    // COPY ABORTED
	SKSUnitAttentionQueue                // UNIT ATTENTION: unit attention condition queue overflow
	SKSReserved                          // other keys: reserved
)

// String returns a stable lower-case name.
func (k SKSKind) String() string {
	switch k {
	case SKSFieldPointer:
		return "field-pointer"
	case SKSRetryCount:
		return "retry-count"
	case SKSProgress:
		return "progress"
	case SKSSegmentPointer:
		return "segment-pointer"
	case SKSUnitAttentionQueue:
		return "unit-attention-queue"
	case SKSReserved:
		return "reserved"
	}
	return "none"
}

// SenseKeySpecific is the decoded sense-key-specific field.
type SenseKeySpecific struct {
	Kind SKSKind
	Raw  [3]byte
	// Field pointer (ILLEGAL REQUEST) and segment pointer (COPY ABORTED).
	InCDB    bool   // C/D bit: the error is in the CDB (else in parameter data); segment pointer: SD bit
	BitValid bool   // BPV: Bit is valid
	Bit      uint8  // bit pointer 0-7
	Field    uint16 // byte offset of the field in error / segment pointer
	// Progress indication (NO SENSE, NOT READY): Progress/65536 of the operation done.
	Progress uint16
	// Actual retry count (RECOVERED ERROR, MEDIUM ERROR, HARDWARE ERROR).
	RetryCount uint16
	// Unit attention condition queue overflow (UNIT ATTENTION).
	Overflow bool
}

// ProgressPercent returns Progress as a percentage (0-100).
func (s SenseKeySpecific) ProgressPercent() float64 { return float64(s.Progress) * 100 / 65536 }

// ATAReturn is an ATA status return descriptor (type 09h, SAT).
type ATAReturn struct {
	Extend bool
	Error  uint8
	Count  uint16
	LBA    uint64
	Device uint8
	Status uint8
}

// Descriptor is one sense data descriptor of descriptor-format sense.
type Descriptor struct {
	Type   uint8
	Offset int    // offset of the descriptor in the buffer
	Data   []byte // the whole descriptor (type, length and body); aliases the input
}

// Buffer is a decoded raw sense buffer.
type Buffer struct {
	ResponseCode uint8 // 0x70, 0x71, 0x72 or 0x73
	Descriptor   bool  // descriptor format (0x72/0x73); else fixed (0x70/0x71)
	Deferred     bool  // 0x71/0x73: deferred error
	Key          uint8
	ASC, ASCQ    uint8
	Decoded      Decoded
	FileMark     bool
	EOM          bool
	ILI          bool

	// Information field (fixed bytes 3-6, or the information descriptor).
	HasInformation bool   // the field is present
	InfoValid      bool   // VALID bit: the information field holds a defined value
	Information    uint64 // the field's value (also when InfoValid is false)

	HasCommandInfo bool
	CommandInfo    uint64 // command-specific information

	HasFRU bool
	FRU    uint8 // field replaceable unit code (0 = none)

	// Sense-key-specific field. SKS is decoded whenever the field is
	// present (fixed bytes 15-17, or the first SKS descriptor); it is valid
	// only when HasSKS (the SKSV bit) is set.
	HasSKS bool
	SKS    SenseKeySpecific

	// Progress indication from the SKS field (NO SENSE / NOT READY) or from
	// an "another progress indication" descriptor (0Ah).
	HasProgress bool
	Progress    uint16

	ATA         *ATAReturn
	Descriptors []Descriptor
}

// BufferError is a truncated or malformed sense buffer.
type BufferError struct {
	Offset int    // byte offset the problem was found at
	Msg    string // what was expected
}

func (e *BufferError) Error() string {
	return fmt.Sprintf("sense: buffer at offset %d: %s", e.Offset, e.Msg)
}

func bufErr(off int, format string, args ...any) error {
	return &BufferError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// decodeSKS interprets a sense-key-specific field for key.
func decodeSKS(key uint8, raw []byte) SenseKeySpecific {
	s := SenseKeySpecific{Raw: [3]byte{raw[0], raw[1], raw[2]}}
	v := binary.BigEndian.Uint16(raw[1:3])
	switch key {
	case 0x5:
		s.Kind = SKSFieldPointer
		s.InCDB = raw[0]&0x40 != 0
		s.BitValid = raw[0]&0x08 != 0
		s.Bit = raw[0] & 0x07
		s.Field = v
	case 0x1, 0x3, 0x4:
		s.Kind = SKSRetryCount
		s.RetryCount = v
	case 0x0, 0x2:
		s.Kind = SKSProgress
		s.Progress = v
	case 0xa:
		s.Kind = SKSSegmentPointer
		s.InCDB = raw[0]&0x20 != 0 // SD bit
		s.BitValid = raw[0]&0x08 != 0
		s.Bit = raw[0] & 0x07
		s.Field = v
	case 0x6:
		s.Kind = SKSUnitAttentionQueue
		s.Overflow = raw[0]&0x01 != 0
	default:
		s.Kind = SKSReserved
	}
	return s
}

// DecodeBuffer decodes raw sense data in fixed (response code 0x70/0x71)
// or descriptor (0x72/0x73) format. The VALID bit (0x80) of byte 0 is
// honoured for fixed format. A buffer shorter than its additional length
// says, a descriptor that overruns the buffer or has the wrong length, or a
// response code other than 0x70-0x73 gives a *BufferError naming the
// offset; the fields decoded before the problem are returned with it.
// Bytes after the additional length are ignored.
func DecodeBuffer(b []byte) (Buffer, error) {
	var out Buffer
	if len(b) == 0 {
		return out, bufErr(0, "empty buffer, want at least 8 bytes of fixed (0x70/0x71) or descriptor (0x72/0x73) sense")
	}
	rc := b[0] & 0x7f
	switch rc {
	case 0x70, 0x71, 0x72, 0x73:
	case 0x7f:
		return out, bufErr(0, "response code 0x7f: vendor specific sense format, not decodable")
	default:
		return out, bufErr(0, "response code 0x%02x, want 0x70-0x73 (fixed or descriptor sense)", rc)
	}
	out.ResponseCode = rc
	out.Descriptor = rc >= 0x72
	out.Deferred = rc == 0x71 || rc == 0x73
	if len(b) < 8 {
		return out, bufErr(len(b), "truncated: %d bytes, want at least 8 (header with additional length)", len(b))
	}
	end := 8 + int(b[7])
	if end > len(b) {
		return out, bufErr(len(b), "truncated: additional length 0x%02x needs %d bytes, have %d", b[7], end, len(b))
	}
	b = b[:end]
	if out.Descriptor {
		return decodeDescriptor(b, out)
	}
	return decodeFixed(b, out)
}

func decodeFixed(b []byte, out Buffer) (Buffer, error) {
	out.Key = b[2] & 0xf
	out.FileMark = b[2]&0x80 != 0
	out.EOM = b[2]&0x40 != 0
	out.ILI = b[2]&0x20 != 0
	out.HasInformation = true
	out.InfoValid = b[0]&0x80 != 0
	out.Information = uint64(binary.BigEndian.Uint32(b[3:7]))
	if len(b) >= 12 {
		out.HasCommandInfo = true
		out.CommandInfo = uint64(binary.BigEndian.Uint32(b[8:12]))
	}
	if len(b) >= 13 {
		out.ASC = b[12]
	}
	if len(b) >= 14 {
		out.ASCQ = b[13]
	}
	if len(b) >= 15 {
		out.HasFRU = true
		out.FRU = b[14]
	}
	if len(b) >= 18 {
		out.SKS = decodeSKS(out.Key, b[15:18])
		out.HasSKS = b[15]&0x80 != 0
		if out.HasSKS && out.SKS.Kind == SKSProgress {
			out.HasProgress, out.Progress = true, out.SKS.Progress
		}
	}
	out.Decoded = Decode(out.Key, out.ASC, out.ASCQ)
	return out, nil
}

// descLen is the required additional length of fixed-size descriptors.
var descLen = [...]int{0x00: 0x0a, 0x01: 0x0a, 0x02: 0x06, 0x03: 0x02, 0x04: 0x02, 0x05: 0x02, 0x09: 0x0c, 0x0a: 0x06}

var descName = [...]string{0x00: "information", 0x01: "command-specific information", 0x02: "sense key specific",
	0x03: "field replaceable unit", 0x04: "stream commands", 0x05: "block commands", 0x09: "ATA status return",
	0x0a: "another progress indication"}

func decodeDescriptor(b []byte, out Buffer) (Buffer, error) {
	out.Key = b[1] & 0xf
	out.ASC, out.ASCQ = b[2], b[3]
	out.Decoded = Decode(out.Key, out.ASC, out.ASCQ)
	var haveProgressDesc, seenSKS bool
	var progressDesc uint16
	for off := 8; off < len(b); {
		if off+2 > len(b) {
			return out, bufErr(off, "descriptor header truncated: 1 byte left, want type and additional length")
		}
		typ, n := b[off], int(b[off+1])
		if off+2+n > len(b) {
			return out, bufErr(off, "descriptor type 0x%02x: additional length 0x%02x overruns the buffer (%d bytes left)", typ, n, len(b)-off-2)
		}
		d := b[off : off+2+n]
		if int(typ) < len(descLen) && descName[typ] != "" && n != descLen[typ] {
			return out, bufErr(off, "%s descriptor (type 0x%02x): additional length 0x%02x, want 0x%02x", descName[typ], typ, n, descLen[typ])
		}
		out.Descriptors = append(out.Descriptors, Descriptor{Type: typ, Offset: off, Data: d})
		switch typ {
		case 0x00:
			if !out.HasInformation {
				out.HasInformation = true
				out.InfoValid = d[2]&0x80 != 0
				out.Information = binary.BigEndian.Uint64(d[4:12])
			}
		case 0x01:
			if !out.HasCommandInfo {
				out.HasCommandInfo = true
				out.CommandInfo = binary.BigEndian.Uint64(d[4:12])
			}
		case 0x02:
			// Only the first SKS descriptor counts (as in sg3_utils).
			if !seenSKS {
				out.SKS = decodeSKS(out.Key, d[4:7])
				out.HasSKS = d[4]&0x80 != 0
			}
			seenSKS = true
		case 0x03:
			if !out.HasFRU {
				out.HasFRU = true
				out.FRU = d[3]
			}
		case 0x04:
			out.FileMark = out.FileMark || d[3]&0x80 != 0
			out.EOM = out.EOM || d[3]&0x40 != 0
			out.ILI = out.ILI || d[3]&0x20 != 0
		case 0x05:
			out.ILI = out.ILI || d[3]&0x20 != 0
		case 0x09:
			if out.ATA == nil {
				a := &ATAReturn{Extend: d[2]&0x01 != 0, Error: d[3], Device: d[12], Status: d[13]}
				a.Count = uint16(d[5])
				a.LBA = uint64(d[7]) | uint64(d[9])<<8 | uint64(d[11])<<16
				if a.Extend {
					a.Count |= uint16(d[4]) << 8
					a.LBA |= uint64(d[6])<<24 | uint64(d[8])<<32 | uint64(d[10])<<40
				}
				out.ATA = a
			}
		case 0x0a:
			if !haveProgressDesc {
				haveProgressDesc = true
				progressDesc = binary.BigEndian.Uint16(d[6:8])
			}
		}
		off += 2 + n
	}
	switch {
	case out.HasSKS && out.SKS.Kind == SKSProgress:
		out.HasProgress, out.Progress = true, out.SKS.Progress
	case haveProgressDesc:
		out.HasProgress, out.Progress = true, progressDesc
	}
	return out, nil
}

// ParseHex parses hex bytes written spaced ("70 00 06"), packed
// ("700006"), with 0x prefixes or comma/colon separators, as users paste
// them. It returns an error naming the offending position.
func ParseHex(s string) ([]byte, error) {
	var out []byte
	i := 0
	for i < len(s) {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r', ',', ':', '-':
			i++
			continue
		}
		if c == '0' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') {
			i += 2
		}
		start := i
		for i < len(s) && hexVal(s[i]) >= 0 {
			i++
		}
		run := s[start:i]
		if len(run) == 0 {
			if i >= len(s) { // "0x" at the end of the input
				return nil, fmt.Errorf("sense: hex at offset %d: \"0x\" without hex digits", start-2)
			}
			return nil, fmt.Errorf("sense: hex at offset %d: unexpected %q, want hex digits", i, s[i])
		}
		if len(run) == 1 {
			out = append(out, byte(hexVal(run[0])))
			continue
		}
		if len(run)%2 != 0 {
			return nil, fmt.Errorf("sense: hex at offset %d: odd number of digits in %q", start, run)
		}
		for j := 0; j < len(run); j += 2 {
			out = append(out, byte(hexVal(run[j])<<4|hexVal(run[j+1])))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sense: no hex bytes in %q", s)
	}
	return out, nil
}
