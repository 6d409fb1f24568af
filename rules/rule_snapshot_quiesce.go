package rules

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/esxdiag/esxdiag/parser"
)

// snapshot-quiesce-failure: quiesced (VSS) snapshots fail or time out, so
// backups and storage-array snapshot tools (SnapManager/SMVI/VSC) fail.
//
// Sources: CASE.md case 1 step 5 (NPIV RDM / in-guest iSCSI LUNs cannot be
// quiesced, KB 1009073 CASE-CITED; two VSS writers conflict, no verified
// KB) and case 3 (PCI passthrough VMs cannot be snapshotted powered on);
// kb.md §5: KB 1018194 VERIFIED (I/O hold-off time limit, its log
// signatures incl. 'VssSyncStart' IDispatch error #8449 and vpxa
// vim.fault.ApplicationQuiesceFault), KB 5962168 = Broadcom 343375 VERIFIED
// (VM freeze under load); formats.md §3 ("Failed to quiesce the virtual
// machine."); rules-catalog.md ESX-QUIESCE-001 (Tools not available text).

const (
	quiesceID   = "snapshot-quiesce-failure"
	quiesceNoVM = "(VM not named in the log line)"
)

type quiesceRule struct{}

var quiesceKeywords = []string{
	"ApplicationQuiesceFault",
	"Cannot create a quiesced snapshot",
	"operation failed: IDispatch error #8449",
	"Failed to quiesce the virtual machine",
	"An error occurred while quiescing the virtual machine",
	"Cannot quiesce this virtual machine",
}

func (quiesceRule) Info() RuleInfo {
	return RuleInfo{
		ID:       quiesceID,
		Title:    "Quiesced snapshots fail (VSS / VMware Tools quiescing)",
		Severity: SeverityWarning,
		Kinds:    []parser.Kind{parser.KindHostd, parser.KindVpxa, parser.KindVpxd, parser.KindMessages, parser.KindSyslog},
		Keywords: quiesceKeywords,
		KB:       []string{"vmware:1018194", "vmware:5962168", "vmware:1009073"},
		Needs:    "hostd, vpxa or vpxd log",
		Source:   "builtin:rule_snapshot_quiesce.go",
		Samples: []Sample{
			{Line: "2010-10-10T22:53:31.077Z [45EEEB90 info 'Default' opID=D1D8F924-00002337-83] [VpxLRO] -- ERROR task-768 -- -- vpxapi.VpxaService.createSnapshot: vim.fault.ApplicationQuiesceFault:", Match: true, Kind: parser.KindVpxa},
			{Line: "2016-02-11T09:15:40.118Z info hostd[FFB96B70] [Originator@6876 sub=vm:/vmfs/volumes/56a9d2ba-1e3f1d2c-6b2e-0025b5a0001f/exch01/exch01.vmx] An error occurred while quiescing the virtual machine. See the virtual machine's event log for details 'VssSyncStart' operation failed: IDispatch error #8449 (0x80042301)", Match: true},
			{Line: "2016-02-11T09:15:40.118Z info hostd[FFB96B70] [Originator@6876 sub=vm:/vmfs/volumes/56a9d2ba-1e3f1d2c-6b2e-0025b5a0001f/exch01/exch01.vmx] Cannot create a quiesced snapshot because the snapshot operation exceeded the time limit for holding off I/O in the frozen virtual machine.", Match: true},
			{Line: "2016-02-11T09:16:02.507Z info hostd[FFB96B70] [Originator@6876 sub=vm:/vmfs/volumes/56a9d2ba-1e3f1d2c-6b2e-0025b5a0001f/exch01/exch01.vmx] Snapshot consolidate complete", Match: false},
		},
	}
}

func (quiesceRule) NewState() RuleState { return &quiesceState{} }

type quiesceState struct {
	vms     aggMap
	secs    map[string]map[int64]int // VM -> second -> lines (timed lines only)
	timeout int                      // hold-off time limit exceeded
	vss     int                      // VSS writer errors (IDispatch #8449)
	tools   int                      // VMware Tools not available
}

