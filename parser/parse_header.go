package parser

import "time"

// ParseHeader parses the header of one log line (without its trailing newline)
// into h and reports whether the line matched a known grammar. ref is the time
// the bundle was collected; it supplies the year of syslog-style stamps that
// have none ("Mar  1 08:53:36"), which then sets TimeInferred. With a zero ref
// the year is unknown: HasTime stays false and Time holds month, day and clock
// in year 0.
//
// ParseHeader does not allocate; every byte slice in h is a view into line.
// A line that starts like a known grammar but breaks it returns false, so the
// caller can count it (see Unparsed).
func ParseHeader(line []byte, ref time.Time, h *Header) bool {
	*h = Header{CPU: -1, World: -1, PID: -1, PRI: -1}
	line = trimEOL(line)
	if len(line) == 0 {
		return false
	}
	return parseLine(line, ref, h, 0)
}

func parseLine(b []byte, ref time.Time, h *Header, depth int) bool {
	c := b[0]
	switch {
	case c == '<' && depth == 0:
		return parseForwarded(b, ref, h)
	case c == '-' && hasPrefix(b, "-->"):
		h.Grammar = GrammarContinuation
		h.Continuation = true
		body := b[3:]
		if len(body) > 0 && body[0] == ' ' {
			body = body[1:]
		}
		h.Body = body
		return true
	case c == ' ' || c == '\t':
		h.Grammar = GrammarContinuation
		h.Continuation = true
		h.Body = b[skipSpaces(b, 0):]
		return true
	case c == '[':
		return parseHostdPre5(b, h)
	case isDigit(c):
		if len(b) >= 10 && b[4] == '-' && b[7] == '-' {
			return parseISOLine(b, ref, h)
		}
		return parseUptimeLine(b, h)
	case isAlpha(c):
		if i := syslogDateLen(b); i > 0 {
			return parseSyslog(b, i, ref, h)
		}
		if hasPrefix(b, "vmkernel: ") && len(b) > 10 && isDigit(b[10]) {
			h.Proc = b[:8]
			if parseUptimeLine(b[10:], h) {
				return true
			}
			*h = Header{CPU: -1, World: -1, PID: -1, PRI: -1}
			return false
		}
		return parseVmkBare(b, h)
	}
	return false
}

// ---- timestamps ----

// parseISO reads "YYYY-MM-DDTHH:MM:SS[.frac][Z|±hh:mm|±hhmm]" at b[0:].
func parseISO(b []byte) (t time.Time, n int, ok bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return t, 0, false
	}
	y, ok1 := digitsN(b, 0, 4)
	mo, ok2 := digitsN(b, 5, 2)
	d, ok3 := digitsN(b, 8, 2)
	hh, ok4 := digitsN(b, 11, 2)
	mm, ok5 := digitsN(b, 14, 2)
	ss, ok6 := digitsN(b, 17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 {
		return t, 0, false
	}
	i := 19
	ns := 0
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		i++
		scale := 100000000
		start := i
		for i < len(b) && isDigit(b[i]) {
			if scale > 0 {
				ns += int(b[i]-'0') * scale
				scale /= 10
			}
			i++
		}
		if i == start {
			return t, 0, false
		}
	}
	off := 0
	if i < len(b) {
		switch b[i] {
		case 'Z':
			i++
		case '+', '-':
			sign := 1
			if b[i] == '-' {
				sign = -1
			}
			oh, okh := digitsN(b, i+1, 2)
			if !okh {
				break
			}
			j := i + 3
			if j < len(b) && b[j] == ':' {
				j++
			}
			om, okm := digitsN(b, j, 2)
			if !okm {
				break
			}
			off = sign * (oh*3600 + om*60)
			i = j + 2
		}
	}
	t = time.Date(y, time.Month(mo), d, hh, mm, ss, ns, time.UTC)
	if off != 0 {
		t = t.Add(-time.Duration(off) * time.Second)
	}
	return t, i, true
}

