package parser

import (
	"testing"
	"time"
)

// refTime is the collection time used to infer syslog years in tests.
var refTime = time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)

type hdrWant struct {
	g                 Grammar
	t                 string // RFC3339Nano UTC, "" = no time
	inferred          bool
	level, comp, opid string
	cpu, world        int
	proc, host        string
	pid, pri          int
	uptime            time.Duration
	cont              bool
	body              string // prefix of Body
}

// Lines are real: public-samples.txt (lnav format samples), CASE.md, formats.md §2.3-2.4 (ESXi 8 NMP lines),
// KB 337796, KB 338435 / 309543, sexilog, formats.md §2. A few are marked
// (shape) where formats.md gives only the grammar.
var headerCases = []struct {
	name string
	line string
	want hdrWant
}{
	{"vmk5 plain", `2014-11-14T19:19:51.559Z cpu7:35233)VC: 2002: Device rescan time 704 msec (total number of devices 91)`,
		hdrWant{g: GrammarVmk5, t: "2014-11-14T19:19:51.559Z", comp: "VC", cpu: 7, world: 35233, pid: -1, pri: -1, body: "VC: 2002: Device rescan"}},
	{"vmk5 alert", `2015-04-01T22:22:35.038Z cpu22:44012977)ALERT: This is what an alert looks like.`,
		hdrWant{g: GrammarVmk5, t: "2015-04-01T22:22:35.038Z", level: "ALERT", cpu: 22, world: 44012977, pid: -1, pri: -1, body: "This is what"}},
	{"vmk5 opID", `2022-06-02T02:16:57.414Z cpu31:1001392590 opID=827cfaf)<unk>: UWVMKSyscall: ForkExec:2408: hostd-worker: Found params <group=hostd-tmp,mem=10>`,
		hdrWant{g: GrammarVmk5, t: "2022-06-02T02:16:57.414Z", comp: "<unk>", opid: "827cfaf", cpu: 31, world: 1001392590, pid: -1, pri: -1, body: "<unk>: UWVMKSyscall"}},
	{"esxi8 vmkwarning", `2023-08-08T15:08:36.834Z Wa(180) vmkwarning: cpu0:263421 opID=a03fc439)WARNING: Sched: vm 265285: 6404: could not create container group, status: Admission check failed for memory resource`,
		hdrWant{g: GrammarESXi8, t: "2023-08-08T15:08:36.834Z", level: "WARNING", comp: "Sched", opid: "a03fc439", cpu: 0, world: 263421, proc: "vmkwarning", pid: -1, pri: 180, body: "Sched: vm 265285"}},
	{"esxi8 boot no millis no cpu", `2023-08-08T14:13:55Z In(182) vmkernel: VMB: 65: Reserved 4 MPNs starting @ 0x4c1`,
		hdrWant{g: GrammarESXi8, t: "2023-08-08T14:13:55Z", level: "In", comp: "VMB", cpu: -1, world: -1, proc: "vmkernel", pid: -1, pri: 182, body: "VMB: 65:"}},
	{"esxi8 nmp failed", `2026-03-29T20:49:12.918Z In(182) vmkernel: cpu70:2098575)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x45dd57ec84c0, 2097288) to dev "naa.#########################" on path "vmhba3:C0:T6:L17" Failed:`,
		hdrWant{g: GrammarESXi8, t: "2026-03-29T20:49:12.918Z", level: "In", comp: "NMP", cpu: 70, world: 2098575, proc: "vmkernel", pid: -1, pri: 182, body: "NMP: nmp_Throttle"}},
	{"hostd pre-5.0", `[2011-04-01 15:14:34.203 F5A5AB90 info 'vm:/vmfs/volumes/4d6579ec-23f981cb-465c-00237da0cfee/Vmotion-test/Vmotion-test.vmx' opID=F6FC49D5-000007E6-d] VMotionPrepare: dstMgmtIp=10.21.49.138`,
		hdrWant{g: GrammarHostdPre5, t: "2011-04-01T15:14:34.203Z", level: "info", comp: "vm:/vmfs/volumes/4d6579ec-23f981cb-465c-00237da0cfee/Vmotion-test/Vmotion-test.vmx", opid: "F6FC49D5-000007E6-d", cpu: -1, world: -1, pid: -1, pri: -1, body: "VMotionPrepare:"}},
	{"hostd 5.x", `2014-01-17T04:55:50.347Z [7F03ECE76700 verbose 'Default' opID=2140bc71] [VpxVmomi] Invoke done: vmodl.query.PropertyCollector.waitForUpdatesEx session: c580b3ef-0011-88a5-b2af-7ca7e74114c8`,
		hdrWant{g: GrammarHostd5, t: "2014-01-17T04:55:50.347Z", level: "verbose", comp: "Default", opid: "2140bc71", cpu: -1, world: -1, pid: -1, pri: -1, body: "[VpxVmomi] Invoke"}},
	{"vpxa 5.x KB 301541", `2010-10-10T22:53:31.077Z [45EEEB90 info 'Default' opID=D1D8F924-00002337-83] [VpxLRO] -- ERROR task-768 -- -- vpxapi.VpxaService.createSnapshot: vim.fault.ApplicationQuiesceFault:`,
		hdrWant{g: GrammarHostd5, t: "2010-10-10T22:53:31.077Z", level: "info", comp: "Default", opid: "D1D8F924-00002337-83", cpu: -1, world: -1, pid: -1, pri: -1, body: "[VpxLRO] -- ERROR"}},
	{"originator offset", `2014-11-04T15:53:31.075+05:30 verbose vpxd[05160] [Originator@6876 sub=PropertyProvider opID=ProcessAlarmFiring-427c3c55] RecordOp ASSIGN: declaredAlarmState["alarm-1.host-23"], host-23. Applied change to temp map.`,
		hdrWant{g: GrammarOriginator, t: "2014-11-04T10:23:31.075Z", level: "verbose", comp: "PropertyProvider", opid: "ProcessAlarmFiring-427c3c55", cpu: -1, world: -1, proc: "vpxd", pid: 5160, pri: -1, body: "RecordOp ASSIGN"}},
	{"originator sub with spaces", `2020-05-11T22:36:11.202Z verbose hostd[1000212678] [Originator@6876 sub=Vimsvc.Ticket 52 66 af 87 76 b0 ab 21-dd 2b 28 27 3a 39 fd fd opID=ec9d7fe8] Ticket issued for root`,
		hdrWant{g: GrammarOriginator, t: "2020-05-11T22:36:11.202Z", level: "verbose", comp: "Vimsvc.Ticket 52 66 af 87 76 b0 ab 21-dd 2b 28 27 3a 39 fd fd", opid: "ec9d7fe8", cpu: -1, world: -1, proc: "hostd", pid: 1000212678, pri: -1, body: "Ticket issued"}},
	{"originator proc dash", `2020-05-11T22:32:22.736Z info -[1000212040] [Originator@6876 sub=Default] Successfully registered SIGHUP handler`,
		hdrWant{g: GrammarOriginator, t: "2020-05-11T22:32:22.736Z", level: "info", comp: "Default", cpu: -1, world: -1, proc: "-", pid: 1000212040, pri: -1, body: "Successfully"}},
	{"section header", `2014-11-04T12:46:42.990+05:30 Section for VMware VirtualCenter, pid=6432, version=6.0.0, build=2255588, option=BETA`,
		hdrWant{g: GrammarISO, t: "2014-11-04T07:16:42.99Z", cpu: -1, world: -1, pid: -1, pri: -1, body: "Section for VMware"}},
	{"esxi8 vmsyslogd", `2022-06-02T02:56:51.640Z In(14) vmsyslogd[1001390391]: Logs rotated. 2022-06-02T02:54:42.721Z - time the service was last started 2022-06-02T02:54:42.708Z, Section for VMware ESX, pid=1001391976, version=8.0.0, build=19833347, option=BETA`,
		hdrWant{g: GrammarESXi8, t: "2022-06-02T02:56:51.64Z", level: "In", cpu: -1, world: -1, proc: "vmsyslogd", pid: 1001390391, pri: 14, body: "Logs rotated."}},
	{"esxi8 hostd info -[tid]", `2022-06-02T02:15:22.987Z In(166) Hostd[1001392061]: info -[1001392061] [Originator@6876 sub=Default] Supported VMs 640`,
		hdrWant{g: GrammarESXi8, t: "2022-06-02T02:15:22.987Z", level: "info", comp: "Default", cpu: -1, world: -1, proc: "Hostd", pid: 1001392061, pri: 166, body: "Supported VMs 640"}},
	{"esxi8 hostd user with space", `2022-06-02T03:20:05.107Z Db(167) Hostd[1001392035]: [Originator@6876 sub=AdapterServer opID=531c52d7-9d8a sid=52806149 user=vpxuser:<no user>] New request: target='vim.HostSystem:ha-host', method='retrieveInternalCapability', session='52806149-fe15-f6ff-7685-353ae5d93dcc'`,
		hdrWant{g: GrammarESXi8, t: "2022-06-02T03:20:05.107Z", level: "Db", comp: "AdapterServer", opid: "531c52d7-9d8a", cpu: -1, world: -1, proc: "Hostd", pid: 1001392035, pri: 167, body: "New request:"}},
	{"esxi8 hostd user backslash", `2024-03-26T04:31:17.959Z In(166) Hostd[2098914]: [Originator@6876 sub=Libs opID=539bc6dd-c7-c39c sid=52370179 user=vpxuser:VSPHERE.LOCAL\vpxd-extension-a86d81ba-5ea8-47e4-ae55-c91f3dc2ece9] notFound(403)`,
		hdrWant{g: GrammarESXi8, t: "2024-03-26T04:31:17.959Z", level: "In", comp: "Libs", opid: "539bc6dd-c7-c39c", cpu: -1, world: -1, proc: "Hostd", pid: 2098914, pri: 166, body: "notFound(403)"}},
	{"esxi8 [+] continuation", `2022-06-02T05:34:23Z In(14)[+] hostprofile[1001430319]: {'mode': 'Disabled', 'exceptionUsers': []}`,
		hdrWant{g: GrammarESXi8, t: "2022-06-02T05:34:23Z", level: "In", cpu: -1, world: -1, proc: "hostprofile", pid: 1001430319, pri: 14, cont: true, body: "{'mode'"}},
	{"esxi8 date only", `2022-06-02 In(14) hostprofile[1001430319]: 05:34:23.666 {'mode': 'Disabled', 'exceptionUsers': []}`,
		hdrWant{g: GrammarESXi8, t: "2022-06-02T05:34:23.666Z", level: "In", cpu: -1, world: -1, proc: "hostprofile", pid: 1001430319, pri: 14, body: "{'mode'"}},
	{"esxi8 watchdog", `2022-05-17T07:39:38.357Z In(9) watchdog-vobd[1001390409]: Executing '/usr/lib/vmware/vob/bin/vobd ++securitydom=vobdDom'`,
		hdrWant{g: GrammarESXi8, t: "2022-05-17T07:39:38.357Z", level: "In", cpu: -1, world: -1, proc: "watchdog-vobd", pid: 1001390409, pri: 9, body: "Executing"}},
	{"esxi8 settingsd opId", `2023-08-09T14:42:43.094Z In(14) settingsd[263657]: debug [ConfigStore:c5f9ac2700 opId=cabbdb94-0afb-4d23-9203-e901779b9b04] [RunCommand] About to run command /usr/bin/python /usr/lib/vmware/lifecycle/bin/imagemanagerctl.py VIB --list-all`,
		hdrWant{g: GrammarESXi8, t: "2023-08-09T14:42:43.094Z", level: "debug", comp: "ConfigStore:c5f9ac2700", opid: "cabbdb94-0afb-4d23-9203-e901779b9b04", cpu: -1, world: -1, proc: "settingsd", pid: 263657, pri: 14, body: "[RunCommand]"}},
	{"vpxd quoted", `2025-06-04T17:06:21.349Z INFO vpxd 20973 [Originator@4413 sub="ServiceAccount" opID="SvcAcctInit-5a91f2fc"] Service account accessor initialized; user: vpxd-svc-acct-90beeaa8-b1b3-46f4-8200-641edac5cacf@VSPHERE.LOCAL, passwordStatus: Ok`,
		hdrWant{g: GrammarVpxdQuoted, t: "2025-06-04T17:06:21.349Z", level: "INFO", comp: "ServiceAccount", opid: "SvcAcctInit-5a91f2fc", cpu: -1, world: -1, proc: "vpxd", pid: 20973, pri: -1, body: "Service account"}},
	{"vpxd lro", `2022-06-02T11:58:12.193Z info vpxd[45715] [Originator@6876 sub=vpxLro opID=7e1280cf] [VpxLRO] -- BEGIN lro-846063 -- SessionManager -- vim.SessionManager.sessionIsActive -- 528e6e0c-246d-58b5-3234-278c6e0c5d0d(52c289ac-2563-48d5-8a8e-f178da022c0d)`,
		hdrWant{g: GrammarOriginator, t: "2022-06-02T11:58:12.193Z", level: "info", comp: "vpxLro", opid: "7e1280cf", cpu: -1, world: -1, proc: "vpxd", pid: 45715, pri: -1, body: "[VpxLRO] -- BEGIN"}},
	{"esxi8 + continuation (lnav variant)", `2022-06-02T05:34:23Z In(14)+ hostprofile[1001430319]: {'mode': 'Disabled'}`,
		hdrWant{g: GrammarESXi8, t: "2022-06-02T05:34:23Z", level: "In", cpu: -1, world: -1, proc: "hostprofile", pid: 1001430319, pri: 14, cont: true, body: "{'mode'"}},
	{"originator sub with parens (shape, formats.md 2.5)", `2020-05-11T22:36:11.202Z verbose hostd[1000212678] [Originator@6876 sub=VigorStatsProvider(00000083d6be5d20).GuestStats(1) opID=ec9d7fe8] Stats ok`,
		hdrWant{g: GrammarOriginator, t: "2020-05-11T22:36:11.202Z", level: "verbose", comp: "VigorStatsProvider(00000083d6be5d20).GuestStats(1)", opid: "ec9d7fe8", cpu: -1, world: -1, proc: "hostd", pid: 1000212678, pri: -1, body: "Stats ok"}},
	{"esxi8 host-NNNN tag (shape)", `2023-08-08T14:13:55.100Z In(14) host-12345[2099]: message`,
		hdrWant{g: GrammarESXi8, t: "2023-08-08T14:13:55.1Z", level: "In", cpu: -1, world: -1, proc: "host-12345", pid: 2099, pri: 14, body: "message"}},
	{"hostd 5.x with user (shape)", `2013-05-14T09:12:44.512Z [FFDB0B70 info 'TaskManager' opID=hostd-46c7 user=root] Task Created : haTask-ha-host-vim.HostSystem.enterMaintenanceMode-94`,
		hdrWant{g: GrammarHostd5, t: "2013-05-14T09:12:44.512Z", level: "info", comp: "TaskManager", opid: "hostd-46c7", cpu: -1, world: -1, pid: -1, pri: -1, body: "Task Created"}},
	{"continuation -->", `--> )`, hdrWant{g: GrammarContinuation, cpu: -1, world: -1, pid: -1, pri: -1, cont: true, body: ")"}},
	{"continuation indented", "    at foo", hdrWant{g: GrammarContinuation, cpu: -1, world: -1, pid: -1, pri: -1, cont: true, body: "at foo"}},
	{"4.x syslog vmkernel (CASE 1)", `Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device "naa.xxxxxxxxxxxxx" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`,
		hdrWant{g: GrammarSyslog, t: "2026-03-01T08:53:36Z", inferred: true, comp: "ScsiDeviceIO", cpu: 3, world: 4099, proc: "vmkernel", host: "host.com", pid: -1, pri: -1, uptime: 2*24*time.Hour + 16*time.Hour + 49*time.Minute + 12573*time.Millisecond, body: "ScsiDeviceIO: 1672"}},
	{"4.x syslog year rollback", `Apr 7 17:41:03 esx_host vmkernel: 17:19:52:55.726 cpu6:3476319)UserDump: 1485: Dumping cartel 3476251 (from world 3476319) to file /var/core/hostd-worker-zdump.000 ...`,
		hdrWant{g: GrammarSyslog, t: "2025-04-07T17:41:03Z", inferred: true, comp: "UserDump", cpu: 6, world: 3476319, proc: "vmkernel", host: "esx_host", pid: -1, pri: -1, uptime: 17*24*time.Hour + 19*time.Hour + 52*time.Minute + 55726*time.Millisecond, body: "UserDump: 1485"}},
	{"4.x Hostd in messages", `Apr 7 17:33:20 esx_host Hostd: [2012-04-07 17:33:20.472 32AE9B90 error 'Statssvc'] Error: 'FileIO error: No space left : /var/lib/vmware/hostd/stats/hostAgentStats.idMap'; while adding stat ...`,
		hdrWant{g: GrammarSyslog, t: "2012-04-07T17:33:20.472Z", level: "error", comp: "Statssvc", cpu: -1, world: -1, proc: "Hostd", host: "esx_host", pid: -1, pri: -1, body: "Error: 'FileIO"}},
	{"4.x Hostd backtrace", `Apr 7 17:33:21 esx_host Hostd: [00] rip 17c6bbf3`,
		hdrWant{g: GrammarSyslog, t: "2025-04-07T17:33:21Z", inferred: true, cpu: -1, world: -1, proc: "Hostd", host: "esx_host", pid: -1, pri: -1, cont: true, body: "[00] rip"}},
	{"4.x no host", `Jul 26 01:26:46 vmkernel: 7:21:06:31.191 cpu3:33421)WARNING: Heap: 2525: Heap bc already at its maximumSize. Cannot expand.`,
		hdrWant{g: GrammarSyslog, t: "2025-07-26T01:26:46Z", inferred: true, level: "WARNING", comp: "Heap", cpu: 3, world: 33421, proc: "vmkernel", pid: -1, pri: -1, uptime: 7*24*time.Hour + 21*time.Hour + 6*time.Minute + 31191*time.Millisecond, body: "Heap: 2525"}},
	{"4.x no tag", `Apr 7 17:41:03 esx_host: 17:19:52:55.580 cpu7:4182)BC: 3837: Failed to flush 45 buffers of size 8192 each for object '' 1 4 ed6 0 0 0 0 0 0 0 0 0 0 0: No free memory for file data`,
		hdrWant{g: GrammarSyslog, t: "2025-04-07T17:41:03Z", inferred: true, comp: "BC", cpu: 7, world: 4182, host: "esx_host", pid: -1, pri: -1, uptime: 17*24*time.Hour + 19*time.Hour + 52*time.Minute + 55580*time.Millisecond, body: "BC: 3837"}},
	{"KB vmkernel: uptime", `vmkernel: 116:03:44:19.039 cpu4:4100)NMP: nmp_CompleteCommandForPath: Command 0x2a (0x4100020e0b00) to NMP device "sym.029010111831353837" failed on physical path "vmhba2:C0:T0:L152" H:0x2 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0.`,
		hdrWant{g: GrammarVmkUptime, comp: "NMP", cpu: 4, world: 4100, proc: "vmkernel", pid: -1, pri: -1, uptime: 116*24*time.Hour + 3*time.Hour + 44*time.Minute + 19039*time.Millisecond, body: "NMP: nmp_Complete"}},
	{"KB no day", `19:26:42.068 cpu0:4103)NMP: nmp_CompleteCommandForPath: Command 0x28 (0x4100070e8e80) to NMP device "naa.********************" failed on physical path "vmhba2:C0:T1:L27" H:0x8 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0`,
		hdrWant{g: GrammarVmkUptime, comp: "NMP", cpu: 0, world: 4103, pid: -1, pri: -1, uptime: 19*time.Hour + 26*time.Minute + 42068*time.Millisecond, body: "NMP: nmp_Complete"}},
	{"ESX 3.5 bare WARNING", `WARNING: SCSI: 5663: vmhba0:0:1:1 status = 0/8 0x0 0x0 0x0`,
		hdrWant{g: GrammarVmkBare, level: "WARNING", comp: "SCSI", cpu: -1, world: -1, pid: -1, pri: -1, body: "SCSI: 5663"}},
	{"ESX 3.5 bare StorageMonitor", `StorageMonitor: 196: vmhba1:1:6:0 status = 0/1 0x0 0x0 0x0`,
		hdrWant{g: GrammarVmkBare, comp: "StorageMonitor", cpu: -1, world: -1, pid: -1, pri: -1, body: "StorageMonitor: 196"}},
	{"ESX 3.5 syslog (shape)", `Feb 19 14:32:07 esx35 vmkernel: 0:01:50:14.873 cpu1:1035)WARNING: SCSI: 5663: vmhba0:0:1:1 status = 0/8 0x0 0x0 0x0`,
		hdrWant{g: GrammarSyslog, t: "2026-02-19T14:32:07Z", inferred: true, level: "WARNING", comp: "SCSI", cpu: 1, world: 1035, proc: "vmkernel", host: "esx35", pid: -1, pri: -1, uptime: time.Hour + 50*time.Minute + 14873*time.Millisecond, body: "SCSI: 5663"}},
	{"forwarded ISO host tag (sexilog)", `2015-02-14T20:37:58.770Z esx.vmware.com vmkwarning: cpu26:4316)WARNING: NMP: nmp_DeviceStartLoop:722:NMP Device "naa.60a9800041764a4138244378686b4179" is blocked. Not starting I/O from device.`,
		hdrWant{g: GrammarISO, t: "2015-02-14T20:37:58.77Z", level: "WARNING", comp: "NMP", cpu: 26, world: 4316, proc: "vmkwarning", host: "esx.vmware.com", pid: -1, pri: -1, body: "NMP: nmp_DeviceStartLoop"}},
	{"rfc5424 vcsa", `<13>1 2017-03-23T13:16:45.654835+01:00 vcsa vmon 2237 - -  Executing op`,
		hdrWant{g: GrammarRFC5424, t: "2017-03-23T12:16:45.654835Z", cpu: -1, world: -1, proc: "vmon", host: "vcsa", pid: 2237, pri: 13, body: "Executing op"}},
	{"rfc5424 wrapping vmk5 (shape)", `<166>1 2024-03-07T10:15:01.123Z esx01 vmkernel - - - 2024-03-07T10:15:01.123Z cpu3:2097)ScsiDeviceIO: 4124: Cmd(0x45a) 0x28, CmdSN 0x1 from world 0 to dev "naa.6" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe`,
		hdrWant{g: GrammarVmk5, t: "2024-03-07T10:15:01.123Z", comp: "ScsiDeviceIO", cpu: 3, world: 2097, proc: "vmkernel", host: "esx01", pid: -1, pri: 166, body: "ScsiDeviceIO"}},
	{"rfc3164 PRI (shape)", `<166>Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: x`,
		hdrWant{g: GrammarSyslog, t: "2026-03-01T08:53:36Z", inferred: true, comp: "ScsiDeviceIO", cpu: 3, world: 4099, proc: "vmkernel", host: "host.com", pid: -1, pri: 166, uptime: 2*24*time.Hour + 16*time.Hour + 49*time.Minute + 12573*time.Millisecond, body: "ScsiDeviceIO"}},
	{"vobd 5-7 (shape, formats.md 2.6)", `2012-08-01T10:10:10.123Z: [APDCorrelator] 1234567us: [esx.problem.storage.apd.timeout] Device or filesystem with identifier [naa.x] has entered the All Paths Down Timeout state`,
		hdrWant{g: GrammarVobd, t: "2012-08-01T10:10:10.123Z", comp: "APDCorrelator", cpu: -1, world: -1, pid: -1, pri: -1, uptime: 1234567 * time.Microsecond, body: "[esx.problem.storage.apd.timeout]"}},
	{"vobd 8 two spaces (shape)", `2023-01-01T10:10:10.123Z In(14) vobd[2097800]:  [APDCorrelator] 1234567us: [vob.storage.apd.start] Device or filesystem with identifier [naa.x] has entered the All Paths Down state.`,
		hdrWant{g: GrammarESXi8, t: "2023-01-01T10:10:10.123Z", level: "In", comp: "APDCorrelator", cpu: -1, world: -1, proc: "vobd", pid: 2097800, pri: 14, uptime: 1234567 * time.Microsecond, body: "[vob.storage.apd.start]"}},
}

