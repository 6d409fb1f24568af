package synth

import (
	"strconv"
	"time"
)

// worldBase gives realistic world ids per generation.
func worldBase(g Generation) int {
	switch g {
	case ESX35:
		return 1024
	case ESX4:
		return 4096
	case ESXi5:
		return 8192
	case ESXi6:
		return 32768
	default:
		return 2097152
	}
}

// buildEvents renders every problem of cfg into per-kind events. Times are fixed
// offsets before CollectedAt (at most 23 h) so tests can reason about them; Span
// is at least 24 h, so all fall inside it.
func buildEvents(cfg *Config, d *dialect) (map[string][]event, []ProblemInfo) {
	out := map[string][]event{}
	var infos []ProblemInfo
	end := cfg.CollectedAt.UnixMilli()
	at := func(before time.Duration) int64 { return end - before.Milliseconds() }
	for _, p := range cfg.Problems {
		info := ProblemInfo{Problem: p, Lines: map[string]int{}}
		if dev, ok := ProblemDevice(p); ok {
			info.Device, info.Object = dev, dev
		}
		e := &evb{d: d, cfg: cfg, r: newRNG(cfg.Seed, "problem/"+string(p)), out: out, info: &info}
		wb := worldBase(d.gen)
		w := func() int { return wb + e.r.intn(4000) }
		cpu := func() int { return e.r.intn(24) }
		switch p {
		case UAStorm:
			e.uaStorm(at(20*time.Hour), at(20*time.Hour-40*time.Minute), w, cpu)
		case HostdStatsFull:
			info.Object = "hostdstats"
			e.hostdStats(at(6*time.Hour), w, cpu)
		case EsxConfLock:
			info.Object = EsxConfLockHolder + " (" + strconv.Itoa(EsxConfLockPID) + ")"
			e.esxConfLock(at(4*time.Hour + 50*time.Minute))
		case RelocateVMDisabled:
			info.Object = "SQL01,EXCH01,FILE01,APP01"
			e.relocate(at(23*time.Hour), at(1*time.Hour))
		case HostdCrash:
			info.Object = "hostd"
			e.hostdCrash(at(3*time.Hour), w, cpu)
		case SnapshotQuiesce:
			info.Object = "SQL01,EXCH01,FILE01"
			e.quiesce(at(18 * time.Hour))
		case APD:
			e.apd(at(10*time.Hour), w, cpu)
		case PDL:
			e.pdl(at(9*time.Hour), w, cpu)
		case Latency:
			e.latency(at(22*time.Hour), at(30*time.Minute), w, cpu)
		case ReservationConflict:
			e.reservation(at(8*time.Hour), at(8*time.Hour-10*time.Minute), w, cpu)
		case QueueFull:
			e.queueFull(at(7*time.Hour), at(7*time.Hour-15*time.Minute), w, cpu)
		case ThinProvNoSpace:
			e.thinprov(at(2*time.Hour), at(2*time.Hour-10*time.Minute), w, cpu)
		case DeadPath:
			e.deadPath(at(12*time.Hour), w, cpu)
		}
		infos = append(infos, info)
	}
	sortEvents(out)
	return out, infos
}

// uaStorm: backup verification maps and unmaps snapshot LUN clones; every path to
// device 0 reports 0x6/0x3f/0xe (REPORTED LUNS DATA HAS CHANGED) many times per minute.
func (e *evb) uaStorm(from, to int64, w func() int, cpu func() int) {
	const dev = 0
	ua := scsiStatus{d: 2, sense: validSense, key: 6, asc: 0x3f, ascq: 0xe}
	ops := []int{0x28, 0x2a, 0x28, 0x12, 0x28}
	n := 0
	for ms := from; ms < to; ms += 1000 + int64(e.r.intn(2000)) {
		world, c := w(), cpu()
		op := ops[e.r.intn(len(ops))]
		path := e.r.intn(2)
		if n%3 == 2 {
			e.nmp(ms, c, world, op, dev, path, ua)
		} else {
			e.scsiIO(ms, c, world, op, dev, path, ua)
		}
		if n%40 == 39 {
			e.repeated(ms+3, c, world, dev, 10+e.r.intn(30))
		}
		if n%60 == 0 && e.d.gen >= ESX4 {
			clone := firstClone + (n/60)%4
			b := append(e.b[:0], "ScsiScan: 1059: Path '"...)
			b = append(b, pathNames[e.d.gen][clone][0]...)
			b = append(b, "': Vendor: 'NETAPP  '  Model: 'LUN             '  Rev: '8010'"...)
			e.b = b
			e.vmkRaw(ms+5, c, world, sevInfo)
			if e.d.gen >= ESXi5 {
				e.vmk(ms+9, c, world, sevInfo, "LVM: 9072: Device ", DeviceID(clone), ":1 detected to be a snapshot:")
			}
		}
		n++
	}
}