var monthTab = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func monthOf(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	for i, m := range monthTab {
		if b[0] == m[0] && b[1] == m[1] && b[2] == m[2] {
			return i + 1
		}
	}
	return 0
}

// syslogDateLen returns the length of "Mon dd HH:MM:SS " (day may be space
// padded or one digit) at b[0:], or 0.
func syslogDateLen(b []byte) int {
	if monthOf(b) == 0 || len(b) < 15 || b[3] != ' ' {
		return 0
	}
	i := 4
	if b[i] == ' ' {
		i++
	}
	_, n := atoi(b, i)
	if n < 1 || n > 2 {
		return 0
	}
	i += n
	if i >= len(b) || b[i] != ' ' {
		return 0
	}
	i++
	if i+8 > len(b) || b[i+2] != ':' || b[i+5] != ':' {
		return 0
	}
	i += 8
	if i < len(b) && b[i] != ' ' {
		return 0
	}
	if i < len(b) {
		i++
	}
	return i
}

func syslogTime(b []byte, ref time.Time, h *Header) bool {
	mo := monthOf(b)
	i := 4
	if b[i] == ' ' {
		i++
	}
	d, n := atoi(b, i)
	i += n + 1
	hh, ok1 := digitsN(b, i, 2)
	mm, ok2 := digitsN(b, i+3, 2)
	ss, ok3 := digitsN(b, i+6, 2)
	if !(ok1 && ok2 && ok3) || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 {
		return false
	}
	if ref.IsZero() {
		h.Time = time.Date(0, time.Month(mo), d, hh, mm, ss, 0, time.UTC)
		return true
	}
	ref = ref.UTC()
	y := ref.Year()
	t := time.Date(y, time.Month(mo), d, hh, mm, ss, 0, time.UTC)
	// A stamp more than two days after collection belongs to the previous
	// year (a bundle collected in January holding December lines).
	if t.After(ref.Add(48 * time.Hour)) {
		t = time.Date(y-1, time.Month(mo), d, hh, mm, ss, 0, time.UTC)
	}
	h.Time, h.HasTime, h.TimeInferred = t, true, true
	return true
}

