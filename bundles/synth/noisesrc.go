package synth

import "strings"

// noiseSrc renders noise records for one log kind of one file.
type noiseSrc struct {
	kind    string
	d       *dialect
	r       rng
	ctx     renderCtx
	main    *picker // vmkernel / hostd / vpxa / vobd / console table
	hostd   *picker // 4.x messages: Hostd share
	other   *picker // 4.x messages: other tags
	worlds  []int
	pids    []int
	tids    []uint64
	scratch []byte
}

var (
	pkVmk      = newPicker(vmkNoise)
	pkVmkOld   = newPicker(vmkNoiseOld)
	pkHostd    = newPicker(hostdNoise)
	pkHostdOld = newPicker(hostdNoiseOld)
	pkVpxa     = newPicker(vpxaNoise)
	pkVobd     = newPicker(vobdNoise)
	pkConsole  = newPicker(consoleNoise)
	pkMsgOther = newPicker(messagesOtherNoise)
	pkVmkWarn  = newPicker(filterSev(vmkNoise, sevWarning))
	pkVmkWarnO = newPicker(filterSev(vmkNoiseOld, sevWarning))
)

func filterSev(ls []wline, s sev) []wline {
	var out []wline
	for _, l := range ls {
		if l.s == s {
			out = append(out, l)
		}
	}
	return out
}

func newNoiseSrc(kind string, d *dialect, seed int64, salt string) *noiseSrc {
	n := &noiseSrc{kind: kind, d: d, r: newRNG(seed, salt)}
	wb := worldBase(d.gen)
	for i := 0; i < 64; i++ {
		n.worlds = append(n.worlds, wb+n.r.intn(6000))
	}
	for i := 0; i < 16; i++ {
		n.pids = append(n.pids, 2000+n.r.intn(60000))
	}
	for i := 0; i < 24; i++ {
		switch {
		case d.gen >= ESXi7:
			pid := d.hostdPID
			if kind == "vpxa" {
				pid = d.vpxaPID
			}
			n.tids = append(n.tids, uint64(pid+n.r.intn(60)))
		default:
			n.tids = append(n.tids, 0x10000000|n.r.next()&0xeffffff0|0x0b)
		}
	}
	n.ctx = renderCtx{r: &n.r, d: d, worlds: n.worlds}
	old := d.gen <= ESX4
	switch kind {
	case "vmkernel":
		n.main = pkVmk
		if old {
			n.main = pkVmkOld
		}
	case "vmkwarning":
		n.main = pkVmkWarn
		if old {
			n.main = pkVmkWarnO
		}
	case "hostd":
		n.main = pkHostd
		if d.gen <= ESXi5 { // 5.x and older use short component names ('ha-eventmgr', 'TaskManager')
			n.main = pkHostdOld
		}
	case "vpxa":
		n.main = pkVpxa
	case "vobd":
		n.main = pkVobd
	case "messages":
		if d.gen == ESX35 {
			n.main = pkConsole
		} else {
			n.main, n.hostd, n.other = pkVmkOld, pkHostdOld, pkMsgOther
		}
	default:
		n.main = pkConsole
	}
	return n
}

// line appends one noise record at ms.
func (n *noiseSrc) line(b []byte, ms int64) []byte {
	d := n.d
	switch n.kind {
	case "vmkernel", "vmkwarning":
		if n.kind == "vmkernel" && n.r.intn(400) == 0 {
			return n.benignScsi(b, ms)
		}
		l := n.main.pick(&n.r)
		opid := ""
		if d.gen >= ESXi7 && n.r.intn(8) == 0 {
			n.scratch = appendHexN(n.scratch[:0], n.r.next(), 8, false)
			opid = string(n.scratch) // rare; small alloc acceptable
		}
		b = d.vmkPrefix(b, ms, n.r.intn(32), n.worlds[n.r.intn(len(n.worlds))], l.s, n.kind, opid)
		b = l.body.render(b, &n.ctx)
		return append(b, '\n')
	case "hostd", "vpxa":
		return n.mgmtLine(b, ms, n.kind, n.main.pick(&n.r))
	case "vobd":
		l := n.main.pick(&n.r)
		corr, id, _ := strings.Cut(l.sub.parts[0].lit, "|")
		b = d.vobdPrefix(b, ms)
		b = d.vobdBody(b, ms, corr, id)
		b = l.body.render(b, &n.ctx)
		return append(b, '\n')
	case "messages":
		if d.gen == ESX4 {
			x := n.r.intn(10)
			switch {
			case x < 6:
				l := n.main.pick(&n.r)
				b = d.vmkPrefix(b, ms, n.r.intn(16), n.worlds[n.r.intn(len(n.worlds))], l.s, "vmkernel", "")
				b = l.body.render(b, &n.ctx)
				return append(b, '\n')
			case x < 9:
				l := n.hostd.pick(&n.r)
				b = d.syslogPrefix(b, ms, "Hostd", -1)
				return n.mgmtLine(b, ms, "hostd", l)
			default:
				return n.tagLine(b, ms, n.other.pick(&n.r))
			}
		}
		return n.tagLine(b, ms, n.main.pick(&n.r))
	}
	return n.tagLine(b, ms, n.main.pick(&n.r))
}

func (n *noiseSrc) tagLine(b []byte, ms int64, l *wline) []byte {
	tag, hasPid, _ := strings.Cut(l.sub.parts[0].lit, "|")
	pid := -1
	if hasPid == "1" {
		pid = n.pids[n.r.intn(len(n.pids))]
	}
	b = n.d.syslogPrefix(b, ms, tag, pid)
	b = l.body.render(b, &n.ctx)
	return append(b, '\n')
}