func (e *evb) hostdStats(t0 int64, w func() int, cpu func() int) {
	g := e.d.gen
	// hostd cannot write its stats files
	for i := 0; i < 60; i++ {
		ms := t0 + int64(i)*30_000 + int64(e.r.intn(900))
		e.mgmt("hostd", ms, sevError, "Statssvc", "",
			"Error: 'FileIO error: No space left : /var/lib/vmware/hostd/stats/hostAgentStats.idMap'; while adding stat 'ha-host'-'storagePath-read#fc.20000024ff"+
				hex6(e.r.next())+":21000024ff"+hex6(e.r.next())+"-fc.500a0981"+hex6(e.r.next())+":500a0985"+hex6(e.r.next())+"-"+DeviceID(firstHealthy+i%numHealthy)+"'-ROLLUP_NONE (type:STATTYPE_RATE, id:"+strconv.Itoa(92000+e.r.intn(900))+")")
	}
	t1 := t0 + 30*60_000
	for i := 0; i < 12; i++ {
		e.vmk(t1+int64(i)*20_000, cpu(), w(), sevInfo, "BC: 3837: Failed to flush ", strconv.Itoa(8+e.r.intn(60)),
			" buffers of size 8192 each for object '' 1 4 ed6 0 0 0 0 0 0 0 0 0 0 0: No free memory for file data")
	}
	// hostd-worker dumps core
	t2 := t1 + 5*60_000
	cartel := worldBase(g) + 3000 + e.r.intn(900)
	world := cartel + 68
	core := "/var/core/hostd-worker-zdump.000"
	e.mgmt("hostd", t2-2000, sevError, "App", "", "Backtrace:", backtrace(&e.r, 8)...)
	if g >= ESXi6 {
		e.vmk(t2, cpu(), world, sevInfo, "User: 3172: hostd-worker: wantCoreDump:hostd-worker signal:6 exitCode:0 coredump:enabled")
	} else {
		e.vmk(t2, cpu(), world, sevInfo, "User: 2888: wantCoreDump : hostd-worker -enabled : 1")
	}
	e.vmk(t2+146, cpu(), world, sevInfo, "UserDump: 1485: Dumping cartel ", strconv.Itoa(cartel), " (from world ", strconv.Itoa(world), ") to file ", core, " ...")
	e.vmk(t2+9800, cpu(), world, sevInfo, "UserDump: 1587: Userworld coredump complete.")
}

func hex8(v uint64) string { return string(appendHexN(nil, v, 8, false)) }
func hex6(v uint64) string { return string(appendHexN(nil, v, 6, false)) }

func backtrace(r *rng, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "[" + pad2(i) + "] rip " + string(appendHexN(nil, r.next(), 8, false))
	}
	return out
}

func pad2(i int) string {
	if i < 10 {
		return "0" + strconv.Itoa(i)
	}
	return strconv.Itoa(i)
}