func TestParseHeader(t *testing.T) {
	for _, tc := range headerCases {
		t.Run(tc.name, func(t *testing.T) {
			var h Header
			if !ParseHeader([]byte(tc.line), refTime, &h) {
				t.Fatalf("ParseHeader false")
			}
			checkHeader(t, &h, tc.want)
		})
	}
}

func checkHeader(t *testing.T, h *Header, w hdrWant) {
	t.Helper()
	if h.Grammar != w.g {
		t.Errorf("grammar %s, want %s", h.Grammar, w.g)
	}
	gotT := ""
	if h.HasTime {
		gotT = h.Time.Format(time.RFC3339Nano)
		if h.Time.Location() != time.UTC {
			t.Errorf("time not UTC")
		}
	}
	if gotT != w.t {
		t.Errorf("time %q, want %q", gotT, w.t)
	}
	if h.TimeInferred != w.inferred {
		t.Errorf("inferred %v, want %v", h.TimeInferred, w.inferred)
	}
	for _, f := range []struct{ n, got, want string }{
		{"level", string(h.Level), w.level}, {"component", string(h.Component), w.comp},
		{"opID", string(h.OpID), w.opid}, {"proc", string(h.Proc), w.proc}, {"host", string(h.Host), w.host},
	} {
		if f.got != f.want {
			t.Errorf("%s %q, want %q", f.n, f.got, f.want)
		}
	}
	if h.CPU != w.cpu || h.World != w.world {
		t.Errorf("cpu:world %d:%d, want %d:%d", h.CPU, h.World, w.cpu, w.world)
	}
	if h.PID != w.pid || h.PRI != w.pri {
		t.Errorf("pid %d pri %d, want %d %d", h.PID, h.PRI, w.pid, w.pri)
	}
	if h.Uptime != w.uptime || h.HasUptime != (w.uptime != 0) {
		t.Errorf("uptime %v (%v), want %v", h.Uptime, h.HasUptime, w.uptime)
	}
	if h.Continuation != w.cont {
		t.Errorf("continuation %v, want %v", h.Continuation, w.cont)
	}
	if !hasPrefix(h.Body, w.body) {
		t.Errorf("body %q, want prefix %q", h.Body, w.body)
	}
}