func (n *noiseSrc) mgmtLine(b []byte, ms int64, proc string, l *wline) []byte {
	d := n.d
	tid := n.tids[n.r.intn(len(n.tids))]
	n.scratch = l.sub.render(n.scratch[:0], &n.ctx)
	opid := ""
	if d.gen >= ESXi5 && n.r.intn(2) == 0 {
		opid = "op"
	}
	// ESXi 7/8 hostd also writes records whose process field is "-"
	// ("info -[1000212040] [Originator@6876 sub=Default] …", public-samples.txt).
	if proc == "hostd" && d.gen >= ESXi7 && n.r.intn(64) == 0 {
		b = d.dashPrefix(b, ms, tid)
		b = append(b, dashBodies[n.r.intn(len(dashBodies))]...)
		return append(b, '\n')
	}
	// render prefix with a placeholder-free opID: write it inline
	if opid != "" {
		var ob [8]byte
		o := appendHexN(ob[:0], n.r.next(), 8, false)
		b = d.mgmtPrefix(b, ms, proc, l.s, bytesToStr(n.scratch), bytesToStr(o), tid)
	} else {
		b = d.mgmtPrefix(b, ms, proc, l.s, bytesToStr(n.scratch), "", tid)
	}
	b = l.body.render(b, &n.ctx)
	b = append(b, '\n')
	for _, c := range l.cont {
		if d.gen <= ESX4 {
			break
		}
		b = d.contPrefix(b, ms, proc, l.s, tid)
		b = append(b, "--> "...)
		b = c.render(b, &n.ctx)
		b = append(b, '\n')
	}
	return b
}

// benignScsi: MODE SENSE / ATA PASS-THROUGH rejected by the local boot device.
func (n *noiseSrc) benignScsi(b []byte, ms int64) []byte {
	d := n.d
	b = d.vmkPrefix(b, ms, n.r.intn(32), 0, sevInfo, "vmkernel", "")
	op := uint64(0x1a)
	if n.r.intn(2) == 0 {
		op = 0x85
	}
	switch d.gen {
	case ESX35, ESX4:
		b = append(b, "ScsiDeviceIO: 1672: Command 0x"...)
		b = appendHexN(b, op, 2, false)
		b = append(b, " to device \"mpx.vmhba32:C0:T0:L0\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x24 0x0.\n"...)
		return b
	}
	b = append(b, "ScsiDeviceIO: 3082: Cmd("...)
	b = appendAddr(b, d.gen, n.r.next())
	b = append(b, ") 0x"...)
	b = appendHexN(b, op, 2, false)
	b = append(b, ", CmdSN 0x"...)
	b = appendHex(b, uint64(n.r.intn(0x9000)))
	if d.gen >= ESXi6 {
		b = append(b, " from world 0"...)
	}
	b = append(b, " to dev \""...)
	b = append(b, localDevice...)
	b = append(b, "\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x24 0x0.\n"...)
	return b
}

const fillerWords = "10.20.1.17 10.20.2.33 10.20.3.41 10.20.4.58 10.20.1.90 10.20.2.104 10.20.3.122 10.20.4.201 "

// filler appends exactly size bytes (size ≥ minFill): one valid record of the kind
// whose body is padded, used to land on an exact file size.
func (n *noiseSrc) filler(b []byte, ms int64, size int) []byte {
	start := len(b)
	d := n.d
	switch n.kind {
	case "vmkernel", "vmkwarning":
		b = d.vmkPrefix(b, ms, 0, n.worlds[0], sevInfo, n.kind, "")
		if n.kind == "vmkwarning" {
			b = b[:start]
			b = d.vmkPrefix(b, ms, 0, n.worlds[0], sevWarning, n.kind, "")
		}
		b = append(b, "Tcpip_Vmk: 1288: arp entries refreshed: "...)
	case "hostd", "vpxa":
		b = d.mgmtPrefix(b, ms, n.kind, sevVerbose, "Hostsvc.NetworkProvider", "", n.tids[0])
		b = append(b, "Refreshed arp cache: "...)
	case "vobd":
		b = d.vobdPrefix(b, ms)
		b = d.vobdBody(b, ms, "UserLevelCorrelator", "esx.audit.net.firewall.config.changed")
		b = append(b, "Firewall configuration has changed. Allowed IP list for rule set sshServer: "...)
	case "messages":
		if d.gen == ESX4 {
			b = d.vmkPrefix(b, ms, 0, n.worlds[0], sevInfo, "vmkernel", "")
			b = append(b, "Tcpip_Vmk: 1288: arp entries refreshed: "...)
		} else {
			b = d.syslogPrefix(b, ms, "ntpd", n.pids[0])
			b = append(b, "peers "...)
		}
	default:
		b = d.genericPrefix(b, ms, sevInfo, 8, n.kind, n.pids[0])
		b = append(b, "probe peers "...)
	}
	for len(b)-start < size-1 {
		need := size - 1 - (len(b) - start)
		if need > len(fillerWords) {
			need = len(fillerWords)
		}
		b = append(b, fillerWords[:need]...)
	}
	// avoid a trailing space before the newline
	if size >= 2 && b[len(b)-1] == ' ' {
		b[len(b)-1] = '0'
	}
	b = b[:start+size-1]
	return append(b, '\n')
}

var dashBodies = []string{"Successfully registered SIGHUP handler", "Supported VMs 640", "Setting malloc mmap threshold to 32 k"}