// parseUptime reads "D:HH:MM:SS.mmm" or "HH:MM:SS.mmm" at b[0:].
func parseUptime(b []byte) (time.Duration, int, bool) {
	var parts [4]int
	np := 0
	i := 0
	for np < 4 {
		v, n := atoi(b, i)
		if n == 0 || (np > 0 && n != 2) {
			return 0, 0, false
		}
		parts[np] = v
		np++
		i += n
		if i < len(b) && b[i] == ':' {
			i++
			continue
		}
		break
	}
	if np < 3 || i >= len(b) || b[i] != '.' {
		return 0, 0, false
	}
	ms, n := atoi(b, i+1)
	if n != 3 {
		return 0, 0, false
	}
	i += 1 + n
	var days, hh, mm, ss int
	if np == 4 {
		days, hh, mm, ss = parts[0], parts[1], parts[2], parts[3]
	} else {
		hh, mm, ss = parts[0], parts[1], parts[2]
	}
	if hh > 23 || mm > 59 || ss > 60 {
		return 0, 0, false
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(hh)*time.Hour +
		time.Duration(mm)*time.Minute + time.Duration(ss)*time.Second + time.Duration(ms)*time.Millisecond
	return d, i, true
}

// ---- vmkernel pieces ----

// parseCPU reads "cpuN:W[ opID=x])" at b[0:]; n is the length consumed.
func parseCPU(b []byte, h *Header) (n int, ok bool) {
	if !hasPrefix(b, "cpu") {
		return 0, false
	}
	cpu, n1 := atoi(b, 3)
	if n1 == 0 || 3+n1 >= len(b) || b[3+n1] != ':' {
		return 0, false
	}
	i := 4 + n1
	w, n2 := atoi(b, i)
	if n2 == 0 {
		return 0, false
	}
	i += n2
	if i < len(b) && b[i] == ' ' {
		j := i + 1
		if hasPrefix(b[j:], "opID=") {
			e := indexByte(b, ')', j)
			if e < 0 {
				return 0, false
			}
			h.OpID = b[j+5 : e]
			i = e
		}
	}
	if i >= len(b) || b[i] != ')' {
		return 0, false
	}
	h.CPU, h.World = cpu, w
	return i + 1, true
}

// vmkBody fills Level, Component and Body from the text after "cpuN:W)".
// Body keeps the component ("ScsiDeviceIO: 1672: ..."); Level drops the
// "WARNING: " / "ALERT: " prefix.
func vmkBody(b []byte, h *Header) {
	for _, lv := range [...]string{"WARNING: ", "ALERT: "} {
		if hasPrefix(b, lv) {
			h.Level = b[:len(lv)-2]
			b = b[len(lv):]
			break
		}
	}
	h.Body = b
	for i := 0; i < len(b) && i < 64; i++ {
		c := b[i]
		if c == ':' {
			if i > 0 && i+1 < len(b) && b[i+1] == ' ' {
				h.Component = b[:i]
			}
			return
		}
		if !(isAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '<' || c == '>') {
			return
		}
	}
}

// parseUptimeLine: KB-quoted "[D:]HH:MM:SS.mmm cpuN:W)body".
func parseUptimeLine(b []byte, h *Header) bool {
	up, n, ok := parseUptime(b)
	if !ok || n >= len(b) || b[n] != ' ' {
		return false
	}
	m, ok := parseCPU(b[n+1:], h)
	if !ok {
		return false
	}
	h.Uptime, h.HasUptime = up, true
	h.Grammar = GrammarVmkUptime
	vmkBody(b[n+1+m:], h)
	return true
}

// parseVmkBare: ESX 3.5 KB lines "WARNING: SCSI: 5663: ..." or
// "StorageMonitor: 196: ..." (a component followed by a source line number).
func parseVmkBare(b []byte, h *Header) bool {
	vmkBody(b, h)
	if h.Component == nil {
		*h = Header{CPU: -1, World: -1, PID: -1, PRI: -1}
		return false
	}
	// Require "Comp: NNN" or a level prefix to keep arbitrary "Word: text" out.
	rest := h.Body[len(h.Component)+2:]
	if _, n := atoi(rest, 0); n == 0 || h.Level == nil && (n >= len(rest) || rest[n] != ':') {
		if h.Level == nil {
			*h = Header{CPU: -1, World: -1, PID: -1, PRI: -1}
			return false
		}
	}
	h.Grammar = GrammarVmkBare
	return true
}

// ---- ISO-stamped lines ----

func parseISOLine(b []byte, ref time.Time, h *Header) bool {
	if len(b) > 11 && b[10] == ' ' && !(len(b) > 13 && b[13] == ':') {
		return parseDateOnly(b, ref, h)
	}
	t, n, ok := parseISO(b)
	if !ok {
		return false
	}
	h.Time, h.HasTime = t, true
	if n >= len(b) {
		h.Grammar = GrammarISO
		return true
	}
	if b[n] == ':' && n+1 < len(b) && b[n+1] == ' ' {
		// vobd 5.x-7.x
		if parseVobdRest(b[n+2:], h) {
			h.Grammar = GrammarVobd
			h.Proc = nil
			return true
		}
		h.Grammar = GrammarISO
		h.Body = b[n+2:]
		return true
	}
	if b[n] != ' ' {
		return false
	}
	r := b[n+1:]
	if len(r) == 0 {
		h.Grammar = GrammarISO
		return true
	}
	switch {
	case hasPrefix(r, "cpu") && len(r) > 3 && isDigit(r[3]):
		m, ok := parseCPU(r, h)
		if !ok {
			return false
		}
		h.Grammar = GrammarVmk5
		vmkBody(r[m:], h)
		return true
	case len(r) > 3 && isUpper(r[0]) && isLower(r[1]) && r[2] == '(' && isDigit(r[3]):
		return parseESXi8(r, h)
	case r[0] == '[':
		// 5.x hostd/vpxa "[TID level 'comp' ...] body"
		end, ok := parseHostdBracket(r, 1, h)
		if !ok {
			return false
		}
		h.Grammar = GrammarHostd5
		h.Body = bodyAfter(r, end)
		return true
	}
	if isLower(r[0]) {
		if ok, matched := parseOriginatorLine(r, h); matched {
			return ok
		}
	}
	if isUpper(r[0]) && isUpper(r[1%len(r)]) {
		if ok, matched := parseVpxdQuoted(r, h); matched {
			return ok
		}
	}
	// "host tag: rest" or "tag: rest" forwarded by syslog without PRI.
	if parseTagged(r, h) {
		h.Grammar = GrammarISO
		return true
	}
	h.Grammar = GrammarISO
	h.Body = r
	return true
}

// parseDateOnly: ESXi 8 early lines "YYYY-MM-DD Sev(PRI) proc[pid]: HH:MM:SS.mmm body".
func parseDateOnly(b []byte, ref time.Time, h *Header) bool {
	y, ok1 := digitsN(b, 0, 4)
	mo, ok2 := digitsN(b, 5, 2)
	d, ok3 := digitsN(b, 8, 2)
	if !(ok1 && ok2 && ok3) || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return false
	}
	r := b[11:]
	if !(len(r) > 3 && isUpper(r[0]) && isLower(r[1]) && r[2] == '(') {
		return false
	}
	if !parseESXi8(r, h) {
		return false
	}
	// The clock is at the start of the body.
	body := h.Body
	hh, okh := digitsN(body, 0, 2)
	mm, okm := digitsN(body, 3, 2)
	ss, oks := digitsN(body, 6, 2)
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if okh && okm && oks && len(body) >= 8 && body[2] == ':' && body[5] == ':' {
		i := 8
		ns := 0
		if i < len(body) && body[i] == '.' {
			i++
			scale := 100000000
			for i < len(body) && isDigit(body[i]) {
				ns += int(body[i]-'0') * scale
				scale /= 10
				i++
			}
		}
		t = time.Date(y, time.Month(mo), d, hh, mm, ss, ns, time.UTC)
		h.Body = body[skipSpaces(body, i):]
	} else {
		h.TimeInferred = true // date only: clock unknown, midnight assumed
	}
	h.Time, h.HasTime = t, true
	return true
}

