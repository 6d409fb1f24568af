package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/esxdiag/esxdiag/parser"
)

// relocatevm-disabled: Storage vMotion fails with "The method is disabled by
// '<who>'" (vim.fault.MethodDisabled) because a backup product called
// VixDiskLib_PrepareForAccess() and never called EndAccess(), leaving
// RelocateVM_Task disabled for the VM.
//
// Sources: CASE.md case 2 (mechanism, ~60 VMs a day, workarounds in order),
// kb.md §4 (VDDK Programming Guide "Prepare For Access and End Access",
// VERIFIED; the fault text; every KB number for this topic is UNVERIFIED,
// so none is cited), formats.md §3 (the only real line: govc
// "ServerFaultCode: The method is disabled by 'VIC'"; vpxd task ERROR
// shape inferred).

const (
	relocateID   = "relocatevm-disabled"
	relocateAnon = "(not named in the log line)"
)

type relocateRule struct{}

func (relocateRule) Info() RuleInfo {
	return RuleInfo{
		ID:       relocateID,
		Title:    "Storage vMotion blocked: RelocateVM_Task disabled by a backup product",
		Severity: SeverityWarning,
		Kinds:    []parser.Kind{parser.KindVpxd, parser.KindHostd, parser.KindVpxa, parser.KindSyslog, parser.KindMessages},
		Keywords: []string{"method is disabled by '", "MethodDisabled"},
		Needs:    "vCenter vpxd log (the fault is raised by vCenter)",
		Source:   "builtin:rule_relocatevm.go",
		Samples: []Sample{
			{Line: "govc: ServerFaultCode: The method is disabled by 'VIC'", Match: true, Kind: parser.KindVpxd},
			{Line: "2022-06-02T11:58:12.193Z error vpxd[45715] [Originator@6876 sub=vpxLro opID=7e1280cf] [VpxLRO] -- ERROR task-84512 -- vm-2041 -- vim.VirtualMachine.relocate: vim.fault.MethodDisabled:", Match: true, Kind: parser.KindVpxd},
			{Line: "2022-06-02T11:58:12.194Z info vpxd[45715] [Originator@6876 sub=vpxLro opID=7e1280cf] [VpxLRO] -- FINISH lro-846063", Match: false, Kind: parser.KindVpxd},
		},
	}
}

func (relocateRule) NewState() RuleState { return &relocateState{} }

type relocateState struct {
	byWho map[string]aggMap // who -> VM -> occurrences
	all   agg
}

func (s *relocateState) Observe(l *Line) {
	var m parser.MethodDisabled
	if !parseMethodDisabled(l.Text, &m) {
		return
	}
	who := string(m.Who)
	if who == "" {
		who = relocateAnon
	}
	vm := string(m.VM)
	if vm == "" {
		vm = "(VM not named in the log line)"
	}
	if s.byWho == nil {
		s.byWho = map[string]aggMap{}
	}
	vms := s.byWho[who]
	vms.get(vm).add(l)
	s.byWho[who] = vms
	s.all.add(l)
}

func (s *relocateState) Merge(other RuleState) {
	o, ok := other.(*relocateState)
	if !ok || o == nil {
		return
	}
	s.all.merge(&o.all)
	for who, ovms := range o.byWho {
		if s.byWho == nil {
			s.byWho = map[string]aggMap{}
		}
		vms := s.byWho[who]
		vms.merge(ovms)
		s.byWho[who] = vms
	}
}

func (s *relocateState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	if s.all.count == 0 {
		if !h.Seen(parser.KindVpxd) {
			return nil, RuleStatus{RuleID: relocateID, State: StateNotEvaluable, Reason: "no vCenter (vpxd) log in bundle; MethodDisabled is raised by vCenter"}
		}
		return nil, RuleStatus{}
	}
	// A fault line that does not name the disabling product (e.g. the vpxa
	// task error whose "source" field is on a continuation line) belongs to
	// the product that disabled the same VM elsewhere in the bundle.
	if anon, ok := s.byWho[relocateAnon]; ok {
		for vm, a := range anon {
			owner := ""
			for who, vms := range s.byWho {
				if who == relocateAnon {
					continue
				}
				if _, ok := vms[vm]; ok && (owner == "" || who < owner) {
					owner = who
				}
			}
			if owner != "" {
				vms := s.byWho[owner]
				vms.get(vm).merge(a)
				delete(anon, vm)
			}
		}
		if len(anon) == 0 {
			delete(s.byWho, relocateAnon)
		}
	}
	whos := make([]string, 0, len(s.byWho))
	for w := range s.byWho {
		whos = append(whos, w)
	}
	sort.Strings(whos)
	var out []Finding
	for _, who := range whos {
		vms := s.byWho[who]
		n, span := vms.total()
		names := vms.keys()
		sort.Strings(names)
		var ev EvidenceSet
		var lines []string
		for _, vm := range names {
			a := vms[vm]
			ev.Merge(&a.ev)
			lines = append(lines, fmt.Sprintf("%s (%d, since %s)", vm, a.count, firstSeen(a.span)))
		}
		shown := lines
		if len(shown) > 20 {
			shown = append(append([]string(nil), shown[:20]...), fmt.Sprintf("and %d more", len(lines)-20))
		}
		out = append(out, Finding{
			RuleID: relocateID, Severity: SeverityWarning, Object: who,
			Title:       fmt.Sprintf("RelocateVM_Task disabled by '%s' on %d VM(s)", who, len(names)),
			Fingerprint: h.Fingerprint(relocateID, who),
			Count:       n, First: span.First, Last: span.Last,
			Summary: fmt.Sprintf("Storage vMotion/relocate refused %s%s because '%s' disabled the method; affected VMs: %s.",
				times(n), spanText(span), who, strings.Join(shown, ", ")),
			Evidence: ev.Items(),
			Remediation: []string{
				"The backup product called VixDiskLib_PrepareForAccess() and its job died before VixDiskLib_EndAccess(), so vCenter keeps RelocateVM_Task disabled for these VMs.",
				"Least disruptive first: re-run (or just start and stop) a backup of each affected VM with the same product, so EndAccess is called and the method is re-enabled.",
				"Or run a small VDDK tool that calls PrepareForAccess then EndAccess for each VM with the same identity string.",
				"Or unregister and re-register the VM in vCenter (it gets a new MoRef and loses its history, stats and custom fields).",
				"Last resort, with vCenter stopped and a database backup: delete the VM's rows from the vCenter table VPX_DISABLED_METHODS.",
				"Then find why backup jobs die before EndAccess (job timeouts, proxy crashes) on the backup side.",
			},
			Facts: map[string]string{"vms": strconv.Itoa(len(names)), "disabled_by": who},
		})
	}
	return out, RuleStatus{RuleID: relocateID, State: StateFired}
}

func firstSeen(s TimeSpan) string {
	if s.First.IsZero() {
		return "unknown time"
	}
	return s.First.UTC().Format(timeLayout)
}
