// Package synth writes large, realistic, synthetic ESXi vm-support bundles for
// benchmarks, rules tests and end-to-end tests of esxdiag. It is test tooling: it
// imports only the standard library and klauspost/compress, and nothing in
// esxdiag's analysis path imports it.
//
// # What a bundle looks like
//
// Generate (or Write) streams a .tgz holding one top folder
// esx-<host>-<YYYY-MM-DD>--<HH.MM>-<pid>/ with a README ("Captured on: …"),
// commands/vmware_-vl.txt, commands/uname_-a.txt, commands/vdf_-h.txt (the
// ramdisk table, including hostdstats), commands/localcli_system-visorfs-ramdisk-list.txt
// (ESXi 5+), etc/vmware/esx.conf, var/core/*-zdump.* when a problem dumps core,
// and the logs of the generation (formats.md §1.4):
//
//	ESXi 5–8: var/run/log/{vmkernel,vmkwarning,hostd,vpxa,vobd}.log (+ hostd-probe.log on ESXi 8 with hostd-crash)
//	ESXi 4.x: var/log/messages (vmkernel and "Hostd:" records), var/log/vmware/hostd.log, var/log/vmware/vpx/vpxa.log
//	ESX 3.5:  var/log/{vmkernel,vmkwarning,messages}, var/log/vmware/hostd.log, var/log/vmware/vpx/vpxa.log
//
// With Config.RotateBytes each log is split into name.0.gz (newest rotation),
// name.1.gz … plus the current file; with Config.FragBytes every archive member
// larger than that is stored as name.FRAG-00000, name.FRAG-00001 … pieces (a
// piece may cut a line or a gzip stream anywhere). WriteDir writes the same tree
// as a folder, WriteVCenterZip a vCenter export .zip of one .tgz per host,
// WriteLog a single log and NoiseText problem-free vmkernel text.
//
// # Line formats
//
// Each Generation writes the grammars of formats.md §2: ESX 3.5 and 4.x syslog
// wrappers with vmkernel uptime ("Mar  1 08:53:36 host vmkernel: 2:16:49:12.573
// cpu3:4099)…"), ESX 3.5 "status = D/H 0xK 0xA 0xQ" SCSI lines, pre-5.0 bracketed
// hostd, ESXi 5 ISO vmkernel and "[TID level 'comp' opID=…]" hostd, ESXi 6–7
// "level hostd[TID] [Originator@6876 sub=…]" records with "--> " continuation
// lines, and ESXi 8 syslog severity prefixes ("In(182) vmkernel:", "Wa(180)
// vmkwarning:", "In(166) Hostd[pid]:", "In(14) vobd[pid]:  ") where the NMP
// "Failed:" record is split: its H:/D:/P: status follows as the next record of
// the same cpu:world, e.g.
//
//	2024-03-06T14:15:03.581Z In(182) vmkernel: cpu0:2099604)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x28 (0x…, 2099604) to dev "naa.…" on path "vmhba2:C0:T1:L0" Failed:
//	2024-03-06T14:15:03.581Z In(182) vmkernel: cpu0:2099604)H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe. Act:NONE
//
// ESX 3.5 "status = A/B" is written as device/host status in decimal (KB 289902;
// KB 1008113's "40/0" is QUEUE FULL 0x28), not host/device as formats.md §2.1 says:
// queue-full writes "status = 40/0 …", reservation-conflict "status = 24/0 …", the
// UNIT ATTENTION storm "status = 2/0 0x6 0x3f 0xe".
//
// # Problems and noise
//
// Problems (stable string ids, see AllProblems) are rendered as fixed, time-ordered
// records at fixed offsets before CollectedAt and interleaved with noise. Device
// problems use fixed devices (see DeviceID and ProblemDevice): 0 ua-storm, 1 apd,
// 2 pdl, 3 latency, 4 reservation-conflict, 5 queue-full, 6 thinprov-nospace,
// 7 dead-path. Device ids are NetApp ONTAP style naa.60a98000<hex serial>.
// Noise is modelled on real benign records; the only SCSI failures in it are the
// MODE SENSE / ATA PASS-THROUGH 0x5/0x24/0x0 rejections from the local boot device
// (mpx.vmhba32:C0:T0:L0) that real hosts log. The Manifest returned by Generate
// lists what each problem wrote (lines per log kind, first/last time, object).
//
// # Damage
//
// Config.Damage breaks the container on purpose: "truncated" cuts the outer gzip
// stream halfway into the member at 60% of the content (no trailer, mid-block),
// "corrupt-gz" flips 32 bytes in the middle of the first nested .gz,
// "missing-frag" leaves out FRAG-00001 of the first plain member with ≥ 3 pieces
// (else of the first fragmented member; a set of two loses FRAG-00000, since a
// lost last piece cannot be told from a complete set), "frag-reversed" stores the
// pieces of the first other fragmented member last-to-first (that member is built
// in memory). Damage that needs rotation or fragments turns them on; the Manifest
// marks the damaged entries (Missing, Corrupt, Truncated, Reversed) and lists in
// Notes any damage that could not be applied. The folder writer ignores
// truncated and frag-reversed.
//
// # Determinism and speed
//
// Output depends only on Config: the same Config gives the same bytes (fixed tar
// metadata, zero gzip header times, per-file seeded generators, independent of
// GOMAXPROCS). Bytes are stable for one version of this package, not across
// versions: tests should assert on injected problems (Manifest, marker lines),
// not on counts that depend on noise. Lines come from
// precompiled templates appended into reused buffers with hand-written number and
// time formatting (no fmt per line); rotated .gz members are compressed in
// parallel (GOMAXPROCS workers, bounded lookahead) and everything is compressed
// with klauspost gzip at BestSpeed.
package synth
