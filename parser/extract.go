package parser

// ---- vdf -h and visorfs ramdisk list ----

// ParseVdfRow parses one row of the `vdf -h` ramdisk table
//
//	hostdstats 166M 166M 0B 100% --        (Name Size Used Available Use% Mounted on)
//
// (header and row seen on ESXi 4.1, formats.md §1.2 [V]) or one row of
// `localcli system visorfs ramdisk list` (ESXi 5.x+). The visorfs column
// layout is inferred, not verified (formats.md §1.2): name, two booleans
// (System, Include in Coredumps), Reserved, Maximum, Used, Peak Used as sizes
// with an optional unit word ("32768 KiB"), Free and Reserved Free as
// percentages ("91 %") or sizes, inode counts, then the mount point. Size is
// the Maximum, Free is Maximum-Used. Header, separator and other lines
// return false. Sizes accept K/M/G/T/B suffixes (powers of 1024) and
// KiB/MiB/GiB/KB/MB/GB unit words. It does not allocate.
func ParseVdfRow(line []byte, row *RamdiskRow) bool {
	*row = RamdiskRow{}
	var tok [24][2]int
	n := 0
	for i := 0; i < len(line) && n < len(tok); {
		i = skipSpaces(line, i)
		if i >= len(line) || line[i] == '\r' || line[i] == '\n' {
			break
		}
		e := i
		for e < len(line) && line[e] != ' ' && line[e] != '\t' && line[e] != '\r' && line[e] != '\n' {
			e++
		}
		tok[n] = [2]int{i, e}
		n++
		i = e
	}
	t := func(k int) []byte { return line[tok[k][0]:tok[k][1]] }
	if n == 6 {
		pct := t(4)
		if len(pct) < 2 || pct[len(pct)-1] != '%' {
			return false
		}
		p, k := atoi(pct, 0)
		if k != len(pct)-1 {
			return false
		}
		size, ok1 := parseSize(t(1), nil)
		used, ok2 := parseSize(t(2), nil)
		free, ok3 := parseSize(t(3), nil)
		if !(ok1 && ok2 && ok3) {
			return false
		}
		row.Name, row.Size, row.Used, row.Free, row.UsePct = t(0), size, used, free, p
		if m := t(5); !(len(m) == 2 && m[0] == '-' && m[1] == '-') {
			row.Mount = m
		}
		return true
	}
	// visorfs ramdisk list
	if n < 8 || !isBool(t(1)) || !isBool(t(2)) {
		return false
	}
	k := 3
	var sizes [4]int64
	for s := 0; s < 4; s++ {
		if k >= n {
			return false
		}
		var unit []byte
		if k+1 < n && isUnitWord(t(k+1)) {
			unit = t(k + 1)
		}
		v, ok := parseSize(t(k), unit)
		if !ok {
			return false
		}
		sizes[s] = v
		k++
		if unit != nil {
			k++
		}
	}
	row.Name = t(0)
	row.Size, row.Used = sizes[1], sizes[2]
	if row.Size > row.Used {
		row.Free = row.Size - row.Used
	}
	row.UsePct = -1
	if k < n {
		f := t(k)
		pctTok := len(f) > 1 && f[len(f)-1] == '%'
		if pctTok {
			f = f[:len(f)-1]
		}
		if v, m := atoi(f, 0); m == len(f) && m > 0 && (pctTok || k+1 < n && string(t(k+1)) == "%") && v <= 100 {
			row.UsePct = 100 - v
		}
	}
	if row.UsePct < 0 && row.Size > 0 {
		row.UsePct = int(row.Used * 100 / row.Size)
	}
	// mount point: last token if it is a path
	if last := t(n - 1); len(last) > 0 && last[0] == '/' {
		row.Mount = last
	}
	return true
}

func isBool(b []byte) bool { return string(b) == "true" || string(b) == "false" }

func isUnitWord(b []byte) bool {
	switch string(b) {
	case "B", "KiB", "MiB", "GiB", "TiB", "KB", "MB", "GB", "TB", "K", "M", "G", "T", "k", "kB":
		return true
	}
	return false
}