// esxConfLock writes both real texts (ESX 4.1 and ESXi 5.0) naming hostd PID 1363758.
func (e *evb) esxConfLock(t0 int64) {
	pid := strconv.Itoa(EsxConfLockPID)
	formA := "Error interacting with configuration file /etc/vmware/esx.conf: Failed attempting to lock file.  Another process has locked the file for more than 20 seconds. The process holding the lock is " +
		EsxConfLockHolder + " (" + pid + ").  This operation will complete if it is run again after the lock is released."
	formB := "Error interacting with configuration file /etc/vmware/esx.conf: Timeout while waiting for lock, /etc/vmware/esx.conf.LOCK, to be released. Another process has kept this file locked for more than 20 seconds. The process currently holding the lock is " +
		EsxConfLockHolder + "(" + pid + "). This is likely a temporary condition. Please try your operation again."
	for i := 0; i < 3; i++ {
		ms := t0 + int64(i)*95_000
		e.mgmt("hostd", ms, sevError, "HostsvcPlugin", "", "Error running operation: "+formA)
		e.mgmt("hostd", ms+41_000, sevError, "Hostsvc", "", formB)
	}
}

// relocate: RelocateVM_Task (vim.VirtualMachine.relocate) disabled by a backup product.
func (e *evb) relocate(from, to int64) {
	span := to - from
	for i, v := range MethodDisabledVMs {
		for k := 0; k < 3; k++ {
			ms := from + span*int64(k*len(MethodDisabledVMs)+i)/int64(3*len(MethodDisabledVMs))
			task := "task-" + strconv.Itoa(1000+e.r.intn(9000))
			op := hex8(e.r.next())
			msg := "The method is disabled by '" + v.By + "'"
			sub := "Vmsvc.vm:/vmfs/volumes/" + datastoreUUIDs[i%len(datastoreUUIDs)] + "/" + v.VM + "/" + v.VM + ".vmx"
			if e.d.gen <= ESXi5 {
				sub = "vm:/vmfs/volumes/" + datastoreUUIDs[i%len(datastoreUUIDs)] + "/" + v.VM + "/" + v.VM + ".vmx"
			}
			e.mgmt("hostd", ms, sevInfo, sub, op, "RelocateVM_Task failed: "+msg+" (vim.fault.MethodDisabled)")
			e.mgmt("vpxa", ms+120, sevError, "vpxLro", op,
				"[VpxLRO] -- ERROR "+task+" -- "+v.VM+" -- vim.VirtualMachine.relocate: vim.fault.MethodDisabled:",
				"Result:", "(vim.fault.MethodDisabled) {", "   faultCause = (vmodl.MethodFault) null,", "   faultMessage = <unset>,",
				"   source = \""+v.By+"\"", "   msg = \""+msg+"\"", "}", "Args:", "")
		}
	}
}

func (e *evb) hostdCrash(t0 int64, w func() int, cpu func() int) {
	g := e.d.gen
	e.mgmt("hostd", t0-1500, sevError, "App", "", "Backtrace:", backtrace(&e.r, 12)...)
	cartel := worldBase(g) + 1000 + e.r.intn(900)
	world := cartel + 12
	if g >= ESXi6 {
		e.vmk(t0, cpu(), world, sevInfo, "User: 3172: hostd: wantCoreDump:hostd signal:11 exitCode:0 coredump:enabled")
	} else {
		e.vmk(t0, cpu(), world, sevInfo, "User: 2888: wantCoreDump : hostd -enabled : 1")
	}
	e.vmk(t0+120, cpu(), world, sevInfo, "UserDump: 1485: Dumping cartel ", strconv.Itoa(cartel), " (from world ", strconv.Itoa(world), ") to file /var/core/hostd-zdump.001 ...")
	e.vmk(t0+7400, cpu(), world, sevInfo, "UserDump: 1587: Userworld coredump complete.")
	if g == ESXi8 {
		for i := 0; i < 3; i++ {
			ms := t0 + 20_000 + int64(i)*10_000
			e.b = e.d.genericPrefix(e.b[:0], ms, sevError, 8, "hostd-probe", e.d.probePID)
			e.b = append(e.b, "hostd detected to be non-responsive\n"...)
			e.add("hostd-probe", ms, e.b)
		}
	}
	// restart
	e.b = e.d.sectionHeader(e.b[:0], t0+60_000, e.cfg, e.d.hostdPID+7)
	if len(e.b) > 0 {
		e.add("hostd", t0+60_000, e.b)
	}
	e.mgmt("hostd", t0+60_500, sevInfo, "Default", "", "Supported VMs 640")
}

