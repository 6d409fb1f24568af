package sense

import "bytes"

// Validity says how ESXi qualified the sense bytes it logged.
type Validity uint8

const (
	SenseNone     Validity = iota // no sense data in the fragment
	SensePossible                 // "Possible sense data:" (host-side or non-CHECK CONDITION)
	SenseValid                    // "Valid sense data:" (device returned CHECK CONDITION)
	SenseInvalid                  // "Invalid sense data:" (newer builds; the bytes carry no meaning)
)

// String returns "none", "possible" or "valid".
func (v Validity) String() string {
	switch v {
	case SensePossible:
		return "possible"
	case SenseValid:
		return "valid"
	case SenseInvalid:
		return "invalid"
	}
	return "none"
}

// Form names the textual form a status fragment was found in.
type Form uint8

const (
	FormNone   Form = iota
	FormESXi5       // "H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe" (ESX 4.x and later)
	FormESX35       // "status = D/H 0xK 0xA 0xQ" (ESX 3.5, decimal device/host)
	FormPDL         // "PDL error (0x5/0x25/0x0)"
	FormTriple      // a bare "0x6 0x3f 0xe" triple (only from ParseTriple)
)

// String returns a stable lower-case name of the form.
func (f Form) String() string {
	switch f {
	case FormESXi5:
		return "esxi"
	case FormESX35:
		return "esx35"
	case FormPDL:
		return "pdl"
	case FormTriple:
		return "triple"
	}
	return "none"
}

// Status is one parsed status fragment.
type Status struct {
	Opcode    int // CDB byte 0 of the failed command; -1 when the text names none
	Host      uint8
	Device    uint8
	Plugin    uint8
	HasStatus bool // Host/Device/Plugin were present (FormESXi5, FormESX35)
	Validity  Validity
	Key       uint8
	ASC       uint8
	ASCQ      uint8
	PDL       bool // the text itself said PDL ("PDL error (...)")
	Form      Form
}

// ParseStatus finds the first status fragment in text and stores it in st.
// It recognises every form ESX/ESXi has logged:
//
//	H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.
//	H:0x0 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0
//	H:0x7 D:0x0 P:0x0 Invalid sense data: 0x0 0x0 0x0
//	H:0x8 D:0x0 P:0x0                  (status without sense data)
//	status = 2/0 0x5 0x24 0x0          (ESX 3.5: decimal device/host, see parseESX35)
//	PDL error (0x5/0x25/0x0)
//
// and tolerates the damage of text pasted from web pages: "0×2" (U+00D7 for
// x), "0X2", non-breaking and other Unicode spaces. It also picks up the
// opcode of the failed command from "Command 0x28", "Cmd 0x28", "Cmd(0xADDR)
// 0x2a" or "Cmd (0x2a)" earlier in text. It does not allocate.
func ParseStatus(text []byte, st *Status) bool {
	_, _, ok := parseFirst(text, st)
	return ok
}

// Scan calls fn for every status fragment in text, in order.
func Scan(text []byte, fn func(Status)) {
	var st Status
	off := 0
	for off < len(text) {
		// Each fragment's opcode is searched only in the text since the
		// previous fragment (or the start of its line).
		_, end, ok := parseFirst(text[off:], &st)
		if !ok {
			return
		}
		fn(st)
		off += end
	}
}

// parseFirst returns the start and end of the earliest fragment in text.
func parseFirst(text []byte, st *Status) (start, end int, ok bool) {
	best := -1
	var bestEnd int
	var tmp Status
	// Each matcher returns the earliest match of its form; the earliest of
	// all wins. A later form is only tried before the current best.
	if s, e, found := findESXi5(text, &tmp); found {
		best, bestEnd, *st = s, e, tmp
	}
	limit := len(text)
	if best >= 0 {
		limit = best
	}
	if s, e, found := findESX35(text[:limit], &tmp); found {
		best, bestEnd, *st = s, e, tmp
		limit = s
	}
	if s, e, found := findPDL(text[:limit], &tmp); found {
		best, bestEnd, *st = s, e, tmp
	}
	if best < 0 {
		return 0, 0, false
	}
	st.Opcode = findOpcode(lineBefore(text, best))
	return best, bestEnd, true
}