// parseESXi8 parses "Sev(PRI)[[+]|+] proc[pid]: body" at r.
func parseESXi8(r []byte, h *Header) bool {
	h.Level = r[:2]
	pri, n := atoi(r, 3)
	if n == 0 || 3+n >= len(r) || r[3+n] != ')' {
		return false
	}
	h.PRI = pri
	i := 4 + n
	if hasPrefix(r[i:], "[+]") {
		h.Continuation = true
		i += 3
	} else if i < len(r) && r[i] == '+' {
		h.Continuation = true
		i++
	}
	if i >= len(r) || r[i] != ' ' {
		return false
	}
	i++
	// proc up to '[' or ':'
	ps := i
	for i < len(r) && r[i] != '[' && r[i] != ':' && r[i] != ' ' {
		i++
	}
	if i == ps || i >= len(r) {
		return false
	}
	h.Proc = r[ps:i]
	if r[i] == '[' {
		pid, m := atoi(r, i+1)
		if m == 0 || i+1+m >= len(r) || r[i+1+m] != ']' {
			return false
		}
		h.PID = pid
		i += m + 2
	}
	if i >= len(r) || r[i] != ':' {
		return false
	}
	i++
	h.Grammar = GrammarESXi8
	body := r[i:]
	if len(body) > 0 && body[0] == ' ' {
		body = body[1:]
	}
	procBody(body, h)
	return true
}

