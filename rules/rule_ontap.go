package rules

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/esxdiag/esxdiag/parser"
)

// NetApp ONTAP EMS rules. They are Go rather than TOML because the engine
// parses only ESXi headers: an ONTAP record's time, zone and year (and the
// verified-or-alias status of its event name) need parser.ParseONTAP.
//
// Event names: kb.md §8 and rules-catalog.md "NetApp ONTAP side". A rule
// keys on VERIFIED names (docs.netapp.com ONTAP EMS reference, NetApp
// Harvest ems.yaml, or a published capture); UNVERIFIED names are accepted
// as aliases, and a finding that rests only on an alias says so (Facts
// "unverified_names"). Matching is case-insensitive (7-Mode "lun.offline",
// clustered "LUN.offline"). No NetApp KB number is verified, so these rules
// cite the EMS reference pages in Facts["reference"] instead of KB ids.

type ontapDef struct {
	id, title string
	sev       Severity
	verified  []string // exact names (case-insensitive)
	aliases   []string // exact unverified names
	// aliasMatch accepts further unverified names or message texts.
	aliasMatch  func(ev, msg []byte) bool
	object      func(r *parser.ONTAPRecord) string
	remediation []string
	reference   string
	samples     []Sample
	// kw are extra prefilter literals for aliasMatch (event names and their
	// lower-case spellings are keywords already); allLines: every line (the
	// map rule also reads the "lun show -v" inventory and the input's span).
	kw       []string
	allLines bool
	// churn: fire only when some object has churnMin events within churnWindow.
	churnMin    int
	churnWindow time.Duration
}

// IDs used by the correlation rules.
const (
	ontapLunMapID    = "ontap-lun-map-churn"
	ontapVolFullID   = "ontap-volume-full"
	ontapAggrFullID  = "ontap-aggregate-full"
	ontapLunSpaceID  = "ontap-lun-no-space"
	ontapLunOffID    = "ontap-lun-offline"
	ontapNearlyID    = "ontap-volume-nearly-full"
	ontapPortFullID  = "ontap-fc-port-full"
	ontapMaxRecords  = 20000
	ontapMapChurnMin = 4
)

func objVolume(r *parser.ONTAPRecord) string {
	if len(r.Volume) > 0 {
		return "volume " + string(r.Volume)
	}
	return ""
}

func objLUN(r *parser.ONTAPRecord) string {
	if len(r.LUNPath) > 0 {
		return "LUN " + string(r.LUNPath)
	}
	return objVolume(r)
}

func objAggr(r *parser.ONTAPRecord) string {
	if len(r.Aggregate) > 0 {
		return "aggregate " + string(r.Aggregate)
	}
	return ""
}

func objNode(r *parser.ONTAPRecord) string { return "node " + string(r.Node) }

// hasFold reports whether b contains s (s lower case), ASCII case folded, without allocating.
func hasFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		j := 0
		for ; j < len(s); j++ {
			c := b[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != s[j] {
				break
			}
		}
		if j == len(s) {
			return true
		}
	}
	return false
}

// prefixFold reports whether b starts with p (p lower case), ASCII case folded.
func prefixFold(b []byte, p string) bool { return len(b) >= len(p) && hasFold(b[:len(p)], p) }