// lineBefore returns the part of text's line that precedes position i.
func lineBefore(text []byte, i int) []byte {
	if bytes.IndexByte(text[:i], '\n') < 0 { // fast (vectorised) common case
		return text[:i]
	}
	j := bytes.LastIndexByte(text[:i], '\n')
	return text[j+1 : i]
}

// space reports the width of a space-like rune at b (ASCII space or tab,
// U+00A0 NO-BREAK SPACE, U+2000..U+200B, U+202F, U+205F, U+3000); 0 if none.
func space(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	switch b[0] {
	case ' ', '\t':
		return 1
	case 0xC2:
		if len(b) > 1 && b[1] == 0xA0 {
			return 2
		}
	case 0xE2:
		if len(b) > 2 && b[1] == 0x80 && (b[2] >= 0x80 && b[2] <= 0x8B || b[2] == 0xAF) {
			return 3
		}
		if len(b) > 2 && b[1] == 0x81 && b[2] == 0x9F {
			return 3
		}
	case 0xE3:
		if len(b) > 2 && b[1] == 0x80 && b[2] == 0x80 {
			return 3
		}
	}
	return 0
}

func skipSpaces(b []byte, i int) int {
	for i < len(b) {
		c := b[i]
		if c == ' ' || c == '\t' {
			i++
			continue
		}
		if c < 0x80 {
			break
		}
		n := space(b[i:])
		if n == 0 {
			break
		}
		i += n
	}
	return i
}

// hexPrefix reports the width of "0x", "0X" or the pasted "0×" (U+00D7) at b[i:].
func hexPrefix(b []byte, i int) int {
	if i+1 < len(b) && b[i] == '0' {
		switch b[i+1] {
		case 'x', 'X':
			return 2
		case 0xC3:
			if i+2 < len(b) && b[i+2] == 0x97 {
				return 3
			}
		}
	}
	return 0
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// parseHex parses "0x<hex digits>" at b[i:] and returns the value and the
// index after it. Values above limit, missing digits or more than 16 digits
// fail.
func parseHex(b []byte, i int, limit uint64) (uint64, int, bool) {
	p := hexPrefix(b, i)
	if p == 0 {
		return 0, i, false
	}
	i += p
	start := i
	var v uint64
	for i < len(b) {
		d := hexVal(b[i])
		if d < 0 {
			break
		}
		if i-start >= 16 {
			return 0, i, false
		}
		v = v<<4 | uint64(d)
		i++
	}
	if i == start || v > limit {
		return 0, i, false
	}
	return v, i, true
}

// parseDec parses 1-3 decimal digits at b[i:] as a byte value.
func parseDec(b []byte, i int) (uint8, int, bool) {
	start := i
	v := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		v = v*10 + int(b[i]-'0')
		i++
		if i-start > 3 {
			return 0, i, false
		}
	}
	if i == start || v > 255 {
		return 0, i, false
	}
	return uint8(v), i, true
}

// parseTripleAt parses "0xK<sp>0xA<sp>0xQ" at b[i:].
func parseTripleAt(b []byte, i int, st *Status) (int, bool) {
	k, i, ok := parseHex(b, i, 0xff)
	if !ok || k > 0xf {
		return i, false
	}
	j := skipSpaces(b, i)
	if j == i {
		return i, false
	}
	a, i, ok := parseHex(b, j, 0xff)
	if !ok {
		return i, false
	}
	j = skipSpaces(b, i)
	if j == i {
		return i, false
	}
	q, i, ok := parseHex(b, j, 0xff)
	if !ok {
		return i, false
	}
	st.Key, st.ASC, st.ASCQ = uint8(k), uint8(a), uint8(q)
	return i, true
}

// findESXi5 finds "H:0x# D:0x# P:0x#" with optional "(Valid|Possible) sense data: 0x# 0x# 0x#".
func findESXi5(text []byte, st *Status) (start, end int, ok bool) {
	off := 0
	for {
		k := bytes.Index(text[off:], []byte("H:"))
		if k < 0 {
			return 0, 0, false
		}
		s := off + k
		if e, good := parseESXi5At(text, s, st); good {
			return s, e, true
		}
		off = s + 2
	}
}