func (e *evb) quiesce(t0 int64) {
	for i, vm := range []string{"SQL01", "EXCH01", "FILE01"} {
		ms := t0 + int64(i)*7*60_000
		op := hex8(e.r.next())
		sub := "Vmsvc.vm:/vmfs/volumes/" + datastoreUUIDs[i] + "/" + vm + "/" + vm + ".vmx"
		if e.d.gen <= ESXi5 {
			sub = "vm:/vmfs/volumes/" + datastoreUUIDs[i] + "/" + vm + "/" + vm + ".vmx"
		}
		e.mgmt("hostd", ms, sevInfo, sub, op, "Upgrade is required")
		e.mgmt("hostd", ms+61_000, sevWarning, sub, op, "Failed to quiesce the virtual machine.")
		e.mgmt("hostd", ms+61_010, sevWarning, sub, op, "'VssSyncStart' operation failed: IDispatch error #8449 (0x80042301)")
		e.mgmt("hostd", ms+61_020, sevInfo, sub, op, "Cannot create a quiesced snapshot because the create snapshot operation exceeded the time limit for holding off I/O in the frozen virtual machine.")
		e.mgmt("vpxa", ms+61_300, sevError, "vpxLro", op,
			"[VpxLRO] -- ERROR task-"+strconv.Itoa(700+e.r.intn(300))+" -- "+vm+" -- vpxapi.VpxaService.createSnapshot: vim.fault.ApplicationQuiesceFault:",
			"Result:", "(vim.fault.ApplicationQuiesceFault) {", "   faultCause = (vmodl.MethodFault) null,", "   msg = \"Failed to quiesce the virtual machine.\"", "}")
	}
}

func (e *evb) apd(t0 int64, w func() int, cpu func() int) {
	const dev = 1
	id := DeviceID(dev)
	g := e.d.gen
	nc := scsiStatus{h: 1, sense: possibleSense}
	if g >= ESXi5 {
		e.vmk(t0, cpu(), w(), sevInfo, "StorageApdHandler: 1066: APD Timer started for ident [", id, "]")
		e.vmk(t0+2, cpu(), w(), sevInfo, "StorageApdHandler: 507: APD Start for ident [", id, "]!")
		e.vobd(t0+3, "APDCorrelator", "vob.storage.apd.start", "Device or filesystem with identifier ["+id+"] has entered the All Paths Down state.")
		e.vobd(t0+4, "APDCorrelator", "esx.problem.storage.apd.start", "Device or filesystem with identifier ["+id+"] has entered the All Paths Down state.")
	}
	for ms := t0 + 500; ms < t0+140_000; ms += 2000 + int64(e.r.intn(3000)) {
		e.nmp(ms, cpu(), w(), 0x28, dev, e.r.intn(2), nc)
	}
	t1 := t0 + 140_000
	if g >= ESXi5 {
		e.vmk(t1, cpu(), w(), sevInfo, "StorageApdHandler: 609: APD Timeout for ident [", id, "]!")
		e.vmk(t1+1, cpu(), w(), sevInfo, "StorageApdHandler: 421: APD timeout event for 0x430", hex8(e.r.next()), " [", id, "]")
		e.vobd(t1+2, "APDCorrelator", "vob.storage.apd.timeout", "Device or filesystem with identifier ["+id+"] has entered the All Paths Down Timeout state after being in the All Paths Down state for 140 seconds. I/Os will now be fast failed.")
		e.vobd(t1+3, "APDCorrelator", "esx.problem.storage.apd.timeout", "Device or filesystem with identifier ["+id+"] has entered the All Paths Down Timeout state after being in the All Paths Down state for 140 seconds. I/Os will now be fast failed.")
	}
	for ms := t1 + 100; ms < t1+600_000; ms += 5000 + int64(e.r.intn(5000)) {
		e.scsiIO(ms, cpu(), w(), 0x2a, dev, e.r.intn(2), nc)
	}
}