func ontapDefs() []*ontapDef {
	return []*ontapDef{
		{
			id: ontapVolFullID, title: "ONTAP volume full", sev: SeverityCritical,
			verified: []string{"monitor.vol.full.inc.sav", "wafl.vol.full", "vserver.storage.full"},
			aliases:  []string{"monitor.volume.full"},
			object:   objVolume,
			remediation: []string{
				"Add space to the volume (volume size / vol size), or enable volume autosize, and check the aggregate has room.",
				"Delete unneeded Snapshot copies or enable Snapshot autodelete; for LUN volumes use a volume guarantee with fractional reserve, or thin provisioning with monitoring.",
				"On ESXi hosts using LUNs of this volume, resume the VMs stunned by out-of-space writes (7/27/07) once space is added.",
			},
			reference: "docs.netapp.com ONTAP EMS reference (monitor-vol-events, vserver-storage-events); wafl.vol.full as published in clustered ONTAP event log output",
			samples: []Sample{
				{Line: "3/7/2024 10:15:01   cl1-01   ALERT   wafl.vol.full: Insufficient space on volume ds01@svm1:9f1c-22 to perform operation. 1.01MB was requested but only 1.00MB was available.", Match: true},
				{Line: "3/7/2024 10:15:01   cl1-01   ALERT   monitor.vol.full.inc.sav: Volume ds01@svm1 is full.", Match: true},
				{Line: "3/7/2024 10:15:01   cl1-01   NOTICE  wafl.vol.autoSize.done: Volume autosize: Automatic grow of volume 'ds01@vserver:svm1' by 10GB complete.", Match: false},
			},
		},
		{
			id: ontapNearlyID, title: "ONTAP volume nearly full", sev: SeverityWarning,
			verified: []string{"monitor.volume.nearlyFull", "vserver.storage.nearlyFull"},
			object:   objVolume,
			remediation: []string{
				"Grow the volume or enable autosize before it fills; thin LUNs in a full volume return SPACE ALLOCATION FAILED (7/27/07) to hosts.",
				"Review Snapshot retention and enable Snapshot autodelete.",
			},
			reference: "monitor.volume.nearlyFull as published in clustered ONTAP event log output; vserver.storage.nearlyFull, ONTAP EMS reference",
			samples: []Sample{
				{Line: "11/24/2012 15:15:29  node-01  ERROR  monitor.volume.nearlyFull: Volume ds01@svm1:9f1c is nearly full (using or reserving 95% of space and 4% of inodes).", Match: true},
				{Line: "11/24/2012 15:15:29  node-01  ERROR  monitor.volume.ok: Volume ds01@svm1:9f1c is OK.", Match: false},
			},
		},
		{
			id: ontapAggrFullID, title: "ONTAP aggregate full", sev: SeverityCritical,
			verified: []string{"aggr.full"},
			object:   objAggr,
			remediation: []string{
				"Add disks to the aggregate or move volumes off it (volume move); thin-provisioned volumes in a full aggregate cannot write.",
				"Check which volumes are thin (no guarantee) and what Snapshot copies pin space.",
			},
			reference: "docs.netapp.com ONTAP EMS reference, aggr-full-events",
			samples: []Sample{
				{Line: `3/7/2024 10:15:01 cl1-02 ALERT aggr.full: Aggregate "aggr1" is full.`, Match: true},
				{Line: `3/7/2024 10:15:01 cl1-02 ERROR wafl.cp.toolong: Aggregate aggr1 experienced a long CP.`, Match: false},
			},
		},
		{
			id: "ontap-snapshot-reserve", title: "ONTAP Snapshot reserve overflow", sev: SeverityWarning,
			kw: []string{"napshot reserve", "nap reserve"},
			// No EMS name for snapshot-reserve overflow is verified (kb.md §8):
			// matched by message text only, always reported as unverified.
			aliasMatch: func(ev, msg []byte) bool {
				return (hasFold(msg, "snapshot reserve") || hasFold(msg, "snap reserve")) &&
					(hasFold(msg, "exceed") || hasFold(msg, "overflow") || hasFold(msg, "spill") || hasFold(msg, "full"))
			},
			object: objVolume,
			remediation: []string{
				"Snapshot copies use more than the Snapshot reserve and spill into the active file system: delete old Snapshot copies, enable Snapshot autodelete, or raise the reserve (volume modify -percent-snapshot-space / snap reserve).",
			},
			reference: "no verified EMS name; matched on the message text",
			samples: []Sample{
				{Line: "Sat Nov 24 15:15:29 EST [filer1: wafl.snap.reserve:warning]: Snapshot reserve of volume vol1 exceeded (120%).", Match: true},
				{Line: "Sat Nov 24 15:15:29 EST [filer1: wafl.snap.create:info]: Snapshot hourly.0 created on volume vol1.", Match: false},
			},
		},
		{
			id: ontapLunSpaceID, title: "ONTAP LUN write or operation failed for lack of space", sev: SeverityCritical,
			verified: []string{"LUN.vol.no.space", "LUN.vol.proc.fail.no.space", "wafl.write.fail.spcres"},
			aliases:  []string{"lun.outOfSpace", "scsitarget.lun.noSpace"},
			object:   objLUN,
			remediation: []string{
				"Add space to the volume (or its aggregate), then bring the LUN online if ONTAP took it offline (lun online / lun modify -state online); after LUN.vol.proc.fail.no.space run lun rescan -sync.",
				"Use a volume guarantee and fractional reserve for LUN volumes, or thin provisioning with space monitoring and autosize.",
			},
			reference: "docs.netapp.com ONTAP EMS reference, lun-vol-events (LUN.vol.no.space, LUN.vol.proc.fail.no.space) and wafl.write.fail.spcres",
			samples: []Sample{
				{Line: "3/7/2024 10:15:02  cl1-01  ERROR  LUN.vol.no.space: An operation on /vol/ds01/lun0 in volume ds01 (DSID 1043) failed due to lack of space in the volume.", Match: true},
				{Line: "3/7/2024 10:15:02  cl1-01  NOTICE  LUN.online: LUN /vol/ds01/lun0 was brought online.", Match: false},
			},
		},
		{
			id: ontapLunOffID, title: "ONTAP LUN offline", sev: SeverityError,
			verified: []string{"LUN.offline", "wafl.vvol.offline"},
			object:   objLUN,
			remediation: []string{
				"Find out who or what took the LUN offline (manual, space, or a failed volume) and bring it back online once the cause is fixed; ESXi hosts see the device not ready, APD or PDL meanwhile.",
			},
			reference: "docs.netapp.com ONTAP EMS reference, lun-offline-events; wafl.vvol.offline from NetApp Harvest ems.yaml",
			samples: []Sample{
				{Line: "<13>Nov 24 15:15:29 cl1-01 [cl1-01: mgwd: LUN.offline:notice]: LUN /vol/vol1/lun1, vol vol1 (DSID 1036) was brought offline (UUID: 6d2a).", Match: true},
				{Line: "Sat Nov 24 15:15:29 EST [filer1: lun.offline:notice]: LUN /vol/vol1/lun1 has been taken offline", Match: true},
				{Line: "3/7/2024 10:15:02  cl1-01  NOTICE  LUN.online: LUN /vol/ds01/lun0 was brought online.", Match: false},
			},
		},
		{
			id: ontapLunMapID, title: "ONTAP LUN map/unmap events (warning on churn)", sev: SeverityWarning, allLines: true,
			verified: []string{"lun.map"},
			aliases:  []string{"lun.unmap", "lun.map.ack", "lun.unmap.ack"},
			aliasMatch: func(ev, msg []byte) bool {
				// LUN clone create/destroy (the LUN.clone.* family exists per the
				// EMS reference TOC; create/destroy names unverified).
				return prefixFold(ev, "lun.clone.") && (hasFold(ev, "create") || hasFold(ev, "destroy") || hasFold(ev, "delete"))
			},
			object: objLUN,
			remediation: []string{
				"Frequent map/unmap of LUNs (often snapshot-backed LUN clones mounted by SnapDrive/SnapManager verification or VSC restores) changes the LUN inventory of every host in the igroup: each sees UNIT ATTENTION 6/3f/0e.",
				"Verify backups on a separate verification host (not the ESXi host running the production VMs), and clean up leftover igroups and LUN clones after restores.",
			},
			reference: "lun.map: published 7-Mode /etc/messages line; lun.unmap inferred; lun mapping create/delete, ONTAP CLI reference",
			churnMin:  ontapMapChurnMin, churnWindow: time.Hour,
			samples: []Sample{
				{Line: "Sat Nov 24 15:15:29 EST [p1-3240cl1-2: lun.map:info]: LUN /vol/karim_vol/my_lun was mapped to initiator group esx_hosts=0", Match: true}, // info: one map is context, not churn
				{Line: "Sat Nov 24 15:32:05 EST [p1-3240cl1-2: scsitarget.ispfct.portLogin:notice]: FCP login on Fibre Channel adapter '0c' from '20:00:00:25:b5:0a:00:46', address 0x80051.", Match: false},
			},
		},
		{
			id: "ontap-nvram-battery", title: "ONTAP NVRAM/NVMEM battery problem", sev: SeverityCritical,
			kw:       []string{"nvram.battery.", "NVRAM.battery.", "NVRAM.Battery."},
			verified: []string{"callhome.battery.low", "nvmem.battery.capacity.low", "nvmem.battery.capacity.low.warn", "nvmem.battery.capLow", "nvmem.battery.capLowCrit", "nvmem.battery.capLowWarn"},
			aliasMatch: func(ev, msg []byte) bool {
				return prefixFold(ev, "nvram.battery.") && !hasFold(ev, "normal")
			},
			object: objNode,
			remediation: []string{
				"Check the battery with system node environment sensors show; if the capacity keeps dropping, contact NetApp support: the node may shut down to protect unwritten data.",
			},
			reference: "callhome.battery.low: NetApp Harvest runbook; nvmem.battery.*: ONTAP EMS reference 9.14.1 nvmem events",
			samples: []Sample{
				{Line: "3/7/2024 10:15:01  cl1-01  ALERT  callhome.battery.low: Call home for BATTERY LOW.", Match: true},
				{Line: "3/7/2024 10:15:01  cl1-01  NOTICE  nvmem.battery.capacity.normal: NVMEM battery capacity is normal.", Match: false},
			},
		},
		{
			id: "ontap-consistency-point", title: "ONTAP long or back-to-back consistency points", sev: SeverityWarning,
			kw:       []string{"back-to-back", "Back-to-back", "back to back", "Back to back", "b2b", "B2B"},
			verified: []string{"wafl.cp.toolong"},
			// Back-to-back CPs: no EMS name verified; matched by message text.
			aliasMatch: func(ev, msg []byte) bool {
				return hasFold(msg, "back-to-back") || hasFold(msg, "back to back") || hasFold(ev, "b2b")
			},
			object: objAggr,
			remediation: []string{
				"Long or back-to-back CPs mean the disks cannot absorb the write load: hosts see latency or timeouts. Check disk utilisation and aggregate fullness, spread or reduce write load, and look for failed disks reconstructing.",
			},
			reference: "wafl.cp.toolong: docs.netapp.com ONTAP EMS reference, wafl-cp-events; back-to-back CP names unverified",
			samples: []Sample{
				{Line: "3/7/2024 10:15:01 cl1-02 ERROR wafl.cp.toolong: Aggregate aggr1 experienced a long CP.", Match: true},
				{Line: "3/7/2024 10:15:01 cl1-02 NOTICE wafl.cp.done: Aggregate aggr1 CP done.", Match: false},
			},
		},
		{
			id: "ontap-disk-failure", title: "ONTAP disk failure", sev: SeverityError,
			kw:       []string{"raid.", "RAID."},
			verified: []string{"disk.failmsg", "disk.outOfService"},
			aliasMatch: func(ev, msg []byte) bool {
				return prefixFold(ev, "raid.") && hasFold(ev, "fail")
			},
			object: func(r *parser.ONTAPRecord) string { return "node " + string(r.Node) },
			remediation: []string{
				"Replace the failed drive; check that spares exist and that RAID reconstruction completes (storage disk show -broken, storage aggregate show-status).",
			},
			reference: "disk.failmsg: ONTAP EMS reference (deprecated in 9.5, replaced by disk.outOfService, Harvest ems.yaml); raid.* failure names unverified",
			samples: []Sample{
				{Line: "3/7/2024 10:15:01  cl1-01  NOTICE  disk.outOfService: Drive 1.0.3 (S/N Z1Z2Z3) is out of service.", Match: true},
				{Line: "3/7/2024 10:15:01  cl1-01  NOTICE  disk.partner.diskUnown: x", Match: false},
			},
		},
		{
			id: ontapPortFullID, title: "ONTAP FC target port command queue full", sev: SeverityWarning,
			verified: []string{"scsitarget.fct.port.full"},
			object:   objNode,
			remediation: []string{
				"Outstanding commands on an FC target port exceed its limit: hosts see TASK SET FULL / BUSY (D:0x28 / D:0x8). Reduce hosts per port or LUNs per host, or lower the host queue depth; spread initiators over more target ports.",
				"Watch statistics show -object fcp_port -counter queue_full -instance <port> -raw and threshold_full.",
			},
			reference: "NetApp Harvest EMS runbook, scsitarget.fct.port.full",
			samples: []Sample{
				{Line: "3/7/2024 10:15:01  cl1-01  ERROR  scsitarget.fct.port.full: FC target port 0c: active commands 2048 reached the maximum 2048.", Match: true},
				{Line: "Sat Nov 24 15:32:05 EST [p1-3240cl1-2: scsitarget.ispfct.portLogin:notice]: FCP login on Fibre Channel adapter '0c' from '20:00:00:25:b5:0a:00:46', address 0x80051.", Match: false},
			},
		},
		{
			id: "ontap-ha-interconnect-down", title: "ONTAP HA interconnect down", sev: SeverityError,
			verified: []string{"callhome.hainterconnect.down"},
			object:   objNode,
			remediation: []string{
				"With the HA interconnect down, takeover may be unavailable: check the interconnect cabling and the partner node (storage failover show), and contact NetApp support if it does not recover.",
			},
			reference: "NetApp Harvest EMS runbook, callhome.hainterconnect.down",
			samples: []Sample{
				{Line: "3/7/2024 10:15:01  cl1-01  ALERT  callhome.hainterconnect.down: Call home for HA INTERCONNECT DOWN.", Match: true},
				{Line: "3/7/2024 10:15:01  cl1-01  NOTICE  callhome.hainterconnect.up: up", Match: false},
			},
		},
		{
			id: "ontap-node-panic", title: "ONTAP node panic", sev: SeverityCritical,
			verified: []string{"sk.panic"},
			object:   objNode,
			remediation: []string{
				"A node panicked: its partner took over its storage. On ESXi hosts expect 6/29 (reset) UNIT ATTENTIONs, ALUA transitions (2/04/0a), H:0x8 resets and path failovers at that time. Collect the core and open a NetApp case; give back after the node is healthy.",
			},
			reference: "NetApp Harvest ems.yaml, sk.panic",
			samples: []Sample{
				{Line: "3/7/2024 10:15:01  cl1-02  EMERGENCY  sk.panic: Panic String: Received PANIC packet from partner.", Match: true},
				{Line: "3/7/2024 10:15:01  cl1-02  NOTICE  cf.fsm.takeover: x", Match: false},
			},
		},
		{
			id: "ontap-snapmirror-failure", title: "ONTAP SnapMirror failure", sev: SeverityError,
			kw:       []string{"snapmirror.", "SnapMirror.", "Snapmirror."},
			verified: []string{"smc.snapmir.init.fail", "sms.status.out.of.sync", "sms.snap.not.replicated", "sms.common.snapshot.failed", "sms.failed.precheck"},
			aliasMatch: func(ev, msg []byte) bool {
				return prefixFold(ev, "snapmirror.") && (hasFold(ev, "fail") || hasFold(ev, "err") || hasFold(ev, "abort"))
			},
			object: objVolume,
			remediation: []string{
				"Check the relationship (snapmirror show -fields state,status,last-transfer-error), fix the reported error, then resync or re-initialize; with SnapMirror Synchronous strict mode an out-of-sync state restricts client I/O on the source.",
			},
			reference: "smc.snapmir.init.fail, sms.*: NetApp Harvest ems.yaml and ONTAP EMS reference sms events; 7-Mode snapmirror.* names unverified",
			samples: []Sample{
				{Line: "3/7/2024 10:15:01  cl1-01  ERROR  smc.snapmir.init.fail: Initialize from source volume 'svm1:vol1' to destination volume 'svm2:vol1_dst' failed with error 'Transfer aborted'.", Match: true},
				{Line: "3/7/2024 10:15:01  cl1-01  NOTICE  sms.status.in.sync: in sync", Match: false},
			},
		},
	}
}