// procBody interprets the message of a tagged line (ESXi 8, forwarded syslog)
// according to the process that wrote it.
func procBody(body []byte, h *Header) {
	p := h.Proc
	switch {
	case equalFold(p, "vmkernel") || equalFold(p, "vmkwarning"):
		if hasPrefix(body, "cpu") {
			if m, ok := parseCPU(body, h); ok {
				lv := h.Level
				vmkBody(body[m:], h)
				if h.Level == nil {
					h.Level = lv
				}
				return
			}
		}
		lv := h.Level
		vmkBody(body, h)
		if h.Level == nil {
			h.Level = lv
		}
		return
	case equalFold(p, "vobd"):
		b := body
		if len(b) > 0 && b[0] == ' ' {
			b = b[1:] // 8.x writes two spaces after "vobd[pid]:"
		}
		if parseVobdRest(b, h) {
			return
		}
		h.Body = b
		return
	}
	h.Body = body
	// "[Originator@6876 ...] body" or "info -[tid] [Originator@6876 ...] body"
	// or "debug [Comp opId=...] body".
	i := 0
	if len(body) > 0 && isLower(body[0]) {
		e := tokenEnd(body, 0)
		if isLevelWord(body[:e]) && e+1 < len(body) {
			h.Level = body[:e]
			i = e + 1
			if body[i] != '[' {
				// "-[tid] " or "proc[tid] "
				te := tokenEnd(body, i)
				if te > i && body[te-1] == ']' && indexByte(body[i:te], '[', 0) >= 0 {
					i = skipSpaces(body, te)
				}
			}
		}
	}
	if i < len(body) && body[i] == '[' {
		if end, ok := parseKVBracket(body, i, h); ok {
			h.Body = bodyAfter(body, end)
			return
		}
	}
	if i > 0 {
		h.Body = body[i:]
	}
}

func isLevelWord(b []byte) bool {
	switch string(b) {
	case "verbose", "info", "warning", "error", "trivia", "debug", "panic", "critical", "notice":
		return true
	}
	return false
}

// bodyAfter returns b after index end (the closing ']') and one space.
func bodyAfter(b []byte, end int) []byte {
	i := end + 1
	if i < len(b) && b[i] == ' ' {
		i++
	}
	if i > len(b) {
		i = len(b)
	}
	return b[i:]
}

// parseKVBracket parses "[Originator@NNNN sub=... opID=...]" or
// "[Comp opId=...]" starting at b[i]=='['. It returns the index of ']'.
func parseKVBracket(b []byte, i int, h *Header) (int, bool) {
	j := i + 1
	first := j
	// first token: "Originator@6876" or a component
	for j < len(b) && b[j] != ' ' && b[j] != ']' {
		j++
	}
	if j >= len(b) {
		return 0, false
	}
	if !hasPrefix(b[first:], "Originator@") {
		h.Component = b[first:j]
	}
	for j < len(b) && b[j] == ' ' {
		k := j + 1
		// key
		ks := k
		for k < len(b) && (isAlpha(b[k]) || isDigit(b[k]) || b[k] == '_') {
			k++
		}
		if k >= len(b) || b[k] != '=' || k == ks {
			return 0, false
		}
		key := b[ks:k]
		k++
		var val []byte
		if k < len(b) && b[k] == '"' {
			e := indexByte(b, '"', k+1)
			if e < 0 {
				return 0, false
			}
			val = b[k+1 : e]
			k = e + 1
		} else {
			// value runs to ']' or to the next " key=".
			vs := k
			for k < len(b) && b[k] != ']' {
				if b[k] == ' ' && nextIsKey(b, k+1) {
					break
				}
				k++
			}
			val = b[vs:k]
		}
		switch {
		case equalFold(key, "sub"):
			h.Component = val
		case equalFold(key, "opid"):
			h.OpID = val
		}
		j = k
	}
	if j >= len(b) || b[j] != ']' {
		return 0, false
	}
	return j, true
}

func nextIsKey(b []byte, k int) bool {
	s := k
	for k < len(b) && (isAlpha(b[k]) || isDigit(b[k]) || b[k] == '_') {
		k++
	}
	return k > s && k < len(b) && b[k] == '='
}