// pdl follows the PDL sequence quoted in rules-catalog.md ESX-PDL-001 (its KB number is unverified in kb.md, so it is not cited).
func (e *evb) pdl(t0 int64, w func() int, cpu func() int) {
	const dev = 2
	id := DeviceID(dev)
	g := e.d.gen
	pdl := scsiStatus{d: 2, sense: validSense, key: 5, asc: 0x25, ascq: 0}
	for k := 0; k < 2; k++ {
		c, wo := cpu(), w()
		ms := t0 + int64(k)*40
		path := pathNames[g][dev][k]
		e.vmk(ms, c, wo, sevInfo, "VMW_SATP_ALUA: satp_alua_issueCommandOnPath:661: Path \"", path,
			"\" (PERM LOSS) command 0xa3 failed with status Device is permanently unavailable. H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0.")
		if g >= ESXi5 {
			e.vmk(ms+1, c, wo, sevWarning, "NMP: nmp_PathDetermineFailure:2961: Cmd (0x28) PDL error (0x5/0x25/0x0) - path ", path,
				" device ", id, " - triggering path failover")
		}
		e.nmp(ms+2, c, wo, 0x28, dev, k, pdl)
	}
	c, wo := cpu(), w()
	e.vmk(t0+100, c, wo, sevWarning, "vmw_psp_rr: psp_rrSelectPathToActivate:972:Could not select path for device \"", id, "\".")
	e.vmk(t0+101, c, wo, sevWarning, "ScsiDevice: 1223: Device :", id, " has been removed or is permanently inaccessible.")
	e.vmk(t0+102, c, wo, sevWarning, "NMP: nmp_DeviceStartLoop:721:NMP Device \"", id, "\" is blocked. Not starting I/O from device.")
	if g >= ESXi6 {
		e.vmk(t0+103, c, wo, sevInfo, "ScsiDevice: 8708: Device ", id, " APD Notify PERM LOSS; token num:1")
	}
	for ms := t0 + 200; ms < t0+300_000; ms += 4000 + int64(e.r.intn(4000)) {
		e.scsiIO(ms, cpu(), w(), 0x25, dev, e.r.intn(2), scsiStatus{h: 1, sense: possibleSense, key: 5, asc: 0x25})
	}
	e.vmk(t0+300_100, cpu(), w(), sevWarning, "ScsiDeviceIO: 7330: READ CAPACITY on device \"", id, "\" from Plugin \"NMP\" failed. I/O error")
	if g >= ESXi5 {
		e.vobd(t0+104, "GenericCorrelator", "esx.problem.scsi.device.state.permanentloss",
			"Device: "+id+" has been removed or is permanently inaccessible. Affected datastores (if any): \"NA_DS03\".")
	}
}

func (e *evb) latency(from, to int64, w func() int, cpu func() int) {
	const dev = 3
	id := DeviceID(dev)
	for ms := from; ms < to; ms += 20*60_000 + int64(e.r.intn(10*60_000)) {
		avg := 900 + e.r.intn(20000)
		cur := avg*30 + e.r.intn(300000)
		c, wo := cpu(), w()
		e.vmk(ms, c, wo, sevWarning, "ScsiDeviceIO: 1218: Device ", id, " performance has deteriorated. I/O latency increased from average value of ",
			strconv.Itoa(avg), " microseconds to ", strconv.Itoa(cur), " microseconds.")
		e.vobd(ms+1, "GenericCorrelator", "vob.scsi.device.io.latency.high", "Device "+id+" performance has deteriorated. I/O latency increased from average value of "+
			strconv.Itoa(avg)+" microseconds to "+strconv.Itoa(cur)+" microseconds.")
		e.vmk(ms+90_000, c, wo, sevInfo, "ScsiDeviceIO: 1198: Device ", id, " performance has improved. I/O latency reduced from ",
			strconv.Itoa(cur), " microseconds to ", strconv.Itoa(cur/6), " microseconds.")
	}
}

func (e *evb) reservation(from, to int64, w func() int, cpu func() int) {
	const dev = 4
	id := DeviceID(dev)
	rc := scsiStatus{d: 0x18}
	g := e.d.gen
	n := 0
	for ms := from; ms < to; ms += 2000 + int64(e.r.intn(4000)) {
		c, wo := cpu(), w()
		e.scsiIO(ms, c, wo, 0x2a, dev, e.r.intn(2), rc)
		if n%10 == 5 {
			if g <= ESX4 {
				e.vmk(ms+1, c, wo, sevWarning, "SCSI: 5532: Failing I/O due to too many reservation conflicts")
			} else {
				e.vmk(ms+1, c, wo, sevInfo, "ScsiDeviceToken: 115: Completed IO with status H:0x0 D:0x18 P:0x0 after losing reservation on device ", id)
			}
		}
		n++
	}
}