// ontapRules returns the ONTAP event rules and the correlation rules.
func ontapRules() []GoRule {
	var out []GoRule
	for _, d := range ontapDefs() {
		out = append(out, ontapEventRule{d})
	}
	return append(out, lunMapUARule{}, spaceHostRule{}, portQfullRule{})
}

type ontapEventRule struct{ d *ontapDef }

func (r ontapEventRule) Info() RuleInfo {
	kinds := []parser.Kind{parser.KindONTAP}
	samples := make([]Sample, len(r.d.samples))
	copy(samples, r.d.samples)
	for i := range samples {
		samples[i].Kind = parser.KindONTAP
	}
	var kw []string
	if !r.d.allLines {
		seen := map[string]bool{}
		for _, k := range append(append(append([]string(nil), r.d.verified...), r.d.aliases...), r.d.kw...) {
			for _, v := range []string{k, strings.ToLower(k)} {
				if !seen[v] {
					seen[v] = true
					kw = append(kw, v)
				}
			}
		}
	}
	return RuleInfo{ID: r.d.id, Title: r.d.title, Severity: r.d.sev, Kinds: kinds, Keywords: kw,
		Needs: "ONTAP EMS log (/etc/messages, event log show, EMS log)", Source: "builtin:rule_ontap.go", Samples: samples}
}

