package rules

import (
	"bytes"

	"github.com/esxdiag/esxdiag/parser"
)

// The typed extractors the catalog's Go rules use. They are owned by the
// parser package (SPEC: ParseVdfRow, ParseEsxConfLock, ParseMethodDisabled,
// ParseCoreDump); until those land on main, these minimal local versions
// with the same contract keep the rules testable. Each wrapper is the only
// place a rule calls, so switching to the parser is a one-line change each.

// parseVdfRow parses a `vdf -h` ramdisk row ("hostdstats 166M 166M 0B 100% --")
// or a `localcli system visorfs ramdisk list` row.
func parseVdfRow(line []byte, row *parser.RamdiskRow) bool {
	var f [24][]byte
	n := 0
	for _, w := range bytes.Fields(line) {
		if n == len(f) {
			break
		}
		f[n] = w
		n++
	}
	*row = parser.RamdiskRow{}
	// vdf -h: Name Size Used Available Use% Mounted
	if n == 6 && bytes.HasSuffix(f[4], []byte("%")) {
		pct, ok := atoiB(f[4][:len(f[4])-1])
		if !ok {
			return false
		}
		size, ok1 := sizeB(f[1])
		used, ok2 := sizeB(f[2])
		free, ok3 := sizeB(f[3])
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		row.Name, row.Size, row.Used, row.Free, row.UsePct = f[0], size, used, free, pct
		if !bytes.Equal(f[5], []byte("--")) {
			row.Mount = f[5]
		}
		return true
	}
	// visorfs ramdisk list: Name System Coredump Reserved(N KiB) Maximum(N KiB)
	// Used(N KiB) Peak(N KiB) Free(N %) ReservedFree(N %) MaxInodes AllocInodes UsedInodes Mount
	if n >= 15 && bytes.Equal(f[4], []byte("KiB")) && bytes.Equal(f[6], []byte("KiB")) &&
		bytes.Equal(f[8], []byte("KiB")) && bytes.Equal(f[12], []byte("%")) {
		max, ok1 := atoiB(f[5])
		used, ok2 := atoiB(f[7])
		freePct, ok3 := atoiB(f[11])
		if !ok1 || !ok2 || !ok3 || max <= 0 {
			return false
		}
		row.Name = f[0]
		row.Size, row.Used = int64(max)*1024, int64(used)*1024
		row.Free = row.Size - row.Used
		row.UsePct = 100 - freePct
		row.Mount = f[n-1]
		return true
	}
	return false
}