func parseESXi5At(b []byte, i int, st *Status) (int, bool) {
	*st = Status{Opcode: -1, Form: FormESXi5, HasStatus: true}
	h, i, ok := parseHex(b, i+2, 0xff)
	if !ok {
		return i, false
	}
	i = skipSpaces(b, i)
	if i+2 > len(b) || b[i] != 'D' || b[i+1] != ':' {
		return i, false
	}
	d, i, ok := parseHex(b, i+2, 0xff)
	if !ok {
		return i, false
	}
	st.Host, st.Device = uint8(h), uint8(d)
	j := skipSpaces(b, i)
	if j+2 > len(b) || b[j] != 'P' || b[j+1] != ':' {
		// ESX 4.0 had no plugin field on some paths; accept H/D alone.
		return i, true
	}
	p, j, ok := parseHex(b, j+2, 0xff)
	if !ok {
		return i, true
	}
	st.Plugin = uint8(p)
	i = j
	// Optional sense data.
	j = skipSpaces(b, i)
	var v Validity
	switch {
	case hasPrefixFold(b[j:], "Valid"):
		v, j = SenseValid, j+5
	case hasPrefixFold(b[j:], "Possible"):
		v, j = SensePossible, j+8
	case hasPrefixFold(b[j:], "Invalid"):
		v, j = SenseInvalid, j+7
	default:
		return i, true
	}
	j = skipSpaces(b, j)
	if !hasPrefixFold(b[j:], "sense") {
		return i, true
	}
	j = skipSpaces(b, j+5)
	if !hasPrefixFold(b[j:], "data") {
		return i, true
	}
	j += 4
	if j < len(b) && b[j] == ':' {
		j++
	}
	j = skipSpaces(b, j)
	var sd Status
	e, ok := parseTripleAt(b, j, &sd)
	if !ok {
		return i, true
	}
	st.Validity, st.Key, st.ASC, st.ASCQ = v, sd.Key, sd.ASC, sd.ASCQ
	return e, true
}