func (r ontapEventRule) NewState() RuleState { return &ontapEventState{d: r.d} }

// match classifies an event: verified name, alias, or no match.
func (d *ontapDef) match(ev, msg []byte) (ok, verified bool) {
	for _, n := range d.verified {
		if bytes.EqualFold(ev, []byte(n)) {
			return true, true
		}
	}
	for _, n := range d.aliases {
		if bytes.EqualFold(ev, []byte(n)) {
			return true, false
		}
	}
	if d.aliasMatch != nil && d.aliasMatch(ev, msg) {
		return true, false
	}
	return false, false
}

// ontapRec is one matched ONTAP record, kept raw so its time can be
// re-read with a better reference (the ESXi bundles' collection time) in
// a multi-input analysis.
type ontapRec struct {
	seq  int
	num  int64
	path string
	text string
	ref  time.Time
}

// ontapEventState keeps the matched records of one rule on one input, and
// (map rule) the LUN serial inventory found in "lun show -v" output.
type ontapEventState struct {
	d       *ontapDef
	recs    []ontapRec
	dropped int
	serials map[string]string // LUN path -> serial
	nodes   map[string]bool   // node names seen (bounded)
	ref     time.Time         // fleet reference (SetFleet)
	// first and last EMS record of the input (map rule: it sees every
	// line), for the time span of an ONTAP input's report; the text is kept
	// in reused buffers.
	first, last edgeRec
}

