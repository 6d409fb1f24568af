package synth

import (
	"sort"
	"time"
)

// event is one pre-rendered record (possibly several physical lines) at a time.
type event struct {
	ms   int64
	text []byte
}

// ProblemInfo says what was injected for one problem, for tests to assert on.
type ProblemInfo struct {
	Problem Problem
	Device  string         // naa id for device problems, "" otherwise
	Object  string         // the object a rule should name (device, ramdisk, VM list, process)
	Lines   map[string]int // physical lines written per log kind ("vmkernel", "hostd", …)
	First   time.Time
	Last    time.Time
}

// evb builds problem events for one bundle.
type evb struct {
	d    *dialect
	cfg  *Config
	r    rng
	out  map[string][]event
	info *ProblemInfo
	b    []byte
}

func (e *evb) add(kind string, ms int64, text []byte) {
	t := append([]byte(nil), text...)
	e.out[kind] = append(e.out[kind], event{ms: ms, text: t})
	n := 0
	for _, c := range t {
		if c == '\n' {
			n++
		}
	}
	e.info.Lines[kind] += n
	tm := time.UnixMilli(ms).UTC()
	if e.info.First.IsZero() || tm.Before(e.info.First) {
		e.info.First = tm
	}
	if tm.After(e.info.Last) {
		e.info.Last = tm
	}
}

// vmkKind is the file kind holding vmkernel records for the generation.
func (e *evb) vmkKind() string {
	if e.d.gen == ESX4 {
		return "messages"
	}
	return "vmkernel"
}

// vmk adds a vmkernel record; warnings are copied to vmkwarning where it exists.
func (e *evb) vmk(ms int64, cpu, world int, s sev, body ...string) {
	e.b = e.d.vmkPrefix(e.b[:0], ms, cpu, world, s, "vmkernel", "")
	for _, p := range body {
		e.b = append(e.b, p...)
	}
	e.b = append(e.b, '\n')
	e.add(e.vmkKind(), ms, e.b)
	if s >= sevWarning && e.d.gen != ESX4 {
		e.b = e.d.vmkPrefix(e.b[:0], ms, cpu, world, s, "vmkwarning", "")
		for _, p := range body {
			e.b = append(e.b, p...)
		}
		e.b = append(e.b, '\n')
		e.add("vmkwarning", ms, e.b)
	}
}

func (e *evb) tid(proc string) uint64 {
	switch e.d.gen {
	case ESXi7, ESXi8:
		if proc == "hostd" {
			return uint64(e.d.hostdPID + e.r.intn(40))
		}
		return uint64(e.d.vpxaPID + e.r.intn(40))
	}
	return 0x30000000 | e.r.next()&0x0fffff00 | 0x90
}

// mgmt adds a hostd or vpxa record with optional "--> " continuation lines. On
// ESXi 4.x hostd records are also written to messages as "Hostd: [...]".
func (e *evb) mgmt(proc string, ms int64, s sev, sub, opid, body string, cont ...string) {
	tid := e.tid(proc)
	e.b = e.d.mgmtPrefix(e.b[:0], ms, proc, s, sub, opid, tid)
	e.b = append(e.b, body...)
	e.b = append(e.b, '\n')
	for _, c := range cont {
		if e.d.gen <= ESX4 {
			// pre-5.0 logs have no "--> " continuations: keep only backtrace
			// frames ("[00] rip …"), written as plain lines.
			if !isFrame(c) {
				continue
			}
			e.b = append(e.b, c...)
		} else {
			e.b = e.d.contPrefix(e.b, ms, proc, s, tid)
			e.b = append(e.b, "--> "...)
			e.b = append(e.b, c...)
		}
		e.b = append(e.b, '\n')
	}
	e.add(proc, ms, e.b)
	if e.d.gen == ESX4 && proc == "hostd" {
		e.b = e.d.syslogPrefix(e.b[:0], ms, "Hostd", -1)
		e.b = e.d.mgmtPrefix(e.b, ms, proc, s, sub, opid, tid)
		e.b = append(e.b, body...)
		e.b = append(e.b, '\n')
		for _, c := range cont {
			if !isFrame(c) {
				continue
			}
			e.b = e.d.syslogPrefix(e.b, ms, "Hostd", -1)
			e.b = append(e.b, c...)
			e.b = append(e.b, '\n')
		}
		e.add("messages", ms, e.b)
	}
}

