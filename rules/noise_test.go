package rules

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"time"
)

// noiseText generates about n bytes of benign ESXi 5–8 log lines (vmkernel,
// hostd, vobd chatter) for benchmarks and the "clean bundle" test. It is a
// local stand-in for bundles/synth.NoiseText; the lines are modelled on the
// grammars of the project's format reference and contain no problem keyword
// of the example catalog below.
func noiseText(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	t := time.Date(2024, 3, 7, 10, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	b.Grow(n + 512)
	hex := func(w int) string {
		const h = "0123456789abcdef"
		var s [32]byte
		for i := 0; i < w; i++ {
			s[i] = h[r.IntN(16)]
		}
		return string(s[:w])
	}
	naa := func() string { return "naa.60a98000" + hex(24) }
	for b.Len() < n {
		t = t.Add(time.Duration(r.IntN(900)) * time.Millisecond)
		ts := t.Format("2006-01-02T15:04:05.000Z")
		cpu, world := r.IntN(48), 2097152+r.IntN(900000)
		switch r.IntN(20) {
		case 0:
			fmt.Fprintf(&b, "%s cpu%d:%d)NMP: nmp_ResetDeviceLogThrottling:3345: last error status from device %s repeated %d times\n", ts, cpu, world, naa(), 1+r.IntN(40))
		case 1:
			fmt.Fprintf(&b, "%s cpu%d:%d)ScsiScan: 976: Path 'vmhba%d:C0:T%d:L%d': Vendor: 'NETAPP  '  Model: 'LUN C-Mode      '  Rev: '%d'\n", ts, cpu, world, r.IntN(4), r.IntN(4), r.IntN(64), 8200+r.IntN(100))
		case 2:
			fmt.Fprintf(&b, "%s cpu%d:%d)VSCSI: 6602: handle %d(vscsi0:%d):Destroying Device for world %d (pendCom 0)\n", ts, cpu, world, 8190+r.IntN(100), r.IntN(4), world)
		case 3:
			fmt.Fprintf(&b, "%s cpu%d:%d)Vol3: 2128: Couldn't read volume header from : Timeout\n", ts, cpu, world)
		case 4:
			fmt.Fprintf(&b, "%s cpu%d:%d)FS3Misc: 1891: Long VMFS rsv time on 'datastore%d' (held for %d msecs). # R: 1 - lease renewed\n", ts, cpu, world, r.IntN(9), 200+r.IntN(900))
		case 5:
			fmt.Fprintf(&b, "%s cpu%d:%d)NetPort: 1780: disabled port 0x%x\n", ts, cpu, world, 0x2000000+r.IntN(1<<16))
		case 6:
			fmt.Fprintf(&b, "%s cpu%d:%d)vmw_ahci[0000001f]: scsiDiscover:the max LUN number is %d\n", ts, cpu, world, r.IntN(8))
		case 7:
			fmt.Fprintf(&b, "%s [%s verbose 'Default' opID=%s] [VpxVmomi] Invoke done: vmodl.query.PropertyCollector.waitForUpdatesEx session: %s-%s\n", ts, hex(12), hex(8), hex(8), hex(12))
		case 8:
			fmt.Fprintf(&b, "%s info hostd[%d] [Originator@6876 sub=Vimsvc.TaskManager opID=%s user=vpxuser] Task Completed : haTask-%d-vim.VirtualMachine.createSnapshot-%d Status success\n", ts, world, hex(8), r.IntN(200), r.IntN(1<<24))
		case 9:
			fmt.Fprintf(&b, "%s verbose hostd[%d] [Originator@6876 sub=PropertyProvider opID=%s] RecordOp ASSIGN: info, haTask-%d. Applied change to temp map.\n", ts, world, hex(8), r.IntN(500))
		case 10:
			fmt.Fprintf(&b, "%s In(166) Hostd[%d]: [Originator@6876 sub=Libs opID=%s] NetstackInstanceImpl: congestion control algorithm: newreno\n", ts, world, hex(8))
		case 11:
			fmt.Fprintf(&b, "%s cpu%d:%d)Tcpip_Vmk: 1288: Affinitizing 192.168.%d.%d to world %d, Success\n", ts, cpu, world, r.IntN(255), r.IntN(255), world)
		case 12:
			fmt.Fprintf(&b, "%s cpu%d:%d)Config: 706: \"SIOControlFlag2\" = %d, Old Value: %d, (Status: 0x0)\n", ts, cpu, world, r.IntN(3), r.IntN(3))
		case 13:
			fmt.Fprintf(&b, "%s: [netCorrelator] %dus: [vob.net.vmnic.linkstate.up] vmnic%d linkstate up\n", ts, r.IntN(1<<30), r.IntN(8))
		case 14:
			fmt.Fprintf(&b, "%s cpu%d:%d)World: 12235: VC opID %s maps to vmkernel opID %s\n", ts, cpu, world, hex(8), hex(8))
		case 15:
			fmt.Fprintf(&b, "%s In(182) vmkernel: cpu%d:%d)CBT: 1352: Created device %s-cbt for cbt driver with filehandle %d\n", ts, cpu, world, hex(8), r.IntN(1<<26))
		case 16:
			fmt.Fprintf(&b, "%s cpu%d:%d)SunRPC: 3303: Synchronous RPC abort for client 0x%s IP 10.%d.%d.%d.8.1 proc %d xid 0x%s attempt %d of 3\n", ts, cpu, world, hex(12), r.IntN(255), r.IntN(255), r.IntN(255), r.IntN(9), hex(8), 1+r.IntN(3))
		case 17:
			fmt.Fprintf(&b, "%s info vpxa[%d] [Originator@6876 sub=vpxLro opID=%s] [VpxLRO] -- FINISH lro-%d\n", ts, world, hex(8), r.IntN(1<<20))
		case 18:
			fmt.Fprintf(&b, "%s cpu%d:%d)Fil3: 5004: Sync READ error ('.fbb.sf') (ioFlags: 8) : IO was aborted\n", ts, cpu, world)
		default:
			fmt.Fprintf(&b, "%s cpu%d:%d)DVFilter: 5963: Checking disconnected filters for timeouts\n", ts, cpu, world)
		}
	}
	return b.Bytes()
}

// benchKeywords is a keyword set shaped like the built-in catalog's (about 50
// literals from the rule catalog draft), used until the catalog lands and to
// keep the matcher comparison reproducible.
var benchKeywords = []string{
	"sense data", "ScsiDeviceIO", "nmp_ThrottleLogForDevice", "nmp_CompleteCommandForPath",
	"StorageMonitor", "status = ", "APD", "PDL", "PERM LOSS", "permanently",
	"performance has deteriorated", "esx.problem.storage", "Lost access to volume",
	"Lost connectivity", "heartbeat", "HB at offset", "reservation conflict",
	"Failing I/O due to too many reservation", "Restricting cmd", "queue full", "QUEUE FULL",
	"Heap vmfs3", "Cannot allocate", "No free memory for file data", "No space left",
	"hostdstats", "esx.conf", "Lock file", "method is disabled", "MethodDisabled",
	"UserDump", "zdump", "Backtrace", "not responding", "quiesce", "Quiesce", "VSS",
	"failed on physical path", "Valid sense", "Possible sense", "PSOD", "LUN inventory",
	"vob.scsi.device.io.latency.high", "esx.problem.vmfs.heartbeat", "Device or resource busy",
	"Out of memory", "vim.fault.", "Panic", "core dump", "no free space",
}