type edgeRec struct {
	ok   bool
	seq  int
	num  int64
	ref  time.Time
	text []byte
}

func (a *edgeRec) less(seq int, num int64) bool {
	if a.seq != seq {
		return a.seq < seq
	}
	return a.num < num
}

func (a *edgeRec) set(seq int, num int64, ref time.Time, text []byte) {
	a.ok, a.seq, a.num, a.ref = true, seq, num, ref
	a.text = append(a.text[:0], text...)
}

func (s *ontapEventState) edge(seq int, num int64, ref time.Time, text []byte) {
	if !s.first.ok || !s.first.less(seq, num) {
		s.first.set(seq, num, ref, text)
	}
	if !s.last.ok || s.last.less(seq, num) {
		s.last.set(seq, num, ref, text)
	}
}

// span returns the time span of the input's EMS records.
func (s *ontapEventState) span(hostRef time.Time) TimeSpan {
	var sp TimeSpan
	for _, r := range []*edgeRec{&s.first, &s.last} {
		if !r.ok {
			continue
		}
		ref := r.ref
		if ref.IsZero() {
			ref = s.ref
		}
		if ref.IsZero() {
			ref = hostRef
		}
		var rec parser.ONTAPRecord
		if parser.ParseONTAP(r.text, ref, &rec) && rec.HasTime {
			sp.Add(rec.Time)
		}
	}
	return sp
}