// vobd adds a vobd record (ESXi 5+).
func (e *evb) vobd(ms int64, corr, id, msg string) {
	if e.d.gen < ESXi5 {
		return
	}
	e.b = e.d.vobdPrefix(e.b[:0], ms)
	e.b = e.d.vobdBody(e.b, ms, corr, id)
	e.b = append(e.b, msg...)
	e.b = append(e.b, '\n')
	e.add("vobd", ms, e.b)
}

// senseKind of a SCSI status.
const (
	noSense = iota
	validSense
	possibleSense
)

type scsiStatus struct {
	h, d, p        int
	sense          int
	key, asc, ascq int
	act            string // ESXi 5+ NMP action: "NONE", "EVAL", "FAILOVER"
	activeCmdCount int    // 7/8 " . Cmd count Active:N" form when no sense
}

func appendStatus(b []byte, g Generation, st scsiStatus) []byte {
	b = append(b, "H:0x"...)
	b = appendHex(b, uint64(st.h))
	b = append(b, " D:0x"...)
	b = appendHex(b, uint64(st.d))
	b = append(b, " P:0x"...)
	b = appendHex(b, uint64(st.p))
	switch st.sense {
	case validSense, possibleSense:
		if st.sense == validSense {
			b = append(b, " Valid sense data: 0x"...)
		} else {
			b = append(b, " Possible sense data: 0x"...)
		}
		b = appendHex(b, uint64(st.key))
		b = append(b, " 0x"...)
		b = appendHex(b, uint64(st.asc))
		b = append(b, " 0x"...)
		b = appendHex(b, uint64(st.ascq))
		b = append(b, '.')
	default:
		if g >= ESXi7 && st.activeCmdCount > 0 {
			b = append(b, " . Cmd count Active:"...)
			b = appendInt(b, int64(st.activeCmdCount))
		}
	}
	return b
}

// scsiIO adds a ScsiDeviceIO command failure in the generation's form
// (ESX 3.5: "StorageMonitor: 196: vmhba1:0:N:0 status = D/H 0xK 0xA 0xQ").
func (e *evb) scsiIO(ms int64, cpu, world, op, devIdx, path int, st scsiStatus) {
	g := e.d.gen
	b := e.b[:0]
	var s sev = sevInfo
	switch g {
	case ESX35:
		// status = D/H: device status then host status, decimal (KB 289902; KB 1008113's
		// "40/0" is QUEUE FULL 0x28) — formats.md §2.1 has the order backwards.
		b = append(b, "StorageMonitor: 196: "...)
		b = append(b, pathNames[g][devIdx][path]...)
		b = append(b, " status = "...)
		b = appendInt(b, int64(st.d))
		b = append(b, '/')
		b = appendInt(b, int64(st.h))
		b = append(b, " 0x"...)
		b = appendHex(b, uint64(st.key))
		b = append(b, " 0x"...)
		b = appendHex(b, uint64(st.asc))
		b = append(b, " 0x"...)
		b = appendHex(b, uint64(st.ascq))
	case ESX4:
		b = append(b, "ScsiDeviceIO: 1672: Command 0x"...)
		b = appendHexN(b, uint64(op), 2, false)
		b = append(b, " to device \""...)
		b = append(b, DeviceID(devIdx)...)
		b = append(b, "\" failed "...)
		if st.sense == noSense {
			st.sense = possibleSense
		}
		b = appendStatus(b, g, st)
	default:
		b = append(b, "ScsiDeviceIO: "...)
		switch g {
		case ESXi5:
			b = append(b, "2315: Cmd("...)
		case ESXi6:
			b = append(b, "2927: Cmd("...)
		default:
			b = append(b, "4681: Cmd("...)
		}
		b = appendAddr(b, g, e.r.next())
		b = append(b, ") 0x"...)
		b = appendHexN(b, uint64(op), 2, false)
		b = append(b, ", "...)
		if g >= ESXi7 && e.r.intn(2) == 0 {
			b = append(b, "cmdId.initiator=0x430"...)
			b = appendHexN(b, e.r.next(), 9, false)
			b = append(b, ' ')
		}
		b = append(b, "CmdSN 0x"...)
		b = appendHex(b, uint64(e.r.intn(0x900000)+0x100))
		if g >= ESXi6 {
			b = append(b, " from world "...)
			b = appendInt(b, int64(world))
		}
		b = append(b, " to dev \""...)
		b = append(b, DeviceID(devIdx)...)
		b = append(b, "\" failed "...)
		if g <= ESXi6 && st.sense == noSense {
			st.sense = possibleSense
		}
		b = appendStatus(b, g, st)
	}
	e.b = b
	e.vmkRaw(ms, cpu, world, s)
}

