package synth

// Noise: benign records written between injected problems. Bodies are modelled on
// real vmkernel/hostd/vpxa/vobd records (formats.md §2, public-samples.txt); none of
// them carries a problem marker. The only SCSI failures in noise are the benign
// MODE SENSE (0x1a) / ATA PASS-THROUGH (0x85) 0x5/0x24/0x0 rejections from the
// local boot device that every real host logs (filtered by VMware's own tooling,
// rules-catalog.md "noise filter").

type wline struct {
	w    int
	s    sev
	sub  *tmpl // hostd/vpxa component (sub=… / 'comp')
	body *tmpl
	cont []*tmpl // "--> " continuation lines
}

func wl(w int, s sev, sub, body string, cont ...string) wline {
	l := wline{w: w, s: s, body: compile(body)}
	if sub != "" {
		l.sub = compile(sub)
	}
	for _, c := range cont {
		l.cont = append(l.cont, compile(c))
	}
	return l
}

var vmkNoise = []wline{
	wl(10, sevInfo, "", "VSCSI: 2891: handle {d4}(vscsi0:{d1}):Reset request on FSS handle {d7} ({d1} outstanding commands) from (vmm0:{vm})"),
	wl(8, sevInfo, "", "Net: 2263: connected {vm} eth0 to VM Network, portID 0x{h7}"),
	wl(6, sevInfo, "", "NetPort: 1632: disabled port 0x{h7}"),
	wl(12, sevInfo, "", "CBT: 1341: Created device {h5}-cbt for cbt driver with filehandle {d7}"),
	wl(12, sevInfo, "", "CBT: 723: Disconnecting the cbt device {h5}-cbt with filehandle {d7}"),
	wl(6, sevInfo, "", "FS3Misc: 1759: Long VMFS rsv time on '{ds}' (held for {d3} msecs). # R: 1, # W: 1 bytesXfer: 5 sectors"),
	wl(4, sevInfo, "", "Config: 703: \"SIOControlFlag2\" = 1, Old Value: 0, (Status: 0x0)"),
	wl(6, sevInfo, "", "Tcpip_Vmk: 1059: Affinitizing {ip} to world {world}, Success"),
	wl(6, sevInfo, "", "SVM: 5032: SkipZero 0, dstFsBlockSize -1, preallocateBlocks 0, vmfsOptimizations 0, useBitmapCopy 1, destEmpty 0"),
	wl(4, sevInfo, "", "VC: 2002: Device rescan time {d3} msec (total number of devices {d2})"),
	wl(6, sevInfo, "", "Vol3: 731: Couldn't read volume header from control: Not supported"),
	wl(6, sevInfo, "", "FSS: 5099: No FS driver claimed device 'control': No filesystem on the device"),
	wl(4, sevInfo, "", "VmMemXfer: vm {world}: 2465: Evicting VM with path:/vmfs/volumes/{uuid}/{vm}/{samevm}.vmx"),
	wl(4, sevInfo, "", "MigrateNet: vm {world}: 3263: Accepted connection from <::ffff:{ip}>"),
	wl(3, sevInfo, "", "VMotion: 3878: {d13} S: Stopping pre-copy: only {d4} pages left to send, which can be sent within the switchover time goal of 0.500 seconds (network bandwidth ~{d4}.{d3} MB/s, {d2}% t2d)"),
	wl(3, sevInfo, "", "Swap: vm {world}: 3563: Finish swapping in migration swap file. (faulted 0 pages, pshared 0 pages). Success."),
	wl(10, sevInfo, "", "World: 12235: VC opID {op} maps to vmkernel opID {h8}"),
	wl(4, sevInfo, "", "DVFilter: 5963: Checking disconnected filters for timeouts"),
	wl(3, sevInfo, "", "ScsiDeviceIO: 4124: Get VPD 86 Inquiry for device \"{dev}\" from Plugin \"NMP\" failed. Not supported"),
	wl(3, sevInfo, "", "NMP: nmp_DeviceRequestFastDeviceProbe:237: NMP device \"{dev}\" state in doubt; requested fast path state update..."),
	wl(2, sevWarning, "", "UserEpoll: 542: UNSUPPORTED events 0x40"),
	wl(2, sevWarning, "", "NetDVS: 547: portAlias is NULL"),
	wl(1, sevWarning, "", "Sched: vm {world}: 6404: could not create container group, status: Admission check failed for memory resource"),
}