func (s *ontapEventState) Observe(l *Line) {
	if s.d.id == ontapLunMapID {
		s.observeInventory(l.Text)
	}
	var r parser.ONTAPRecord
	if !parser.ParseONTAP(firstLine(l.Text), l.Member.ref, &r) {
		return
	}
	if s.d.id == ontapLunMapID {
		s.edge(l.Member.Seq, l.Num, l.Member.ref, firstLine(l.Text))
	}
	if len(s.nodes) < 16 && !s.nodes[string(r.Node)] {
		if s.nodes == nil {
			s.nodes = map[string]bool{}
		}
		s.nodes[string(r.Node)] = true
	}
	if ok, _ := s.d.match(r.Event, r.Message); !ok {
		return
	}
	if len(s.recs) >= ontapMaxRecords {
		s.dropped++
		return
	}
	s.recs = append(s.recs, ontapRec{seq: l.Member.Seq, num: l.Num, path: l.Member.Path, text: string(firstLine(l.Text)), ref: l.Member.ref})
}

// observeInventory reads "lun show -v" output: a "/vol/…" LUN path followed
// by "Serial#: XXXXXXXXXXXX" (7-Mode) or "Serial Number: …" (clustered
// ONTAP). The shape is written from memory of the CLI output (INFERRED, not
// checked against a capture in this project); a serial is only used when it
// is 12 characters or 24 hex digits.
func (s *ontapEventState) observeInventory(rec []byte) {
	for _, key := range []string{"Serial#:", "Serial Number:"} {
		from := 0
		for {
			k := bytes.Index(rec[from:], []byte(key))
			if k < 0 {
				break
			}
			k += from
			from = k + len(key)
			v := bytes.TrimSpace(rec[from:])
			if e := bytes.IndexAny(v, " \t\r\n"); e >= 0 {
				v = v[:e]
			}
			serial, ok := parser.NormalizeNetAppSerial(string(v))
			if !ok {
				continue
			}
			p := bytes.LastIndex(rec[:k], []byte("/vol/"))
			if p < 0 {
				continue
			}
			e := bytes.IndexAny(rec[p:], " \t\r\n,")
			if e < 0 {
				continue
			}
			if s.serials == nil {
				s.serials = map[string]string{}
			}
			s.serials[string(rec[p:p+e])] = serial
		}
	}
}