// vmkRaw adds e.b (a body) as a vmkernel record.
func (e *evb) vmkRaw(ms int64, cpu, world int, s sev) {
	body := string(e.b)
	e.vmk(ms, cpu, world, s, body)
}

// nmp adds an NMP path-level failure. ESXi 8 splits it: the record ends at
// "Failed:" and the status follows as the next record of the same cpu/world.
func (e *evb) nmp(ms int64, cpu, world, op, devIdx, path int, st scsiStatus) {
	g := e.d.gen
	b := e.b[:0]
	addr := e.r.next()
	switch g {
	case ESX35:
		e.scsiIO(ms, cpu, world, op, devIdx, path, st)
		return
	case ESX4:
		b = append(b, "NMP: nmp_CompleteCommandForPath: Command 0x"...)
		b = appendHexN(b, uint64(op), 2, false)
		b = append(b, " ("...)
		b = appendAddr(b, g, addr)
		b = append(b, ") to NMP device \""...)
		b = append(b, DeviceID(devIdx)...)
		b = append(b, "\" failed on physical path \""...)
		b = append(b, pathNames[g][devIdx][path]...)
		b = append(b, "\" "...)
		if st.sense == noSense {
			st.sense = possibleSense
		}
		b = appendStatus(b, g, st)
		e.b = b
		e.vmkRaw(ms, cpu, world, sevInfo)
		return
	}
	b = append(b, "NMP: nmp_ThrottleLogForDevice:"...)
	switch g {
	case ESXi5:
		b = append(b, "2318"...)
	case ESXi6:
		b = append(b, "3617"...)
	default:
		b = append(b, "3893"...)
	}
	b = append(b, ": Cmd 0x"...)
	b = appendHexN(b, uint64(op), 2, false)
	b = append(b, " ("...)
	b = appendAddr(b, g, addr)
	if g >= ESXi6 {
		b = append(b, ", "...)
		b = appendInt(b, int64(world))
	}
	b = append(b, ") to dev \""...)
	b = append(b, DeviceID(devIdx)...)
	b = append(b, "\" on path \""...)
	b = append(b, pathNames[g][devIdx][path]...)
	b = append(b, "\" Failed:"...)
	if st.sense == noSense {
		st.sense = possibleSense
	}
	act := st.act
	if act == "" {
		act = "NONE"
	}
	if g == ESXi8 {
		e.b = b
		e.vmkRaw(ms, cpu, world, sevInfo)
		b = appendStatus(e.b[:0], g, st)
		b = append(b, " Act:"...)
		b = append(b, act...)
		e.b = b
		e.vmkRaw(ms, cpu, world, sevInfo)
		return
	}
	b = append(b, ' ')
	b = appendStatus(b, g, st)
	if g == ESXi5 {
		b = append(b, "Act:"...)
	} else {
		b = append(b, " Act:"...)
	}
	b = append(b, act...)
	e.b = b
	e.vmkRaw(ms, cpu, world, sevInfo)
}

// repeated adds "last error status from device <dev> repeated N times" (ESXi 5+).
func (e *evb) repeated(ms int64, cpu, world, devIdx, n int) {
	if e.d.gen < ESXi5 {
		return
	}
	b := append(e.b[:0], "NMP: nmp_ThrottleLogForDevice:3825: last error status from device "...)
	if e.d.gen < ESXi7 {
		b = append(e.b[:0], "NMP: nmp_ResetDeviceLogThrottling:3345: last error status from device "...)
	}
	b = append(b, DeviceID(devIdx)...)
	b = append(b, " repeated "...)
	b = appendInt(b, int64(n))
	b = append(b, " times"...)
	e.b = b
	e.vmkRaw(ms, cpu, world, sevInfo)
}

func sortEvents(m map[string][]event) {
	for _, evs := range m {
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].ms < evs[j].ms })
	}
}

func isFrame(s string) bool { return len(s) > 6 && s[0] == '[' && s[3] == ']' && s[4] == ' ' }
