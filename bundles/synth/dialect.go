package synth

// dialect renders the line prefixes of one generation. It holds a dayCache, so
// each goroutine uses its own dialect (see clone).
type dialect struct {
	gen      Generation
	host     string
	bootMs   int64 // vmkernel boot time, for 4.x uptime and vobd microseconds
	hostdPID int
	vpxaPID  int
	vobdPID  int
	probePID int
	dc       dayCache
}

func newDialect(cfg *Config) *dialect {
	r := newRNG(cfg.Seed, "dialect")
	start := cfg.CollectedAt.Add(-cfg.Span).UnixMilli()
	d := &dialect{gen: cfg.Generation, host: cfg.Host}
	// booted between 2 and 40 days before the first log line
	d.bootMs = start - int64(2+r.intn(38))*msPerDay - int64(r.intn(msPerDay))
	switch cfg.Generation {
	case ESXi7, ESXi8:
		d.hostdPID = 2098800 + r.intn(900)
		d.vpxaPID = 2099200 + r.intn(900)
		d.vobdPID = 2097800 + r.intn(500)
		d.probePID = 2098000 + r.intn(500)
	default:
		d.hostdPID = 4000 + r.intn(5000)
		d.vpxaPID = 9000 + r.intn(5000)
		d.vobdPID = 2000 + r.intn(2000)
		d.probePID = 3000 + r.intn(900)
	}
	return d
}

func (d *dialect) clone() *dialect {
	c := *d
	c.dc = dayCache{}
	return &c
}

// severity of a record.
type sev uint8

const (
	sevVerbose sev = iota
	sevInfo
	sevWarning
	sevError
	sevAlert
)

var levelWords = [...]string{"verbose", "info", "warning", "error", "error"}

// vmkPrefix appends everything up to and including ")" of a vmkernel record and,
// for warnings and alerts, the "WARNING: " / "ALERT: " word. tag is "vmkernel" or
// "vmkwarning" (ESXi 8 writes the tag; older releases use "vmkernel" in syslog form).
func (d *dialect) vmkPrefix(b []byte, ms int64, cpu, world int, s sev, tag string, opid string) []byte {
	switch d.gen {
	case ESX35, ESX4:
		b = d.dc.appendSyslog(b, ms)
		b = append(b, ' ')
		b = append(b, d.host...)
		b = append(b, " vmkernel: "...)
		b = appendUptime(b, ms-d.bootMs)
		b = append(b, " cpu"...)
	case ESXi8:
		b = d.dc.appendISO(b, ms)
		switch s {
		case sevWarning, sevError:
			b = append(b, " Wa(180) "...)
		case sevAlert:
			b = append(b, " Al(177) "...)
		default:
			b = append(b, " In(182) "...)
		}
		b = append(b, tag...)
		b = append(b, ": cpu"...)
	default:
		b = d.dc.appendISO(b, ms)
		b = append(b, " cpu"...)
	}
	b = appendInt(b, int64(cpu))
	b = append(b, ':')
	b = appendInt(b, int64(world))
	if opid != "" && d.gen >= ESXi6 {
		b = append(b, " opID="...)
		b = append(b, opid...)
	}
	b = append(b, ')')
	switch s {
	case sevWarning, sevError:
		b = append(b, "WARNING: "...)
	case sevAlert:
		b = append(b, "ALERT: "...)
	}
	return b
}

// mgmtPrefix appends the header of a hostd or vpxa record (standalone log file),
// ending with the space before the body. proc is "hostd" or "vpxa".
func (d *dialect) mgmtPrefix(b []byte, ms int64, proc string, s sev, sub, opid string, tid uint64) []byte {
	switch d.gen {
	case ESX35, ESX4:
		b = append(b, '[')
		b = d.dc.appendSpaceDate(b, ms)
		b = append(b, ' ')
		b = appendHexN(b, tid, 8, true)
		b = append(b, ' ')
		b = append(b, levelWords[s]...)
		b = append(b, " '"...)
		b = append(b, sub...)
		b = append(b, '\'')
		if opid != "" {
			b = append(b, " opID="...)
			b = append(b, opid...)
		}
		return append(b, "] "...)
	case ESXi5:
		b = d.dc.appendISO(b, ms)
		b = append(b, " ["...)
		b = appendHexN(b, tid, 8, true)
		b = append(b, ' ')
		b = append(b, levelWords[s]...)
		b = append(b, " '"...)
		b = append(b, sub...)
		b = append(b, '\'')
		if opid != "" {
			b = append(b, " opID="...)
			b = append(b, opid...)
		}
		return append(b, "] "...)
	case ESXi6, ESXi7:
		b = d.dc.appendISO(b, ms)
		b = append(b, ' ')
		b = append(b, levelWords[s]...)
		b = append(b, ' ')
		b = append(b, proc...)
		b = append(b, '[')
		if d.gen == ESXi6 {
			b = appendHexN(b, tid, 8, true)
		} else {
			b = appendInt(b, int64(tid))
		}
		b = append(b, "] [Originator@6876 sub="...)
	default: // ESXi8
		b = d.dc.appendISO(b, ms)
		b = appendPRI(b, s, 160)
		if proc == "hostd" {
			b = append(b, "Hostd["...)
		} else {
			b = append(b, "Vpxa["...)
		}
		b = appendInt(b, int64(tid))
		b = append(b, "]: [Originator@6876 sub="...)
	}
	b = append(b, sub...)
	if opid != "" {
		b = append(b, " opID="...)
		b = append(b, opid...)
	}
	return append(b, "] "...)
}