func (s *ontapEventState) Merge(other RuleState) {
	o, ok := other.(*ontapEventState)
	if !ok || o == nil {
		return
	}
	s.recs = append(s.recs, o.recs...)
	s.dropped += o.dropped
	for _, r := range []*edgeRec{&o.first, &o.last} {
		if r.ok {
			s.edge(r.seq, r.num, r.ref, r.text)
		}
	}
	for n := range o.nodes {
		if s.nodes == nil {
			s.nodes = map[string]bool{}
		}
		if len(s.nodes) < 16 {
			s.nodes[n] = true
		}
	}
	for k, v := range o.serials {
		if s.serials == nil {
			s.serials = map[string]string{}
		}
		if cur, ok := s.serials[k]; !ok || v < cur {
			s.serials[k] = v
		}
	}
}

// setRef gives year-less ONTAP stamps the fleet's reference time.
func (s *ontapEventState) setRef(ref time.Time) { s.ref = ref }

// ontapEvent is a parsed, matched record.
type ontapEvent struct {
	rec      parser.ONTAPRecord
	ev       Evidence
	seq      int
	verified bool
	object   string
}

// events parses the kept records (ordered by member, line).
func (s *ontapEventState) events(hostRef time.Time) []ontapEvent {
	sort.Slice(s.recs, func(i, j int) bool {
		if s.recs[i].seq != s.recs[j].seq {
			return s.recs[i].seq < s.recs[j].seq
		}
		return s.recs[i].num < s.recs[j].num
	})
	out := make([]ontapEvent, 0, len(s.recs))
	for _, rc := range s.recs {
		ref := rc.ref
		if ref.IsZero() {
			ref = s.ref
		}
		if ref.IsZero() {
			ref = hostRef
		}
		var e ontapEvent
		line := []byte(rc.text)
		if !parser.ParseONTAP(line, ref, &e.rec) {
			continue
		}
		_, e.verified = s.d.match(e.rec.Event, e.rec.Message)
		if s.d.object != nil {
			e.object = s.d.object(&e.rec)
		}
		// Views into line stay valid: line is not reused.
		e.ev = Evidence{Path: rc.path, Line: rc.num, Text: rc.text}
		if e.rec.HasTime {
			e.ev.Time = e.rec.Time
		}
		e.seq = rc.seq
		out = append(out, e)
	}
	return out
}