// parseHostdBracket parses "TID level 'comp'[ opID=x][ user=y]]" starting at
// b[i] (just after '['); returns the index of the closing ']'.
func parseHostdBracket(b []byte, i int, h *Header) (int, bool) {
	te := tokenEnd(b, i)
	if te == i || te >= len(b) {
		return 0, false
	}
	for k := i; k < te; k++ {
		if !isHex(b[k]) {
			return 0, false
		}
	}
	ls := te + 1
	le := tokenEnd(b, ls)
	if le == ls || le >= len(b) || !isLevelWord(b[ls:le]) {
		return 0, false
	}
	h.Level = b[ls:le]
	j := le + 1
	if j >= len(b) || b[j] != '\'' {
		return 0, false
	}
	// component ends at a quote followed by ' ' or ']'
	k := j + 1
	for k < len(b) && !(b[k] == '\'' && (k+1 == len(b) || b[k+1] == ' ' || b[k+1] == ']')) {
		k++
	}
	if k >= len(b) {
		return 0, false
	}
	h.Component = b[j+1 : k]
	k++
	for k < len(b) && b[k] == ' ' {
		ks := k + 1
		e := ks
		for e < len(b) && b[e] != ' ' && b[e] != ']' {
			e++
		}
		if hasPrefix(b[ks:], "opID=") {
			h.OpID = b[ks+5 : e]
		}
		k = e
	}
	if k >= len(b) || b[k] != ']' {
		return 0, false
	}
	return k, true
}

// parseHostdPre5: "[YYYY-MM-DD HH:MM:SS.mmm TID level 'comp'...] body".
func parseHostdPre5(b []byte, h *Header) bool {
	t, n, ok := parseISO(b[1:])
	if !ok || 1+n >= len(b) || b[1+n] != ' ' {
		return false
	}
	end, ok := parseHostdBracket(b, 2+n, h)
	if !ok {
		return false
	}
	h.Time, h.HasTime = t, true
	h.Grammar = GrammarHostdPre5
	h.Body = bodyAfter(b, end)
	return true
}

// parseOriginatorLine: "level proc[tid] [Originator@6876 ...] body".
// matched reports whether the line started like this grammar.
func parseOriginatorLine(r []byte, h *Header) (ok, matched bool) {
	e := tokenEnd(r, 0)
	if !isLevelWord(r[:e]) || e+1 >= len(r) {
		return false, false
	}
	ps := e + 1
	pe := tokenEnd(r, ps)
	br := indexByte(r[:pe], '[', ps)
	if br < 0 || pe >= len(r) || r[pe-1] != ']' || !hasPrefix(r[pe+1:], "[Originator@") {
		return false, false
	}
	h.Level = r[:e]
	h.Proc = r[ps:br]
	if pid, n := atoi(r, br+1); n > 0 && br+1+n == pe-1 {
		h.PID = pid
	}
	end, ok := parseKVBracket(r, pe+1, h)
	if !ok {
		return false, true
	}
	h.Grammar = GrammarOriginator
	h.Body = bodyAfter(r, end)
	return true, true
}

// parseVpxdQuoted: "LEVEL proc pid [Originator@4413 sub="..." opID="..."] body".
func parseVpxdQuoted(r []byte, h *Header) (ok, matched bool) {
	e := tokenEnd(r, 0)
	if e >= len(r) {
		return false, false
	}
	lv := r[:e]
	switch string(lv) {
	case "INFO", "WARNING", "WARN", "ERROR", "DEBUG", "VERBOSE", "TRIVIA", "CRITICAL":
	default:
		return false, false
	}
	ps := e + 1
	pe := tokenEnd(r, ps)
	if pe >= len(r) {
		return false, false
	}
	ds := pe + 1
	pid, n := atoi(r, ds)
	if n == 0 || ds+n >= len(r) || r[ds+n] != ' ' || !hasPrefix(r[ds+n+1:], "[Originator@") {
		return false, false
	}
	h.Level, h.Proc, h.PID = lv, r[ps:pe], pid
	end, ok := parseKVBracket(r, ds+n+1, h)
	if !ok {
		return false, true
	}
	h.Grammar = GrammarVpxdQuoted
	h.Body = bodyAfter(r, end)
	return true, true
}