// appendPRI appends " In(166) " style severity for facility base (local4 = 160).
func appendPRI(b []byte, s sev, base int) []byte {
	switch s {
	case sevVerbose:
		b = append(b, " Db("...)
		b = appendInt(b, int64(base+7))
	case sevWarning:
		b = append(b, " Wa("...)
		b = appendInt(b, int64(base+4))
	case sevError, sevAlert:
		b = append(b, " Er("...)
		b = appendInt(b, int64(base+3))
	default:
		b = append(b, " In("...)
		b = appendInt(b, int64(base+6))
	}
	return append(b, ") "...)
}

// contPrefix appends what precedes "--> " on a continuation line: nothing before
// ESXi 8, the syslog header on ESXi 8 (each physical line is its own record there).
func (d *dialect) contPrefix(b []byte, ms int64, proc string, s sev, tid uint64) []byte {
	if d.gen != ESXi8 {
		return b
	}
	b = d.dc.appendISO(b, ms)
	b = appendPRI(b, s, 160)
	if proc == "hostd" {
		b = append(b, "Hostd["...)
	} else {
		b = append(b, "Vpxa["...)
	}
	b = appendInt(b, int64(tid))
	return append(b, "]: "...)
}

// vobdPrefix appends the vobd header up to the correlator bracket.
func (d *dialect) vobdPrefix(b []byte, ms int64) []byte {
	b = d.dc.appendISO(b, ms)
	if d.gen == ESXi8 {
		b = append(b, " In(14) vobd["...)
		b = appendInt(b, int64(d.vobdPID))
		return append(b, "]:  "...)
	}
	return append(b, ": "...)
}

// vobdBody appends "[Corr] NNNus: [id] " (microseconds since boot).
func (d *dialect) vobdBody(b []byte, ms int64, corr, id string) []byte {
	b = append(b, '[')
	b = append(b, corr...)
	b = append(b, "] "...)
	b = appendInt(b, (ms-d.bootMs)*1000+int64(ms%7)*131)
	b = append(b, "us: ["...)
	b = append(b, id...)
	return append(b, "] "...)
}

// syslogPrefix appends a 4.x/3.5 "Mon dd hh:mm:ss host tag[pid]: " prefix; pid<0 omits it.
func (d *dialect) syslogPrefix(b []byte, ms int64, tag string, pid int) []byte {
	b = d.dc.appendSyslog(b, ms)
	b = append(b, ' ')
	b = append(b, d.host...)
	b = append(b, ' ')
	b = append(b, tag...)
	if pid >= 0 {
		b = append(b, '[')
		b = appendInt(b, int64(pid))
		b = append(b, ']')
	}
	return append(b, ": "...)
}

// genericPrefix appends an ESXi 8 "ts In(14) proc[pid]: " or a 5–7 "ts proc[pid]: " header.
func (d *dialect) genericPrefix(b []byte, ms int64, s sev, base int, proc string, pid int) []byte {
	b = d.dc.appendISO(b, ms)
	if d.gen == ESXi8 {
		b = appendPRI(b, s, base)
	} else {
		b = append(b, ' ')
	}
	b = append(b, proc...)
	b = append(b, '[')
	b = appendInt(b, int64(pid))
	return append(b, "]: "...)
}

// sectionHeader appends the per-file header line hostd/vpxa (5–7) or vmsyslogd (8)
// write at log start, giving version and build.
func (d *dialect) sectionHeader(b []byte, ms int64, cfg *Config, pid int) []byte {
	switch d.gen {
	case ESX35, ESX4:
		return b
	case ESXi8:
		b = d.dc.appendISO(b, ms)
		b = append(b, " In(14) vmsyslogd["...)
		b = appendInt(b, int64(d.vobdPID+17))
		b = append(b, "]: Logs rotated. "...)
		b = d.dc.appendISO(b, ms-3600_000)
		b = append(b, " - time the service was last started "...)
		b = d.dc.appendISO(b, ms-3600_000-13)
	default:
		b = d.dc.appendISO(b, ms)
		b = append(b, " - last log rotation time, "...)
		b = d.dc.appendISO(b, ms-3600_000)
		b = append(b, " - time the service was last started"...)
	}
	b = append(b, ", Section for VMware ESX, pid="...)
	b = appendInt(b, int64(pid))
	b = append(b, ", version="...)
	b = append(b, cfg.Version...)
	b = append(b, ", build="...)
	b = append(b, cfg.Build...)
	return append(b, ", option=Release\n"...)
}

// dashPrefix appends the 7.x/8.x hostd form whose process field is "-":
// "ts info -[tid] [Originator@6876 sub=Default] " (8.x behind "In(166) Hostd[pid]: ").
func (d *dialect) dashPrefix(b []byte, ms int64, tid uint64) []byte {
	b = d.dc.appendISO(b, ms)
	if d.gen == ESXi8 {
		b = append(b, " In(166) Hostd["...)
		b = appendInt(b, int64(d.hostdPID))
		b = append(b, "]:"...)
	}
	b = append(b, " info -["...)
	b = appendInt(b, int64(tid))
	return append(b, "] [Originator@6876 sub=Default] "...)
}
