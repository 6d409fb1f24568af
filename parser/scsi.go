package parser

import "github.com/esxdiag/esxdiag/sense"

// ScsiEvent is one failed SCSI command (or a summary of suppressed repeats)
// as vmkernel logged it. Byte slices are views into the record.
type ScsiEvent struct {
	Opcode int    // CDB opcode (0x28 READ(10) ...); -1 if the record names none
	Device []byte // naa./eui./t10./mpx./vml./sym. id; nil if absent
	Path   []byte // vmhbaN:C:T:L (or ESX 3.5 vmhbaN:T:L:P); nil if absent
	World  int    // issuing world ("from world W", "(0xADDR, W)"); -1 if absent
	CmdSN  []byte // "0x561a77"; nil if absent

	Host, Dev, Plugin uint8 // H:/D:/P: (ESX 3.5: device/host of "status = D/H")
	Validity          sense.Validity
	Key, ASC, ASCQ    uint8

	Action []byte // NMP action after "Act:" ("FAILOVER", "EVAL", "NONE"); nil if absent
	PDL    bool   // the record itself says PDL ("PDL error (0x5/0x25/0x0)")
	Repeat int    // weight: N of "repeated N times", else 1

	// Additions beyond SPEC v1 (see SPEC.md "Changes").
	HasStatus bool       // H/D/P (or ESX 3.5 status) was present
	Form      sense.Form // textual form of the status
	Split     bool       // ESXi 8 record that ends at "Failed:"; its status is in the next record (see ScsiJoiner)
	Summary   bool       // "last error status from device X repeated N times" (no status of its own)
}

// ParseScsi extracts a SCSI failure from one (joined) vmkernel record. It
// reports false when the record holds no SCSI status, no split "Failed:"
// command record and no "repeated N times" summary. It does not allocate.
func ParseScsi(record []byte, ev *ScsiEvent) bool {
	*ev = ScsiEvent{Opcode: -1, World: -1, Repeat: 1}
	var st sense.Status
	if sense.ParseStatus(record, &st) {
		ev.HasStatus = st.HasStatus
		ev.Host, ev.Dev, ev.Plugin = st.Host, st.Device, st.Plugin
		ev.Validity, ev.Key, ev.ASC, ev.ASCQ = st.Validity, st.Key, st.ASC, st.ASCQ
		ev.PDL = st.PDL
		ev.Form = st.Form
		ev.Opcode = st.Opcode
	} else {
		t := trimSpaceB(record)
		switch {
		case isSplitFailed(t):
			ev.Split = true
		case index(t, " repeated ", 0) >= 0 && index(t, "last error status", 0) >= 0:
			ev.Summary = true
		default:
			return false
		}
	}
	if ev.Opcode < 0 {
		ev.Opcode = findOpcode(record)
	}
	ev.Device = findDevice(record)
	ev.Path = findPath(record)
	ev.World = findWorld(record)
	if i := index(record, "CmdSN ", 0); i >= 0 {
		s := i + 6
		e := s
		for e < len(record) && (isHex(record[e]) || record[e] == 'x' || record[e] == 'X') {
			e++
		}
		if e > s {
			ev.CmdSN = record[s:e]
		}
	}
	if i := index(record, "Act:", 0); i >= 0 {
		s := i + 4
		e := s
		for e < len(record) && (isAlpha(record[e]) || record[e] == '_') {
			e++
		}
		if e > s {
			ev.Action = record[s:e]
		}
	}
	if i := index(record, " repeated ", 0); i >= 0 {
		if n, k := atoi(record, i+10); k > 0 && hasPrefix(record[i+10+k:], " time") && n > 0 {
			ev.Repeat = n
		}
	}
	if !ev.PDL && index(record, "PDL error", 0) >= 0 {
		ev.PDL = true
	}
	return true
}

// findOpcode reads the command opcode from "Command 0x28", "Cmd 0x89 (",
// "Cmd(0xADDR) 0x2a," or "Cmd (0x2a)".
func findOpcode(b []byte) int {
	for from := 0; ; {
		i := index(b, "Cmd", from)
		j := index(b, "Command ", from)
		if i < 0 && j < 0 {
			return -1
		}
		var p int
		if j >= 0 && (i < 0 || j < i) {
			p = j + 8
			from = p
		} else {
			p = i + 3
			from = p
			if p < len(b) && b[p] == '(' { // Cmd(0xADDR) 0x2a
				e := indexByte(b, ')', p)
				if e < 0 {
					continue
				}
				// "Cmd (0x2a)" has the opcode inside the parentheses.
				if v, n := hexAt(b, p+1); n > 0 && p+1+n == e && n <= 4 {
					return int(v)
				}
				p = e + 1
			}
			if p < len(b) && b[p] == ' ' {
				p++
				if p < len(b) && b[p] == '(' { // "Cmd (0x2a)"
					p++
				}
			}
		}
		if hasPrefix(b[p:], "0x") {
			if v, n := hexAt(b, p); n > 2 && n <= 4 {
				return int(v)
			}
		}
	}
}

// findDevice returns the first device identifier token.
func findDevice(b []byte) []byte {
	for i := 0; i+4 < len(b); i++ {
		if b[i+3] != '.' || (i > 0 && (isAlpha(b[i-1]) || isDigit(b[i-1]))) {
			continue
		}
		for _, p := range devPrefixes {
			if b[i] == p[0] && b[i+1] == p[1] && b[i+2] == p[2] {
				e := i + 4
				for e < len(b) && b[e] != '"' && b[e] != ' ' && b[e] != ',' && b[e] != ')' && b[e] != ']' && b[e] != '\'' && b[e] != '\n' {
					e++
				}
				if e > i+4 {
					return b[i:e]
				}
			}
		}
	}
	return nil
}

// findPath returns the first "vmhbaN:..." runtime path name.
func findPath(b []byte) []byte {
	for from := 0; ; {
		i := index(b, "vmhba", from)
		if i < 0 {
			return nil
		}
		from = i + 5
		e := i + 5
		_, n := atoi(b, e)
		if n == 0 || e+n >= len(b) || b[e+n] != ':' {
			continue
		}
		e += n
		for e < len(b) && (b[e] == ':' || isDigit(b[e]) || b[e] == 'C' || b[e] == 'T' || b[e] == 'L') {
			e++
		}
		for e > i && b[e-1] == ':' {
			e--
		}
		return b[i:e]
	}
}

// findWorld returns the issuing world: "from world W" or "(0xADDR, W)".
func findWorld(b []byte) int {
	if i := index(b, "from world ", 0); i >= 0 {
		if v, n := atoi(b, i+11); n > 0 {
			return v
		}
	}
	if i := index(b, "Cmd 0x", 0); i >= 0 {
		if p := indexByte(b, '(', i); p >= 0 && p < i+12 {
			if c := indexByte(b, ',', p); c >= 0 && c < p+24 {
				k := skipSpaces(b, c+1)
				if v, n := atoi(b, k); n > 0 && k+n < len(b) && b[k+n] == ')' {
					return v
				}
			}
		}
	}
	return -1
}

// isSplitFailed reports an ESXi 8 NMP record cut at "Failed:" (formats.md §2.3).
func isSplitFailed(t []byte) bool {
	t = trimSpaceB(t)
	return len(t) >= 7 && string(t[len(t)-7:]) == "Failed:" && index(t, "Cmd", 0) >= 0
}