func (s *ontapEventState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	evs := s.events(h.CollectedAt)
	if len(evs) == 0 {
		return nil, RuleStatus{}
	}
	groups := map[string][]*ontapEvent{}
	for i := range evs {
		groups[evs[i].object] = append(groups[evs[i].object], &evs[i])
	}
	objs := make([]string, 0, len(groups))
	for o := range groups {
		objs = append(objs, o)
	}
	sort.Strings(objs)
	var out []Finding
	for _, o := range objs {
		g := groups[o]
		out = append(out, s.finding(h, o, g))
	}
	if len(out) == 0 {
		return nil, RuleStatus{State: StateClear}
	}
	return out, RuleStatus{}
}

// maxInWindow is the largest number of timed events within any window.
func maxInWindow(g []*ontapEvent, w time.Duration) int {
	var ts []time.Time
	for _, e := range g {
		if e.rec.HasTime {
			ts = append(ts, e.rec.Time)
		}
	}
	if len(ts) == 0 {
		return len(g) // no time: count them all
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) > w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func (s *ontapEventState) finding(h *HostCtx, obj string, g []*ontapEvent) Finding {
	var span TimeSpan
	names := map[string]int{}
	unverified := map[string]bool{}
	nodes := map[string]bool{}
	assumed := false
	var ev []Evidence
	for _, e := range g {
		span.Add(e.ev.Time)
		names[string(e.rec.Event)]++
		if !e.verified {
			unverified[string(e.rec.Event)] = true
		}
		nodes[string(e.rec.Node)] = true
		assumed = assumed || e.rec.TimeAssumed
		if len(ev) < maxEv(h) {
			ev = append(ev, e.ev)
		}
	}
	var parts []string
	for _, n := range sortedKeys(names) {
		p := fmt.Sprintf("%s (%d)", n, names[n])
		if unverified[n] {
			p += " [event name not verified against the ONTAP EMS reference]"
		}
		parts = append(parts, p)
	}
	sum := fmt.Sprintf("%s on %s", strings.Join(parts, ", "), strings.Join(sortedKeys(nodes), ", "))
	if obj != "" {
		sum += ", " + obj
	}
	sum += spanText(span)
	if assumed {
		sum += " (ONTAP time zone not stated in the log: read as UTC)"
	}
	f := Finding{RuleID: s.d.id, Severity: s.d.sev, Title: s.d.title, Object: obj, Count: len(g),
		First: span.First, Last: span.Last, Summary: sum, Evidence: ev,
		Remediation: append([]string(nil), s.d.remediation...),
		Facts:       map[string]string{"events": strings.Join(sortedKeys(names), ","), "reference": s.d.reference}}
	if len(unverified) > 0 {
		f.Facts["unverified_names"] = strings.Join(sortedKeys(unverified), ",")
	}
	if s.d.churnMin > 0 {
		// Map/unmap events are context (info); churn raises them.
		n := maxInWindow(g, s.d.churnWindow)
		f.Facts["max_per_hour"] = strconv.Itoa(n)
		if n < s.d.churnMin {
			f.Severity = SeverityInfo
		} else {
			f.Summary = fmt.Sprintf("churn: %d map/unmap events within %s; ", n, s.d.churnWindow) + f.Summary
		}
	}
	if s.dropped > 0 {
		f.Facts["dropped"] = strconv.Itoa(s.dropped)
	}
	return f
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func maxEv(h *HostCtx) int {
	if h.MaxEvidence > 0 {
		return h.MaxEvidence
	}
	return DefaultMaxEvidence
}