// 4.x / 3.5 vmkernel noise (older subsystems, no CBT/opID mapping).
var vmkNoiseOld = []wline{
	wl(10, sevInfo, "", "VSCSI: 2891: handle {d4}(vscsi0:{d1}):Reset request on FSS handle {d7} ({d1} outstanding commands)"),
	wl(8, sevInfo, "", "Net: 1421: connected {vm} eth0 to VM Network, portID 0x{h7}"),
	wl(6, sevInfo, "", "FS3: 1974: Checking if lock holders are live for lock [type 10c00001 offset {d8} v {d2}, hb offset {d7}"),
	wl(6, sevInfo, "", "FS3Misc: 1440: Long VMFS3 rsv time on '{ds}' (held for {d3} msecs). # R: 1, # W: 1 bytesXfer: 2 sectors"),
	wl(6, sevInfo, "", "Tcpip_Vmk: 1059: Affinitizing {ip} to world {world}, Success"),
	wl(6, sevInfo, "", "VMotion: 2425: {d13} S: Stopping pre-copy: not enough forward progress (Pages left to send: prev2 {d4}, prev {d4}, cur {d4}, network bandwidth ~{d3}.{d3} MB/s)"),
	wl(6, sevInfo, "", "Migrate: 296: {d13} S: Another pre-copy iteration needed with {d4} pages left to send (prev2 {d5}, prev {d5}, network bandwidth ~{d3}.{d3} MB/s)"),
	wl(4, sevInfo, "", "SCSI: 3040: Retry count for scsi device vmhba32:0:0 exceeded, Resetting to 0"),
	wl(4, sevInfo, "", "Config: 414: \"HostLocalSwapDirEnabled\" = 0, Old Value: 0, (Status: 0x0)"),
	wl(3, sevInfo, "", "VSCSIFs: 1381: Issuing reset on handle {d4}"),
	wl(2, sevWarning, "", "Heap: 1435: Heap_Align(globalCartel-1, 136/136 bytes, 8 align) retried"),
}

var hostdNoise = []wline{
	wl(12, sevInfo, "Vimsvc.TaskManager", "Task Created : haTask-ha-host-vim.HostSystem.retrieveInternalCapability-{d8}"),
	wl(12, sevInfo, "Vimsvc.TaskManager", "Task Completed : haTask-ha-host-vim.HostSystem.retrieveInternalCapability-{d8} Status success"),
	wl(10, sevVerbose, "AdapterServer", "New request: target='vim.HostSystem:ha-host', method='retrieveInternalCapability', session='{sess}'"),
	wl(10, sevVerbose, "Solo.Vmomi", "Activation [N5Vmomi10ActivationE:0x000000{h8}] : Invoke done [waitForUpdatesEx] on [vmodl.query.PropertyCollector:ha-property-collector]"),
	wl(6, sevInfo, "Vimsvc.ha-eventmgr", "Event {d5} : User root@{ip} logged in as VMware-client/6.5.0"),
	wl(6, sevInfo, "Vimsvc.ha-eventmgr", "Event {d5} : User root@{ip} logged out (login time: Thursday, 07 March, 2024 08:12:03, number of API invocations: {d2}, user agent: VMware-client/6.5.0)"),
	wl(6, sevInfo, "Vmsvc.vm:/vmfs/volumes/{uuid}/{vm}/{samevm}.vmx", "Send config update invoked"),
	wl(5, sevInfo, "Hostsvc.DatastoreSystem", "RefreshVdiskDatastores: Done refreshing datastores."),
	wl(4, sevVerbose, "Vimsvc.Ticket {tick}", "Ticket issued for root"),
	wl(4, sevVerbose, "PropertyProvider", "RecordOp ASSIGN: info, haTask-ha-host-vim.HostSystem.retrieveInternalCapability-{d8}. Applied change to temp map."),
	wl(3, sevInfo, "Hostsvc.VmkVprobSource", "VmkVprobSource::Post event: (vim.event.EventEx) {",
		"   key = {d3},", "   chainId = {d3},", "   createdTime = \"1970-01-01T00:00:00Z\",", "   userName = \"\",",
		"   host = (vim.event.HostEventArgument) {", "      name = \"{host}\",", "      host = 'vim.HostSystem:ha-host'", "   },",
		"   eventTypeId = \"esx.audit.net.firewall.config.changed\",", "   objectId = \"ha-host\",", "   objectType = \"vim.HostSystem\",", "}"),
	wl(2, sevWarning, "Hostsvc.NetworkProvider", "Unable to retrieve network hint for pnic vmnic3"),
}