// parseVobdRest: "[Correlator] NNNus: [id] msg" -> Component, Uptime, Body ("[id] msg").
func parseVobdRest(b []byte, h *Header) bool {
	if len(b) == 0 || b[0] != '[' {
		return false
	}
	e := indexByte(b, ']', 1)
	if e < 0 || e+1 >= len(b) || b[e+1] != ' ' {
		return false
	}
	us, n := atoi(b, e+2)
	if n == 0 || !hasPrefix(b[e+2+n:], "us: ") {
		return false
	}
	h.Component = b[1:e]
	h.Uptime, h.HasUptime = time.Duration(us)*time.Microsecond, true
	h.Body = b[e+2+n+4:]
	if h.Proc == nil {
		h.Grammar = GrammarVobd
	}
	return true
}

// parseTagged reads "[host ]tag[pid]: rest" at r; on success it fills Host,
// Proc, PID and interprets rest with procBody.
func parseTagged(r []byte, h *Header) bool { return parseTaggedX(r, h, true) }

// parseTaggedX is parseTagged; with interpret false the body is left raw.
func parseTaggedX(r []byte, h *Header, interpret bool) bool {
	e := 0
	for e < len(r) && r[e] != ' ' && r[e] != ':' && r[e] != '[' {
		e++
	}
	if e == 0 || e >= len(r) {
		return false
	}
	var host []byte
	if r[e] == ' ' {
		host = r[:e]
		s := e + 1
		e = s
		for e < len(r) && r[e] != ' ' && r[e] != ':' && r[e] != '[' {
			e++
		}
		if e == s || e >= len(r) || r[e] == ' ' {
			return false
		}
		r2 := r[s:]
		return finishTag(r2, e-s, host, h, interpret)
	}
	return finishTag(r, e, nil, h, interpret)
}

func finishTag(r []byte, e int, host []byte, h *Header, interpret bool) bool {
	proc := r[:e]
	pid := -1
	if r[e] == '[' {
		v, n := atoi(r, e+1)
		if n == 0 || e+1+n >= len(r) || r[e+1+n] != ']' {
			return false
		}
		pid = v
		e += n + 2
	}
	if e >= len(r) || r[e] != ':' || (e+1 < len(r) && r[e+1] != ' ') {
		return false
	}
	h.Host, h.Proc, h.PID = host, proc, pid
	body := r[e+1:]
	if len(body) > 0 && body[0] == ' ' {
		body = body[1:]
	}
	if interpret {
		procBody(body, h)
	} else {
		h.Body = body
	}
	return true
}

// ---- ESX 3.5 / 4.x syslog ----