func hasPrefixFold(b []byte, s string) bool {
	if len(b) < len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c, d := b[i], s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if d >= 'A' && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// findESX35 finds the ESX 3.5 form "status = D/H 0xK 0xA 0xQ".
//
// D and H are DECIMAL and the order is device/host: KB 289902 explains the
// pair as device status / host status, and KB 1008113 shows "status = 40/0"
// for a queue-full condition, i.e. device status 40 decimal = 0x28 TASK SET
// FULL. (formats.md calls the pair host/device; that is wrong.)
func findESX35(text []byte, st *Status) (start, end int, ok bool) {
	off := 0
	for {
		k := bytes.Index(text[off:], []byte("status"))
		if k < 0 {
			return 0, 0, false
		}
		s := off + k
		if e, good := parseESX35At(text, s, st); good {
			return s, e, true
		}
		off = s + 6
	}
}

func parseESX35At(b []byte, i int, st *Status) (int, bool) {
	i = skipSpaces(b, i+6)
	if i >= len(b) || b[i] != '=' {
		return i, false
	}
	i = skipSpaces(b, i+1)
	d, i, ok := parseDec(b, i)
	if !ok || i >= len(b) || b[i] != '/' {
		return i, false
	}
	h, i, ok := parseDec(b, i+1)
	if !ok {
		return i, false
	}
	*st = Status{Opcode: -1, Form: FormESX35, HasStatus: true, Device: d, Host: h}
	j := skipSpaces(b, i)
	if j == i {
		return i, true
	}
	var sd Status
	e, ok := parseTripleAt(b, j, &sd)
	if !ok {
		return i, true
	}
	st.Key, st.ASC, st.ASCQ = sd.Key, sd.ASC, sd.ASCQ
	// ESX 3.5 logs the sense bytes unqualified; they are meaningful when the
	// device returned CHECK CONDITION.
	if d == 0x02 {
		st.Validity = SenseValid
	} else {
		st.Validity = SensePossible
	}
	return e, true
}

// findPDL finds "PDL error (0xK/0xA/0xQ)".
func findPDL(text []byte, st *Status) (start, end int, ok bool) {
	off := 0
	for {
		k := bytes.Index(text[off:], []byte("PDL"))
		if k < 0 {
			return 0, 0, false
		}
		s := off + k
		if e, good := parsePDLAt(text, s, st); good {
			return s, e, true
		}
		off = s + 3
	}
}

func parsePDLAt(b []byte, i int, st *Status) (int, bool) {
	i = skipSpaces(b, i+3)
	if !hasPrefixFold(b[i:], "error") {
		return i, false
	}
	i = skipSpaces(b, i+5)
	if i >= len(b) || b[i] != '(' {
		return i, false
	}
	k, i, ok := parseHex(b, i+1, 0xf)
	if !ok || i >= len(b) || b[i] != '/' {
		return i, false
	}
	a, i, ok := parseHex(b, i+1, 0xff)
	if !ok || i >= len(b) || b[i] != '/' {
		return i, false
	}
	q, i, ok := parseHex(b, i+1, 0xff)
	if !ok || i >= len(b) || b[i] != ')' {
		return i, false
	}
	*st = Status{Opcode: -1, Form: FormPDL, Validity: SenseValid, PDL: true,
		Key: uint8(k), ASC: uint8(a), ASCQ: uint8(q)}
	return i + 1, true
}

// OpcodeIn returns the opcode of the failed command named in text
// ("Command 0x28", "Cmd 0x28", "Cmd(0xADDR) 0x2a", "Cmd (0x2a)"; the last
// one wins), or -1. Useful for ESXi 8 records that end at "Failed:" and
// carry the status on the next record. It does not allocate.
func OpcodeIn(text []byte) int { return findOpcode(text) }

// findOpcode returns the opcode named by the last "Command 0xCC",
// "Cmd 0xCC", "Cmd(0xADDR) 0xCC", "Cmd (0xCC)" or "command 0xCC" in line,
// or -1.
func findOpcode(line []byte) int {
	// Find the last "Cmd"/"cmd" and the last "Command"/"command" whose
	// operand parses; the later one wins. bytes.Index keeps this fast on
	// long lines.
	bestAt, op := -1, -1
	for _, kw := range [...]string{"md", "ommand"} {
		off := 0
		for {
			k := bytes.Index(line[off:], []byte(kw))
			if k < 0 {
				break
			}
			at := off + k - 1 // position of the C
			off += k + len(kw)
			if at < 0 || (line[at] != 'C' && line[at] != 'c') {
				continue
			}
			if v, ok := opcodeAfter(line, off); ok && at > bestAt {
				bestAt, op = at, v
			}
		}
	}
	return op
}

// opcodeAfter parses what follows "Cmd"/"Command" at line[i:].
func opcodeAfter(b []byte, i int) (int, bool) {
	i = skipSpaces(b, i)
	if i < len(b) && b[i] == '(' {
		// "Cmd(0xADDR) 0xCC" (address then opcode) or "Cmd (0xCC)".
		v, j, ok := parseHex(b, i+1, 1<<64-1)
		if !ok || j >= len(b) || b[j] != ')' {
			return 0, false
		}
		j = skipSpaces(b, j+1)
		if op, _, ok2 := parseHex(b, j, 0xff); ok2 {
			return int(op), true
		}
		if v <= 0xff {
			return int(v), true
		}
		return 0, false
	}
	op, _, ok := parseHex(b, i, 0xff)
	if !ok {
		return 0, false
	}
	return int(op), true
}

// ParseTriple parses a bare sense triple "0x6 0x3f 0xe" (also "6 3f e",
// "6/3f/e" or "0x6,0x3f,0xe"): the whole of text, trimmed, must be the
// triple. Values are hexadecimal with or without the 0x prefix.
func ParseTriple(text []byte, st *Status) bool {
	var v [3]uint64
	i := skipSpaces(text, 0)
	for n := 0; n < 3; n++ {
		if n > 0 {
			j := skipSpaces(text, i)
			if j < len(text) && (text[j] == '/' || text[j] == ',') {
				j = skipSpaces(text, j+1)
			} else if j == i {
				return false
			}
			i = j
		}
		if p := hexPrefix(text, i); p > 0 {
			i += p
		}
		start := i
		var x uint64
		for i < len(text) && hexVal(text[i]) >= 0 && i-start < 3 {
			x = x<<4 | uint64(hexVal(text[i]))
			i++
		}
		if i == start || x > 0xff || (i < len(text) && hexVal(text[i]) >= 0) {
			return false
		}
		v[n] = x
	}
	i = skipSpaces(text, i)
	if i < len(text) && text[i] == '.' {
		i = skipSpaces(text, i+1)
	}
	if i != len(text) || v[0] > 0xf {
		return false
	}
	*st = Status{Opcode: -1, Form: FormTriple, Validity: SenseValid,
		Key: uint8(v[0]), ASC: uint8(v[1]), ASCQ: uint8(v[2])}
	return true
}