var hostdNoiseOld = []wline{
	wl(12, sevVerbose, "ha-license-manager", "Load: Loading existing file: /etc/vmware/license.cfg"),
	wl(12, sevInfo, "TaskManager", "Task Created : haTask-ha-host-vim.HostSystem.retrieveInternalCapability-{d5}"),
	wl(12, sevInfo, "TaskManager", "Task Completed : haTask-ha-host-vim.HostSystem.retrieveInternalCapability-{d5}"),
	wl(8, sevVerbose, "Statssvc", "Publishing stats for host ha-host"),
	wl(6, sevInfo, "ha-eventmgr", "Event {d4} : User root@{ip} logged in"),
	wl(6, sevVerbose, "vm:/vmfs/volumes/{uuid}/{vm}/{samevm}.vmx", "Time to gather config: {d2} (msecs)"),
	wl(4, sevVerbose, "HostsvcPlugin", "Refreshing datastore info"),
	wl(2, sevWarning, "Proxysvc", "SSL Handshake failed for stream <SSL(<io_obj p:0x{h8}, h:{d2}, <TCP '127.0.0.1:443'>, <TCP '127.0.0.1:5{d4}'>>)>"),
}

var vpxaNoise = []wline{
	wl(12, sevInfo, "vpxLro", "[VpxLRO] -- BEGIN lro-{d6} -- vpxa -- vpxapi.VpxaService.retrieveChanges -- {sess}"),
	wl(12, sevInfo, "vpxLro", "[VpxLRO] -- FINISH lro-{d6}"),
	wl(8, sevVerbose, "hostdcnx", "[VpxaHalCnxHostagent::ProcessUpdate] Processing update for host ha-host, version {d4}"),
	wl(6, sevVerbose, "vpxaInvtHost", "[VpxaInvtHost::UpdateHostInfo] Updated host info: {d2} VMs, {d1} datastores"),
	wl(6, sevVerbose, "VpxaHalCnxHostagent", "[WaitForUpdatesDone] Completed callback"),
	wl(4, sevInfo, "vpxaMoService", "[VpxaMoService::GetChangesInt] Vpxa update in progress, version {d4}"),
}

var vobdNoise = []wline{
	wl(8, sevInfo, "UserLevelCorrelator|vob.user.ssh.session.opened", "SSH session was opened for 'root@{ip}'."),
	wl(8, sevInfo, "UserLevelCorrelator|esx.audit.ssh.session.opened", "SSH session was opened for 'root@{ip}'."),
	wl(8, sevInfo, "UserLevelCorrelator|vob.user.ssh.session.closed", "SSH session was closed for 'root@{ip}'."),
	wl(4, sevInfo, "UserLevelCorrelator|esx.audit.net.firewall.config.changed", "Firewall configuration has changed. Operation 'enable' for rule set webAccess succeeded."),
	wl(3, sevInfo, "UserLevelCorrelator|esx.audit.shell.enabled", "The ESXi command line shell has been enabled."),
	wl(3, sevInfo, "GenericCorrelator|vob.user.dcui.login", "DCUI login succeeded for user root."),
}

// ESX 3.5 service console syslog (var/log/messages).
var consoleNoise = []wline{
	wl(10, sevInfo, "sshd|1", "Accepted password for root from {ip} port 5{d4} ssh2"),
	wl(10, sevInfo, "sshd|1", "pam_unix(sshd:session): session opened for user root by (uid=0)"),
	wl(10, sevInfo, "crond|1", "(root) CMD (run-parts /etc/cron.hourly)"),
	wl(6, sevInfo, "ntpd|1", "synchronized to {ip}, stratum 3"),
	wl(6, sevInfo, "vmware-hostd|1", "Accepted connection from {ip}"),
	wl(4, sevInfo, "snmpd|1", "Connection from UDP: [{ip}]:5{d4}"),
}

// ESXi 4.x messages: non-vmkernel, non-Hostd tags.
var messagesOtherNoise = []wline{
	wl(10, sevInfo, "sfcb-vmware_base|1", "TIMEOUT DOING SHARED SOCKET RECV RESULT ({d4})"),
	wl(8, sevInfo, "Vpxa|0", "[{H8} verbose 'VpxaHalCnxHostagent' opID=WFU-{h8}] [WaitForUpdatesDone] Completed callback"),
	wl(6, sevInfo, "dhclient-uw|1", "DHCPREQUEST on vmk0 to {ip} port 67"),
	wl(4, sevInfo, "sfcb-ProviderManager|1", "--- Calling provider for invoke method"),
	wl(3, sevInfo, "root|0", "init Running vmware-vpxa restart"),
}

// weighted picks from a table.
type picker struct {
	lines []wline
	cum   []int
	total int
}

func newPicker(ls []wline) *picker {
	p := &picker{lines: ls}
	for _, l := range ls {
		p.total += l.w
		p.cum = append(p.cum, p.total)
	}
	return p
}

func (p *picker) pick(r *rng) *wline {
	x := r.intn(p.total)
	for i, c := range p.cum {
		if x < c {
			return &p.lines[i]
		}
	}
	return &p.lines[len(p.lines)-1]
}