func (e *evb) queueFull(from, to int64, w func() int, cpu func() int) {
	const dev = 5
	qf := scsiStatus{d: 0x28, activeCmdCount: 32}
	busy := scsiStatus{d: 0x8}
	n := 0
	for ms := from; ms < to; ms += 1000 + int64(e.r.intn(3000)) {
		st := qf
		if n%5 == 4 {
			st = busy
		}
		if n%2 == 0 {
			e.scsiIO(ms, cpu(), w(), 0x2a, dev, e.r.intn(2), st)
		} else {
			e.nmp(ms, cpu(), w(), 0x28, dev, e.r.intn(2), st)
		}
		if n%30 == 29 {
			e.repeated(ms+2, cpu(), w(), dev, 20+e.r.intn(40))
		}
		n++
	}
}

func (e *evb) thinprov(from, to int64, w func() int, cpu func() int) {
	const dev = 6
	st := scsiStatus{d: 2, sense: validSense, key: 7, asc: 0x27, ascq: 7}
	for ms := from; ms < to; ms += 3000 + int64(e.r.intn(5000)) {
		e.scsiIO(ms, cpu(), w(), 0x2a, dev, e.r.intn(2), st)
	}
	if e.d.gen >= ESXi5 {
		comp := "Vimsvc.ha-eventmgr"
		if e.d.gen == ESXi5 {
			comp = "ha-eventmgr"
		}
		e.mgmt("hostd", from+15_000, sevWarning, comp, "", "Event "+strconv.Itoa(10000+e.r.intn(9000))+
			" : Message on SQL01 on "+e.d.host+" in ha-datacenter: There is no more space for virtual disk SQL01_1.vmdk. You might be able to continue this session by freeing disk space on the relevant volume, and clicking Retry. Click Cancel to terminate this session.")
	}
}

func (e *evb) deadPath(t0 int64, w func() int, cpu func() int) {
	const dev = 7
	id := DeviceID(dev)
	g := e.d.gen
	path := pathNames[g][dev][1]
	nc := scsiStatus{h: 1, sense: possibleSense, act: "FAILOVER"}
	for i := 0; i < 6; i++ {
		e.nmp(t0+int64(i)*700, cpu(), w(), 0x2a, dev, 1, nc)
	}
	c, wo := cpu(), w()
	if g >= ESXi5 {
		e.vmk(t0+4500, c, wo, sevWarning, "NMP: nmp_DeviceRetryCommand:133: Device \"", id, "\": awaiting fast path state update for failover with I/O blocked. No prior reservation exists on the device.")
		e.vmk(t0+5000, c, wo, sevInfo, "NMP: nmp_DeviceUpdatePathStates:547: Activated path \"", pathNames[g][dev][0], "\" for NMP device \"", id, "\".")
		e.vmk(t0+5100, c, wo, sevInfo, "vmw_psp_rr: psp_rrSelectPath:1101: Changing active path from ", path, " to ", pathNames[g][dev][0], " for device \"", id, "\".")
		e.vobd(t0+5200, "GenericCorrelator", "vob.scsi.scsipath.pathstate.dead", "scsiPath "+path+" changed state from on")
		e.vobd(t0+5300, "GenericCorrelator", "esx.problem.storage.redundancy.lost", "Lost path redundancy to storage device "+id+". Path "+path+" is down. Affected datastores: \"NA_DS01\".")
	} else {
		e.vmk(t0+5000, c, wo, sevInfo, "NMP: nmp_DeviceUpdatePathStates: Activated path \"", pathNames[g][dev][0], "\" for NMP device \"", id, "\".")
		e.vmk(t0+5100, c, wo, sevWarning, "NMP: nmp_PathDetermineFailure: SCSI cmd RESERVE failed on path ", path, ", reservation state on device ", id, " is unknown.")
	}
}