func atoiB(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 12 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// sizeB parses "166M", "60K", "0B", "1.5G", "262144" into bytes.
func sizeB(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	mul := int64(1)
	switch b[len(b)-1] {
	case 'B':
		b = b[:len(b)-1]
	case 'K':
		mul, b = 1<<10, b[:len(b)-1]
	case 'M':
		mul, b = 1<<20, b[:len(b)-1]
	case 'G':
		mul, b = 1<<30, b[:len(b)-1]
	case 'T':
		mul, b = 1<<40, b[:len(b)-1]
	}
	ip, fp, frac := b, []byte(nil), false
	if i := bytes.IndexByte(b, '.'); i >= 0 {
		ip, fp, frac = b[:i], b[i+1:], true
	}
	v, ok := atoiB(ip)
	if !ok {
		return 0, false
	}
	out := int64(v) * mul
	if frac {
		fv, ok := atoiB(fp)
		if !ok {
			return 0, false
		}
		div := int64(1)
		for range fp {
			div *= 10
		}
		out += int64(fv) * mul / div
	}
	return out, true
}

// parseEsxConfLock extracts the lock holder from both esx.conf lock messages
// ("... holding the lock is hostd (1363758)." and "... currently holding the
// lock is hostd-worker(5055).").
func parseEsxConfLock(line []byte, l *parser.EsxConfLock) bool {
	*l = parser.EsxConfLock{PID: -1}
	if !bytes.Contains(line, []byte("esx.conf")) {
		return false
	}
	i := bytes.Index(line, []byte("holding the lock is "))
	if i < 0 {
		return false
	}
	rest := line[i+len("holding the lock is "):]
	j := 0
	for j < len(rest) && rest[j] != ' ' && rest[j] != '(' {
		j++
	}
	if j == 0 {
		return false
	}
	l.Holder = rest[:j]
	k := j
	for k < len(rest) && rest[k] == ' ' {
		k++
	}
	if k < len(rest) && rest[k] == '(' {
		e := bytes.IndexByte(rest[k:], ')')
		if e > 1 {
			if pid, ok := atoiB(rest[k+1 : k+e]); ok {
				l.PID = pid
			}
		}
	}
	return true
}

// parseMethodDisabled extracts who disabled a method ("The method is
// disabled by 'X'"), the method and the VM when the line names them.
func parseMethodDisabled(line []byte, m *parser.MethodDisabled) bool {
	*m = parser.MethodDisabled{}
	i := bytes.Index(line, []byte("method is disabled by '"))
	if i >= 0 {
		rest := line[i+len("method is disabled by '"):]
		if e := bytes.IndexByte(rest, '\''); e > 0 {
			m.Who = rest[:e]
		}
	} else if !bytes.Contains(line, []byte("MethodDisabled")) {
		return false
	}
	for _, meth := range []string{"RelocateVM_Task", "vim.VirtualMachine.relocate"} {
		if j := bytes.Index(line, []byte(meth)); j >= 0 {
			m.Method = line[j : j+len(meth)]
			break
		}
	}
	// vpxd task lifecycle: "[VpxLRO] -- ERROR task-N -- <moref> -- <method>: <fault>"
	if j := bytes.Index(line, []byte("-- ERROR task-")); j >= 0 {
		rest := line[j+len("-- ERROR task-"):]
		if k := bytes.Index(rest, []byte(" -- ")); k >= 0 {
			rest = rest[k+4:]
			if e := bytes.Index(rest, []byte(" -- ")); e > 0 {
				m.VM = rest[:e]
			}
		}
	}
	if m.VM == nil {
		m.VM = vmxName(line)
	}
	return true
}

// vmxName returns the VM name of a hostd "'vm:/vmfs/volumes/<ds>/<dir>/<name>.vmx'"
// component, or nil.
func vmxName(line []byte) []byte {
	i := bytes.Index(line, []byte("vm:/vmfs/volumes/"))
	if i < 0 {
		return nil
	}
	rest := line[i:]
	e := bytes.Index(rest, []byte(".vmx"))
	if e < 0 {
		return nil
	}
	p := rest[:e]
	if s := bytes.LastIndexByte(p, '/'); s >= 0 {
		p = p[s+1:]
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// parseCoreDump extracts a userworld core dump: "UserDump: 1485: Dumping
// cartel 3476251 (from world 3476319) to file /var/core/hostd-worker-zdump.000 ..."
// or "User: 3172: hostd-worker: wantCoreDump:hostd-worker signal:6 ...".
func parseCoreDump(line []byte, c *parser.CoreDump) bool {
	*c = parser.CoreDump{PID: -1, World: -1}
	if i := bytes.Index(line, []byte("Dumping cartel ")); i >= 0 {
		rest := line[i+len("Dumping cartel "):]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if pid, ok := atoiB(rest[:j]); ok {
			c.PID = pid
		}
		if k := bytes.Index(rest, []byte("(from world ")); k >= 0 {
			w := rest[k+len("(from world "):]
			e := 0
			for e < len(w) && w[e] >= '0' && w[e] <= '9' {
				e++
			}
			if v, ok := atoiB(w[:e]); ok {
				c.World = v
			}
		}
		if k := bytes.Index(rest, []byte("to file ")); k >= 0 {
			f := rest[k+len("to file "):]
			e := 0
			for e < len(f) && f[e] != ' ' {
				e++
			}
			c.File = f[:e]
			c.Process = zdumpProcess(c.File)
		}
		return true
	}
	if i := bytes.Index(line, []byte("wantCoreDump")); i >= 0 {
		rest := bytes.TrimLeft(line[i+len("wantCoreDump"):], " :")
		e := 0
		for e < len(rest) && rest[e] != ' ' && rest[e] != ':' {
			e++
		}
		if e > 0 {
			c.Process = rest[:e]
		}
		return true
	}
	return false
}

// zdumpProcess returns "hostd-worker" for "/var/core/hostd-worker-zdump.000".
func zdumpProcess(file []byte) []byte {
	if s := bytes.LastIndexByte(file, '/'); s >= 0 {
		file = file[s+1:]
	}
	if e := bytes.Index(file, []byte("-zdump")); e > 0 {
		return file[:e]
	}
	return nil
}
