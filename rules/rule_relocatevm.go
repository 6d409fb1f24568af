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
	relocateNoVM = "(VM not named in the log line)"
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
	secs   map[string]secSet                     // VM -> seconds of its lines (who-independent)
	byWho  map[string]aggMap                     // who -> VM -> lines
	events map[string]map[string]map[string]bool // who -> VM -> distinct refusals
	all    agg
}

// relocateEventKey names one refusal so that the hostd, vpxa and vpxd lines
// of the same task count once: the root of the operation ID that the
// agents share ("7e1280cf" of "7e1280cf-01-a1"), else the second, else the
// line itself.
func relocateEventKey(l *Line) string {
	if l.Header != nil && len(l.Header.OpID) > 0 {
		op := l.Header.OpID
		if i := bytes.IndexByte(op, '-'); i > 0 {
			op = op[:i]
		}
		return "op:" + string(op)
	}
	if t := l.Time(); !t.IsZero() {
		return "t:" + strconv.FormatInt(t.Unix(), 10)
	}
	return "l:" + strconv.Itoa(l.Member.Seq) + ":" + strconv.FormatInt(l.Num, 10)
}

func (s *relocateState) addEvent(who, vm, key string) {
	if s.events == nil {
		s.events = map[string]map[string]map[string]bool{}
	}
	vms := s.events[who]
	if vms == nil {
		vms = map[string]map[string]bool{}
		s.events[who] = vms
	}
	keys := vms[vm]
	if keys == nil {
		keys = map[string]bool{}
		vms[vm] = keys
	}
	keys[key] = true
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
		vm = relocateNoVM
	}
	if s.byWho == nil {
		s.byWho = map[string]aggMap{}
	}
	vms := s.byWho[who]
	vms.get(vm).add(l)
	s.byWho[who] = vms
	s.addEvent(who, vm, relocateEventKey(l))
	if s.secs == nil {
		s.secs = map[string]secSet{}
	}
	ss := s.secs[vm]
	ss.add(l.Time())
	s.secs[vm] = ss
	s.all.add(l)
}

func (s *relocateState) Merge(other RuleState) {
	o, ok := other.(*relocateState)
	if !ok || o == nil {
		return
	}
	s.all.merge(&o.all)
	for vm, os := range o.secs {
		if s.secs == nil {
			s.secs = map[string]secSet{}
		}
		ss := s.secs[vm]
		ss.merge(os)
		s.secs[vm] = ss
	}
	for who, vms := range o.events {
		for vm, keys := range vms {
			for k := range keys {
				s.addEvent(who, vm, k)
			}
		}
	}
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
				for k := range s.events[relocateAnon][vm] {
					s.addEvent(owner, vm, k)
				}
				delete(anon, vm)
			}
		}
		if len(anon) == 0 {
			delete(s.byWho, relocateAnon)
		}
	}
	s.dropRepeatsWithoutVM()
	whos := make([]string, 0, len(s.byWho))
	for w := range s.byWho {
		whos = append(whos, w)
	}
	sort.Strings(whos)
	var out []Finding
	for _, who := range whos {
		vms := s.byWho[who]
		_, span := vms.total()
		names := vms.keys()
		sort.Strings(names)
		var ev EvidenceSet
		var lines []string
		n := 0
		for _, vm := range names {
			a := vms[vm]
			ev.Merge(&a.ev)
			k := len(s.events[who][vm])
			n += k
			lines = append(lines, fmt.Sprintf("%s (%d, since %s)", vm, k, firstSeen(a.span)))
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

// dropRepeatsWithoutVM removes refusals logged without a VM name in the
// same second (±1) as a refusal that names one: they are continuation
// records of the same task (ESXi 8 logs each "-->" line as its own record).
func (s *relocateState) dropRepeatsWithoutVM() {
	named := secSet{}
	for vm, ss := range s.secs {
		if vm != relocateNoVM {
			named.merge(ss)
		}
	}
	for who, vms := range s.byWho {
		if _, ok := vms[relocateNoVM]; !ok {
			continue
		}
		keep := map[string]bool{}
		for k := range s.events[who][relocateNoVM] {
			if sec, err := strconv.ParseInt(strings.TrimPrefix(k, "t:"), 10, 64); err == nil && strings.HasPrefix(k, "t:") && named.near(sec) {
				continue
			}
			keep[k] = true
		}
		if len(keep) == 0 {
			delete(vms, relocateNoVM)
			delete(s.events[who], relocateNoVM)
			if len(vms) == 0 {
				delete(s.byWho, who)
			}
			continue
		}
		s.events[who][relocateNoVM] = keep
		// First/last of what is left, when every kept refusal is timed.
		var span TimeSpan
		for k := range keep {
			sec, err := strconv.ParseInt(strings.TrimPrefix(k, "t:"), 10, 64)
			if !strings.HasPrefix(k, "t:") || err != nil {
				span = vms[relocateNoVM].span
				break
			}
			span.Add(time.Unix(sec, 0).UTC())
		}
		vms[relocateNoVM].span = span
	}
}

func firstSeen(s TimeSpan) string {
	if s.First.IsZero() {
		return "unknown time"
	}
	return s.First.UTC().Format(timeLayout)
}