func TestParseHeaderRejects(t *testing.T) {
	for _, l := range []string{
		"", "\n", "hello world", "2024-13-01T00:00:00Z cpu1:2)x", "2024-03-07T10:15:01.123Z cpu3:)x",
		"2024-03-07T10:15:01.123Z In(182 vmkernel: x", "[2011-04-01 15:14:34.203 F5A5AB90 info 'unterminated",
		"Mar 1 99:53:36 host vmkernel: x", "<13>1 garbage", "<>x", "Note: this is prose",
		"2022-06-02T11:58:12.193Z info vpxd[45715] [Originator@6876 sub=vpxLro opID=7e1280cf",
	} {
		var h Header
		if ParseHeader([]byte(l), refTime, &h) {
			t.Errorf("%q parsed as %s", l, h.Grammar)
		}
	}
}

func TestParseHeaderZeroRef(t *testing.T) {
	var h Header
	if !ParseHeader([]byte(`Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)x: y`), time.Time{}, &h) {
		t.Fatal("no parse")
	}
	if h.HasTime || h.TimeInferred || h.Time.Month() != time.March || h.Time.Hour() != 8 {
		t.Errorf("zero ref: %+v", h)
	}
}

func TestParseHeaderCRLF(t *testing.T) {
	var h Header
	if !ParseHeader([]byte("2014-11-14T19:19:51.559Z cpu7:35233)VC: 2002: x\r\n"), refTime, &h) || string(h.Body) != "VC: 2002: x" {
		t.Errorf("CRLF body %q", h.Body)
	}
}

// A bundle collected on 2 January holds December lines of the year before.
func TestSyslogYearRollover(t *testing.T) {
	ref := time.Date(2027, 1, 2, 3, 0, 0, 0, time.UTC)
	var h Header
	for _, c := range []struct{ line, want string }{
		{"Dec 31 23:59:59 esx01 vmkernel: 0:00:00:01.000 cpu0:1)x: y", "2026-12-31T23:59:59Z"},
		{"Jan  2 02:59:00 esx01 vmkernel: 0:00:00:01.000 cpu0:1)x: y", "2027-01-02T02:59:00Z"},
		{"Jan  3 10:00:00 esx01 vmkernel: 0:00:00:01.000 cpu0:1)x: y", "2027-01-03T10:00:00Z"},
	} {
		if !ParseHeader([]byte(c.line), ref, &h) || h.Time.Format(time.RFC3339) != c.want || !h.TimeInferred {
			t.Errorf("%q: %v inferred=%v, want %s", c.line, h.Time, h.TimeInferred, c.want)
		}
	}
}