func (s *quiesceState) Observe(l *Line) {
	t := l.Text
	v := vmxName(t)
	if v == nil {
		v = lroObject(t) // "[VpxLRO] -- ERROR task-N -- <vm> -- ...createSnapshot: ...QuiesceFault"
	}
	vm := string(v)
	if vm == "" {
		vm = quiesceNoVM
	}
	s.vms.get(vm).add(l)
	if t := l.Time(); !t.IsZero() {
		if s.secs == nil {
			s.secs = map[string]map[int64]int{}
		}
		m := s.secs[vm]
		if m == nil {
			m = map[int64]int{}
			s.secs[vm] = m
		}
		m[t.Unix()]++
	}
	switch {
	case bytes.Contains(t, []byte("time limit for holding off I/O")):
		s.timeout++
	case bytes.Contains(t, []byte("IDispatch error #8449")):
		s.vss++
	case bytes.Contains(t, []byte("VMware Tools is not currently available")):
		s.tools++
	}
}

func (s *quiesceState) Merge(other RuleState) {
	o, ok := other.(*quiesceState)
	if !ok || o == nil {
		return
	}
	s.vms.merge(o.vms)
	for vm, om := range o.secs {
		if s.secs == nil {
			s.secs = map[string]map[int64]int{}
		}
		m := s.secs[vm]
		if m == nil {
			m = map[int64]int{}
			s.secs[vm] = m
		}
		for k, n := range om {
			m[k] += n
		}
	}
	s.timeout += o.timeout
	s.vss += o.vss
	s.tools += o.tools
}

// dropRepeatsWithoutVM removes lines without a VM name logged within a
// second of a line that names one: continuation records of the same task
// (ESXi 8 logs each "-->" line of a vpxa fault as its own record).
func (s *quiesceState) dropRepeatsWithoutVM() {
	a, ok := s.vms[quiesceNoVM]
	if !ok {
		return
	}
	named := secSet{}
	for vm, m := range s.secs {
		if vm == quiesceNoVM {
			continue
		}
		for sec := range m {
			named[sec] = true
		}
	}
	for sec, n := range s.secs[quiesceNoVM] {
		if named.near(sec) {
			a.count -= n
		}
	}
	if a.count <= 0 {
		delete(s.vms, quiesceNoVM)
	}
}

func (s *quiesceState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	s.dropRepeatsWithoutVM()
	n, span := s.vms.total()
	if n == 0 {
		return nil, RuleStatus{}
	}
	var ev EvidenceSet
	for _, k := range s.vms.keys() {
		ev.Merge(&s.vms[k].ev)
	}
	detail := ""
	if s.timeout > 0 {
		detail += fmt.Sprintf("; %d exceeded the I/O hold-off time limit", s.timeout)
	}
	if s.vss > 0 {
		detail += fmt.Sprintf("; %d VSS errors (IDispatch #8449, 0x80042301)", s.vss)
	}
	if s.tools > 0 {
		detail += fmt.Sprintf("; %d with VMware Tools not available", s.tools)
	}
	f := Finding{
		RuleID: quiesceID, Severity: SeverityWarning, Title: quiesceRule{}.Info().Title,
		Fingerprint: h.Fingerprint(quiesceID, ""),
		Count:       n, First: span.First, Last: span.Last,
		Summary: fmt.Sprintf("Quiesced snapshot failures %s%s on %d VM(s): %s%s.",
			times(n), spanText(span), len(s.vms), listTop(s.vms, 10), detail),
		Evidence: ev.Items(),
		Remediation: []string{
			"VMs with NPIV RDMs or LUNs attached by an in-guest iSCSI initiator cannot be quiesced by VMware Tools: back their application data up in the guest (e.g. SnapDrive/SnapManager) and turn VMware quiescing off for them in the backup or array snapshot tool.",
			"Check for two VSS requestors/providers in the guest (e.g. the SnapDrive/NetApp VSS provider and the VMware Tools VSS provider): `vssadmin list writers` / `vssadmin list providers`; keep only the one the backup uses.",
			"For hold-off timeouts: snapshot at low guest I/O, check free space inside the guest and the VSS writer state, and fall back to file-system quiescing if application quiescing keeps failing; heavy-I/O services can freeze the VM while quiescing.",
			"VMs with PCI passthrough (DirectPath I/O) devices cannot be snapshotted while powered on (`pciPassthruN.present = \"TRUE\"` in the .vmx): exclude them from VMware-snapshot-based backups.",
		},
		KB: h.KB(quiesceRule{}.Info().KB...),
		Facts: map[string]string{
			"vms": strconv.Itoa(len(s.vms)), "hold_off_timeouts": strconv.Itoa(s.timeout), "vss_errors": strconv.Itoa(s.vss),
		},
	}
	return []Finding{f}, RuleStatus{RuleID: quiesceID, State: StateFired}
}