// parseSize reads "166M", "0B", "60K", "1.5G", "32768" (bytes) with an
// optional separate unit word.
func parseSize(b, unit []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var whole, frac, fracDiv int64 = 0, 0, 1
	i := 0
	for i < len(b) && isDigit(b[i]) && i < 15 {
		whole = whole*10 + int64(b[i]-'0')
		i++
	}
	if i == 0 {
		return 0, false
	}
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		i++
		for i < len(b) && isDigit(b[i]) && fracDiv < 1e6 {
			frac = frac*10 + int64(b[i]-'0')
			fracDiv *= 10
			i++
		}
	}
	suf := b[i:]
	if len(suf) == 0 {
		suf = unit
	} else if unit != nil {
		return 0, false
	}
	var mul int64 = 1
	if len(suf) > 0 {
		switch lower(suf[0]) {
		case 'b':
			mul = 1
		case 'k':
			mul = 1 << 10
		case 'm':
			mul = 1 << 20
		case 'g':
			mul = 1 << 30
		case 't':
			mul = 1 << 40
		default:
			return 0, false
		}
		rest := suf[1:]
		if !(len(rest) == 0 || string(rest) == "iB" || string(rest) == "B" || (lower(suf[0]) == 'b' && len(rest) == 0)) {
			return 0, false
		}
	}
	return whole*mul + frac*mul/fracDiv, true
}

// ---- esx.conf lock contention ----

// ParseEsxConfLock recognises esx.conf lock contention in both known texts
// (CASE.md case 1; the 5.0 form as quoted from the "VMware ESXi 5.0 Update 1
// Release Notes", cited by title: kb.md marks the write-up's KB number
// unverified):
//
//	... Failed attempting to lock file. ... The process holding the lock is hostd (1363758). ...
//	... Timeout while waiting for lock, /etc/vmware/esx.conf.LOCK, to be released. ...
//	    The process currently holding the lock is hostd-worker(5055). ...
//
// Holder and PID are filled when the message names them (PID -1 otherwise).
func ParseEsxConfLock(line []byte, l *EsxConfLock) bool {
	*l = EsxConfLock{PID: -1}
	if index(line, "esx.conf", 0) < 0 {
		return false
	}
	i := index(line, "holding the lock is ", 0)
	if i < 0 {
		return index(line, "Failed attempting to lock", 0) >= 0 || index(line, "Timeout while waiting for lock", 0) >= 0
	}
	s := i + len("holding the lock is ")
	e := s
	for e < len(line) && (isAlpha(line[e]) || isDigit(line[e]) || line[e] == '-' || line[e] == '_' || line[e] == '.') {
		e++
	}
	if e == s {
		return true
	}
	l.Holder = line[s:e]
	p := e
	if p < len(line) && line[p] == ' ' {
		p++
	}
	if p < len(line) && line[p] == '(' {
		if v, n := atoi(line, p+1); n > 0 && p+1+n < len(line) && line[p+1+n] == ')' {
			l.PID = v
		}
	}
	return true
}

// ---- vim.fault.MethodDisabled ----

// ParseMethodDisabled recognises a disabled API method: the fault text
// "The method is disabled by '<who>'" (seen as "govc: ServerFaultCode: The
// method is disabled by 'VIC'", vmware/vic tests) and the fault name
// vim.fault.MethodDisabled (expected in vpxd "[VpxLRO] -- ERROR task-N --
// <moref> -- <method>: vim.fault.MethodDisabled", inferred, formats.md §3).
// Who, Method and VM are filled when present.
func ParseMethodDisabled(line []byte, m *MethodDisabled) bool {
	*m = MethodDisabled{}
	i := index(line, "method is disabled by ", 0)
	f := index(line, "vim.fault.MethodDisabled", 0)
	if i < 0 && f < 0 {
		return false
	}
	if i >= 0 {
		m.Who = quoted(line, i+len("method is disabled by "))
	}
	if m.Who == nil {
		if j := index(line, "source = ", 0); j >= 0 {
			m.Who = quoted(line, j+9)
		}
	}
	// Method: "<method>: vim.fault.MethodDisabled" or RelocateVM_Task named anywhere.
	if f >= 2 && line[f-2] == ':' && line[f-1] == ' ' {
		e := f - 2
		s := e
		for s > 0 && line[s-1] != ' ' {
			s--
		}
		if s < e {
			m.Method = line[s:e]
		}
	}
	if m.Method == nil {
		if j := index(line, "RelocateVM_Task", 0); j >= 0 {
			m.Method = line[j : j+len("RelocateVM_Task")]
		} else if j := index(line, "method='", 0); j >= 0 {
			m.Method = quoted(line, j+7)
		}
	}
	// VM: "vim.VirtualMachine:vm-45", or the moref field of a VpxLRO line.
	if j := index(line, "vim.VirtualMachine:", 0); j >= 0 {
		s := j + len("vim.VirtualMachine:")
		e := s
		for e < len(line) && (isAlpha(line[e]) || isDigit(line[e]) || line[e] == '-' || line[e] == '_') {
			e++
		}
		if e > s {
			m.VM = line[s:e]
		}
	}
	if m.VM == nil {
		for from := 0; ; {
			j := index(line, " -- vm-", from)
			if j < 0 {
				break
			}
			s := j + 4
			e := s + 3
			for e < len(line) && isDigit(line[e]) {
				e++
			}
			if e > s+3 && (e == len(line) || line[e] == ' ') {
				m.VM = line[s:e]
				break
			}
			from = j + 4
		}
	}
	if m.VM == nil {
		if j := index(line, "VM '", 0); j >= 0 {
			m.VM = quoted(line, j+3)
		}
	}
	return true
}