func parseSyslog(b []byte, n int, ref time.Time, h *Header) bool {
	if !syslogTime(b, ref, h) {
		return false
	}
	h.Grammar = GrammarSyslog
	r := b[n:]
	if len(r) == 0 {
		return true
	}
	if !parseTaggedX(r, h, false) {
		h.Body = r
		return true
	}
	// The tag may be absent ("esx_host: 17:19:52:55.580 cpu7:4182)...");
	// either way a vmkernel rest starts with the uptime.
	body := h.Body
	if len(body) > 0 && isDigit(body[0]) {
		var tmp Header
		tmp = Header{CPU: -1, World: -1, PID: -1, PRI: -1}
		if parseUptimeLine(body, &tmp) {
			if h.Host == nil && !equalFold(h.Proc, "vmkernel") && !equalFold(h.Proc, "vmkwarning") {
				// "esx_host: 17:19:52:55.580 cpu7:4182)..." - the tag is missing,
				// the token is the host name.
				h.Host, h.Proc = h.Proc, nil
			}
			h.CPU, h.World, h.OpID = tmp.CPU, tmp.World, tmp.OpID
			h.Uptime, h.HasUptime = tmp.Uptime, true
			h.Level, h.Component, h.Body = tmp.Level, tmp.Component, tmp.Body
			return true
		}
	}
	if equalFold(h.Proc, "Hostd") && len(body) > 0 && body[0] == '[' {
		if t, m, ok := parseISO(body[1:]); ok && 1+m < len(body) && body[1+m] == ' ' {
			end, ok := parseHostdBracket(body, 2+m, h)
			if !ok {
				return false
			}
			// The inner hostd stamp carries the year: it wins over the inferred one.
			h.Time, h.HasTime, h.TimeInferred = t, true, false
			h.Body = bodyAfter(body, end)
			return true
		}
		// backtrace "Hostd: [00] rip 17c6bbf3"
		if _, m := atoi(body, 1); m > 0 && 1+m < len(body) && body[1+m] == ']' {
			h.Continuation = true
			return true
		}
	}
	procBody(body, h)
	return true
}

// ---- forwarded (RFC 5424 / RFC 3164 with PRI) ----

func parseForwarded(b []byte, ref time.Time, h *Header) bool {
	pri, n := atoi(b, 1)
	if n == 0 || n > 3 || 1+n >= len(b) || b[1+n] != '>' {
		return false
	}
	r := b[2+n:]
	if !(len(r) > 2 && r[0] == '1' && r[1] == ' ') {
		// RFC 3164: "<PRI>Mon dd hh:mm:ss host tag: msg" or another grammar.
		if len(r) == 0 || !parseLine(r, ref, h, 1) {
			return false
		}
		h.PRI = pri
		return true
	}
	r = r[2:]
	t, m, ok := parseISO(r)
	if !ok {
		if !hasPrefix(r, "- ") {
			return false
		}
		m = 1
	} else {
		h.Time, h.HasTime = t, true
	}
	var f [4][]byte // host app procid msgid
	i := m
	for k := 0; k < 4; k++ {
		if i >= len(r) || r[i] != ' ' {
			return false
		}
		i++
		e := tokenEnd(r, i)
		f[k] = r[i:e]
		i = e
	}
	if i >= len(r) || r[i] != ' ' {
		return false
	}
	i++
	// structured data: "-" or one or more "[...]"
	if i < len(r) && r[i] == '-' {
		i++
	} else {
		for i < len(r) && r[i] == '[' {
			for i < len(r) && r[i] != ']' {
				if r[i] == '\\' {
					i++
				}
				i++
			}
			i++
		}
	}
	var msg []byte
	if i < len(r) {
		msg = r[i:]
		msg = msg[skipSpaces(msg, 0):]
	}
	tm, has := h.Time, h.HasTime
	if len(msg) > 0 && parseLine(msg, ref, h, 1) && h.Grammar != GrammarContinuation && h.Grammar != GrammarVmkBare {
		if !h.HasTime {
			h.Time, h.HasTime = tm, has
		}
	} else {
		*h = Header{CPU: -1, World: -1, PID: -1, PRI: -1, Time: tm, HasTime: has}
		h.Grammar = GrammarRFC5424
		h.Body = msg
		if hasPrefix(msg, "cpu") {
			if k, ok := parseCPU(msg, h); ok {
				vmkBody(msg[k:], h)
			}
		}
	}
	h.PRI = pri
	if h.Host == nil && !isNil(f[0]) {
		h.Host = f[0]
	}
	if h.Proc == nil && !isNil(f[1]) {
		h.Proc = f[1]
	}
	if h.PID < 0 && !isNil(f[2]) {
		if v, k := atoi(f[2], 0); k == len(f[2]) {
			h.PID = v
		}
	}
	return true
}

func isNil(b []byte) bool { return len(b) == 0 || (len(b) == 1 && b[0] == '-') }