// quoted returns the text inside the quote (' or ") at b[i], or nil.
func quoted(b []byte, i int) []byte {
	if i >= len(b) || (b[i] != '\'' && b[i] != '"') {
		return nil
	}
	e := indexByte(b, b[i], i+1)
	if e < 0 {
		return nil
	}
	return b[i+1 : e]
}

// ---- userworld core dumps ----

// ParseCoreDump recognises userworld core dump messages (formats.md §3, CASE.md):
//
//	UserDump: 1485: Dumping cartel 3476251 (from world 3476319) to file /var/core/hostd-worker-zdump.000 ...
//	User: 2888: wantCoreDump : hostd-worker -enabled : 1
//	UserDump: 1587: Userworld coredump complete.
//
// and any mention of a /var/core/<name>-zdump.N file. Process comes from the
// dump file name or the wantCoreDump line; PID is the cartel.
func ParseCoreDump(line []byte, c *CoreDump) bool {
	*c = CoreDump{PID: -1, World: -1}
	found := false
	if i := index(line, "Dumping cartel ", 0); i >= 0 {
		found = true
		if v, n := atoi(line, i+15); n > 0 {
			c.PID = v
		}
		if j := index(line, "(from world ", i); j >= 0 {
			if v, n := atoi(line, j+12); n > 0 {
				c.World = v
			}
		}
	}
	if i := index(line, "wantCoreDump", 0); i >= 0 {
		found = true
		j := i + len("wantCoreDump")
		j = skipSpaces(line, j)
		if j < len(line) && line[j] == ':' {
			j = skipSpaces(line, j+1)
			e := tokenEnd(line, j)
			if e > j {
				c.Process = line[j:e]
			}
		}
	}
	if i := index(line, "-zdump", 0); i >= 0 {
		s := i
		for s > 0 && line[s-1] != ' ' && line[s-1] != '\'' && line[s-1] != '"' {
			s--
		}
		e := i + 6
		for e < len(line) && (line[e] == '.' || isDigit(line[e])) {
			e++
		}
		for e > i+6 && line[e-1] == '.' {
			e--
		}
		c.File = line[s:e]
		base := s
		for k := s; k < i; k++ {
			if line[k] == '/' {
				base = k + 1
			}
		}
		if base < i {
			c.Process = line[base:i]
		}
		found = true
	}
	if !found && index(line, "coredump complete", 0) >= 0 {
		found = true
	}
	return found
}

// ---- vobd events ----

// ParseVob finds a vob event id ("[esx.problem.storage.apd.timeout]",
// "[vob.storage.apd.start]", esx.clear.*, esx.audit.*) and its message.
func ParseVob(line []byte, v *Vob) bool {
	*v = Vob{}
	for from := 0; ; {
		i := indexByte(line, '[', from)
		if i < 0 {
			break
		}
		from = i + 1
		r := line[i+1:]
		if !(hasPrefix(r, "esx.") || hasPrefix(r, "vob.")) {
			continue
		}
		e := indexByte(line, ']', i)
		if e < 0 {
			break
		}
		if !isVobID(line[i+1 : e]) {
			continue
		}
		v.ID = line[i+1 : e]
		v.Message = trimSpaceB(line[e+1:])
		return true
	}
	// bare id, e.g. "eventTypeId = esx.problem.scsi.device.state.permanentloss"
	for _, p := range [...]string{"esx.problem.", "esx.clear.", "esx.audit.", "vob."} {
		i := index(line, p, 0)
		if i < 0 || (i > 0 && (isAlpha(line[i-1]) || isDigit(line[i-1]) || line[i-1] == '.')) {
			continue
		}
		e := i
		for e < len(line) && (isAlpha(line[e]) || isDigit(line[e]) || line[e] == '.' || line[e] == '_') {
			e++
		}
		for e > i && line[e-1] == '.' {
			e--
		}
		if e-i <= len(p) || !isVobID(line[i:e]) {
			continue
		}
		v.ID = line[i:e]
		v.Message = trimSpaceB(line[e:])
		return true
	}
	return false
}

func isVobID(b []byte) bool {
	if len(b) < 5 || len(b) > 128 {
		return false
	}
	dots := 0
	for _, c := range b {
		switch {
		case c == '.':
			dots++
		case isAlpha(c) || isDigit(c) || c == '_':
		default:
			return false
		}
	}
	return dots >= 2 && b[len(b)-1] != '.'
}
