package rules

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/esxdiag/esxdiag/parser"
	"github.com/esxdiag/esxdiag/sense"
)

// ESXi ↔ ONTAP correlation rules. They run on ESXi hosts and read the
// ONTAP events of the other inputs of the same analysis (AnalyzeSources,
// FleetState): without an ONTAP log among the inputs they are
// not-evaluable, with the reason.
//
//   - ontap-lun-map-ua: LUN map/unmap/clone events on the array ↔ UNIT
//     ATTENTION 6/3f/0e (REPORTED LUNS DATA HAS CHANGED) on a NetApp device
//     of the host within the skew window. SPC: after a LUN inventory change
//     the target reports 3F/0E on the next command of every initiator that
//     sees the target (kb.md §8: standard SPC behaviour, not verified
//     against a NetApp page); CASE.md case 1.
//   - ontap-space-host: volume/aggregate full, LUN out of space or offline
//     on the array ↔ 7/27/07 SPACE ALLOCATION FAILED, 6/38/07 thin soft
//     threshold, 2/04/03 not ready, PDL or APD on the host (rules-catalog.md
//     NA-LUNOFF-001 / NA-SPACE-001 correlation notes).
//
// Host devices are tied to array LUNs through the serial embedded in
// NetApp NAA ids (parser.NetAppSerialFromNAA) and the "lun show -v"
// inventory or serials in the ONTAP input. Confidence: high when the
// serial (or, for space, the LUN's volume) links the two sides; medium
// when only the vendor (a NetApp device) and the time window do.

const (
	lunMapUAID     = "ontap-lun-map-ua"
	spaceHostID    = "ontap-space-host"
	ontapSkew      = 2 * time.Minute  // clock skew tolerated between filer and host
	uaFollow       = time.Minute      // UAs arrive on the next commands after the change
	spaceFollow    = 30 * time.Minute // host symptoms may follow a full volume by a while
	hostSideMaxTS  = 100000           // timestamps kept per device and class
	hostSideSymUA  = "lun-inventory-changed"
	hostSideSymAPD = "apd"
)

// hostSideKinds are the ESXi logs the correlation reads.
var hostSideKinds = []parser.Kind{parser.KindVmkernel, parser.KindVmkwarning, parser.KindMessages, parser.KindVobd}

var apdKeywords = []string{"APD Start for ident", "vob.storage.apd.start", "has entered the All Paths Down state", "has entered All Paths Down",
	"esx.problem.storage.apd.timeout", "All Paths Down Timeout state", "APD timeout event for"}

func hostSideKeywords() []string {
	kw := append([]string(nil), scsiSenseKeywords...)
	return append(kw, apdKeywords...)
}

// hostSym aggregates one device × symptom.
type hostSym struct {
	times []time.Time
	count int
	ev    EvidenceSet
	local bool // times come from zone-less syslog stamps (ESX/ESXi 4.x): host-local clock
}

type hostSideState struct {
	syms  map[string]map[string]*hostSym // device -> symptom -> agg
	fleet []*FleetHost
	self  int
}

func (s *hostSideState) sym(dev, class string) *hostSym {
	if s.syms == nil {
		s.syms = map[string]map[string]*hostSym{}
	}
	m := s.syms[dev]
	if m == nil {
		m = map[string]*hostSym{}
		s.syms[dev] = m
	}
	g := m[class]
	if g == nil {
		g = &hostSym{}
		m[class] = g
	}
	return g
}

func (g *hostSym) add(l *Line, n int) {
	g.count += n
	if l.Header != nil && l.Header.TimeInferred {
		g.local = true
	}
	if t := l.Time(); !t.IsZero() && len(g.times) < hostSideMaxTS {
		g.times = append(g.times, t)
	}
	g.ev.Add(l)
}

// naaIn returns the first "naa.<hex>" id in b.
func naaIn(b []byte) []byte {
	k := bytes.Index(b, []byte("naa."))
	if k < 0 {
		return nil
	}
	e := k + 4
	for e < len(b) && isHexByte(b[e]) {
		e++
	}
	if e-k < 12 {
		return nil
	}
	return b[k:e]
}

func isHexByte(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (s *hostSideState) Observe(l *Line) {
	for _, kw := range apdKeywords {
		if bytes.Contains(l.Text, []byte(kw)) {
			if dev := naaIn(l.Text); dev != nil {
				s.sym(string(dev), hostSideSymAPD).add(l, 1)
			}
			return
		}
	}
	var ev parser.ScsiEvent
	if !parser.ParseScsi(l.Text, &ev) || ev.Summary || ev.Split {
		return
	}
	st := sense.Status{Opcode: ev.Opcode, Host: ev.Host, Device: ev.Dev, Plugin: ev.Plugin, HasStatus: ev.HasStatus,
		Validity: ev.Validity, Key: ev.Key, ASC: ev.ASC, ASCQ: ev.ASCQ, PDL: ev.PDL, Form: ev.Form}
	if !scsiFailed(&st) || len(ev.Device) == 0 {
		return
	}
	class := sense.Classify(st).ID
	switch class {
	case hostSideSymUA, "out-of-space", "thin-soft-threshold", "pdl", "not-ready", "queue-full", "busy":
	default:
		return
	}
	s.sym(string(ev.Device), class).add(l, max(ev.Repeat, 1))
}

func (s *hostSideState) merge(o *hostSideState) {
	for dev, m := range o.syms {
		for c, og := range m {
			g := s.sym(dev, c)
			g.count += og.count
			g.local = g.local || og.local
			g.times = append(g.times, og.times...)
			if len(g.times) > hostSideMaxTS {
				sort.Slice(g.times, func(i, j int) bool { return g.times[i].Before(g.times[j]) })
				g.times = g.times[:hostSideMaxTS]
			}
			g.ev.Merge(&og.ev)
		}
	}
}

func (s *hostSideState) SetFleet(self int, hosts []*FleetHost) {
	s.self, s.fleet = self, hosts
	// ONTAP states of every host get the fleet's reference time too.
	ref := fleetRef(hosts)
	for _, h := range hosts {
		for _, d := range ontapDefs() {
			if st, ok := h.State(d.id).(*ontapEventState); ok && st.ref.IsZero() {
				st.setRef(ref)
			}
		}
	}
}

// arrayView is what the ONTAP inputs of the fleet say.
type arrayView struct {
	inputs  []string                // ONTAP inputs (host names or indexes)
	events  map[string][]ontapEvent // rule id -> events
	serials map[string]string       // LUN path -> serial
	bySer   map[string]string       // serial -> LUN path
	zoneSet map[bool]int            // time zone assumed -> count
}

func (s *hostSideState) array(hc *HostCtx) *arrayView {
	v := &arrayView{events: map[string][]ontapEvent{}, serials: map[string]string{}, bySer: map[string]string{}}
	ref := fleetRef(s.fleet)
	for i, h := range s.fleet {
		if i == s.self || !h.Seen(parser.KindONTAP) {
			continue
		}
		name := h.Host
		if name == "" {
			name = "input " + strconv.Itoa(h.Index+1)
		}
		v.inputs = append(v.inputs, name)
		for _, id := range []string{ontapLunMapID, ontapVolFullID, ontapAggrFullID, ontapLunSpaceID, ontapLunOffID, ontapNearlyID, ontapPortFullID} {
			st, ok := h.State(id).(*ontapEventState)
			if !ok {
				continue
			}
			if st.ref.IsZero() {
				st.setRef(ref)
			}
			v.events[id] = append(v.events[id], st.events(hc.CollectedAt)...)
			for p, ser := range st.serials {
				v.serials[p] = ser
				v.bySer[ser] = p
			}
		}
	}
	// Serials carried by the events themselves.
	for _, evs := range v.events {
		for i := range evs {
			r := &evs[i].rec
			if len(r.LUNPath) > 0 && len(r.Serial) > 0 {
				if ser, ok := parser.NormalizeNetAppSerial(string(r.Serial)); ok {
					v.serials[string(r.LUNPath)] = ser
					v.bySer[ser] = string(r.LUNPath)
				}
			}
		}
	}
	return v
}

// devNames returns the host's devices in order.
func (s *hostSideState) devNames() []string {
	out := make([]string, 0, len(s.syms))
	for d := range s.syms {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// within returns the symptom times in [from, to].
func within(ts []time.Time, from, to time.Time) (n int, first, last time.Time) {
	for _, t := range ts {
		if t.Before(from) || t.After(to) {
			continue
		}
		n++
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if last.IsZero() || t.After(last) {
			last = t
		}
	}
	return
}

// clockOffsets are the shifts of the array clock tried when matching: 0,
// then (when one side's clock has no zone, so the logs may be in different
// zones) whole hours up to ±14 h, nearest first.
func clockOffsets(zoneless bool) []time.Duration {
	out := []time.Duration{0}
	if zoneless {
		for h := 1; h <= 14; h++ {
			out = append(out, time.Duration(h)*time.Hour, -time.Duration(h)*time.Hour)
		}
	}
	return out
}

func anyAssumed(evs []ontapEvent) bool {
	for i := range evs {
		if evs[i].rec.TimeAssumed {
			return true
		}
	}
	return false
}

// offsetNote is the caveat of a match found only with a shifted clock.
func offsetNote(off time.Duration) string {
	return fmt.Sprintf("matched only with the array clock shifted by %s: the logs are probably in different time zones (a zone-less stamp was read as UTC)", off)
}

// precheck decides not-evaluable states common to both rules.
func (s *hostSideState) precheck(h *HostCtx) (*arrayView, RuleStatus, bool) {
	if !h.Seen(hostSideKinds...) {
		if h.Seen(parser.KindONTAP) {
			return nil, RuleStatus{State: StateNotEvaluable, Reason: "this input is an ONTAP log: correlations are reported on the ESXi hosts analyzed with it"}, false
		}
		return nil, RuleStatus{State: StateNotEvaluable, Reason: "no vmkernel, vobd or messages log in bundle"}, false
	}
	v := s.array(h)
	if len(v.inputs) == 0 {
		return nil, RuleStatus{State: StateNotEvaluable, Reason: "no ONTAP log among the inputs: analyze the filer's /etc/messages or event log together with this bundle (esxdiag analyze bundle.tgz messages.log)"}, false
	}
	return v, RuleStatus{}, true
}

// match is the array event that best explains a group of host symptoms.
type match struct {
	i           int           // index of the event
	rank        int           // the caller's rank of the event (higher: better tie to the device)
	n           int           // host symptoms in its window
	first, last time.Time     // first and last of them
	off         time.Duration // array clock shift the match needed (0: clocks agree)
}

// bestMatch finds the array event whose window [t-skew, t+skew+follow]
// holds host symptoms of g: highest rank first, then most symptoms, the
// earlier event on a tie. Clock offsets are tried in order (0 first) and the
// first offset with any match wins, so a shifted clock is only assumed when
// the logs do not line up as they are.
func bestMatch(g *hostSym, evs []ontapEvent, follow time.Duration, rank func(*ontapEvent) int) (match, bool) {
	for _, o := range clockOffsets(g.local || anyAssumed(evs)) {
		best := match{i: -1, rank: -1}
		for i := range evs {
			e := &evs[i]
			if !e.rec.HasTime {
				continue
			}
			at := e.rec.Time.Add(o)
			n, f, l := within(g.times, at.Add(-ontapSkew), at.Add(ontapSkew+follow))
			if n == 0 {
				continue
			}
			r := 0
			if rank != nil {
				r = rank(e)
			}
			if r > best.rank || (r == best.rank && n > best.n) {
				best = match{i: i, rank: r, n: n, first: f, last: l, off: o}
			}
		}
		if best.i >= 0 {
			return best, true
		}
	}
	return match{}, false
}

// correlatedEvidence is the array events first, then the host symptoms, cut
// to the report's evidence limit.
func correlatedEvidence(h *HostCtx, g *hostSym, arr ...*ontapEvent) []Evidence {
	host := g.ev.Items()
	ev := make([]Evidence, 0, len(arr)+len(host))
	for _, e := range arr {
		ev = append(ev, e.ev)
	}
	ev = append(ev, host...)
	if len(ev) > maxEv(h) {
		ev = ev[:maxEv(h)]
	}
	return ev
}

// correlatedStart is when the chain began, on the host's clock: the earliest
// of the array events (shifted by the match's offset) and the first symptom.
func correlatedStart(m match, arr ...*ontapEvent) time.Time {
	first := m.first
	for _, e := range arr {
		if t := e.rec.Time.Add(m.off); t.Before(first) {
			first = t
		}
	}
	return first
}

// ---- ontap-lun-map-ua ----

type lunMapUARule struct{}

func (lunMapUARule) Info() RuleInfo {
	return RuleInfo{
		ID: lunMapUAID, Title: "Array LUN map/unmap caused UNIT ATTENTION 6/3f/0e on the host",
		Severity: SeverityError, Kinds: hostSideKinds, Keywords: hostSideKeywords(),
		KB:     []string{"vmware:289902"},
		Needs:  "vmkernel log plus an ONTAP log analyzed together",
		Source: "builtin:rule_ontap_correlate.go",
		Samples: []Sample{
			// Alone (no ONTAP log analyzed with it) a host line never fires.
			{Line: `2024-03-07T10:15:03.123Z cpu3:2097)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x28, CmdSN 0x1f2 from world 2099 to dev "naa.600a09804334692f614a324a3562505a" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`, Match: false},
			{Line: `2024-03-07T11:02:31.000Z cpu1:2101)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x2a, CmdSN 0x1f3 from world 2100 to dev "naa.600a0980383030523f5a4b2d6c4a7a31" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x7 0x27 0x7.`, Match: false},
		},
	}
}

func (lunMapUARule) NewState() RuleState { return &lunMapUAState{} }

type lunMapUAState struct{ hostSideState }

func (s *lunMapUAState) Merge(o RuleState) {
	if x, ok := o.(*lunMapUAState); ok && x != nil {
		s.hostSideState.merge(&x.hostSideState)
	}
}

func (s *lunMapUAState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	v, st, ok := s.precheck(h)
	if !ok {
		return nil, st
	}
	maps := v.events[ontapLunMapID]
	var out []Finding
	for _, dev := range s.devNames() {
		g := s.syms[dev][hostSideSymUA]
		if g == nil || len(g.times) == 0 {
			continue
		}
		serial, netapp := parser.NetAppSerialFromNAA([]byte(dev))
		// Best map event: serial match first, then most UAs in its window.
		m, ok := bestMatch(g, maps, uaFollow, func(e *ontapEvent) int {
			if netapp && v.serials[string(e.rec.LUNPath)] == serial {
				return 1
			}
			return 0
		})
		if !ok {
			continue
		}
		e := &maps[m.i]
		bestN, bestSerial, bf, bl, off := m.n, m.rank == 1, m.first, m.last, m.off
		conf := "medium"
		why := "the device is a NetApp LUN and the UAs fall in the window of the array event"
		if !netapp {
			conf = "low"
			why = "only the time window links them (the device id is not a NetApp NAA id)"
		}
		if bestSerial {
			conf = "high"
			why = fmt.Sprintf("the device's NAA id embeds serial %s, the serial of %s on the array", serial, e.rec.LUNPath)
		}
		if e.rec.TimeAssumed && conf == "high" {
			conf = "medium"
		}
		if off != 0 {
			conf, why = "low", offsetNote(off)+"; "+why
		}
		lun := string(e.rec.LUNPath)
		if lun == "" {
			lun = "(LUN not named)"
		}
		sum := fmt.Sprintf("%s of %s on %s at %s is followed by %d UNIT ATTENTION 6/3f/0e (REPORTED LUNS DATA HAS CHANGED) on %s between %s and %s; clock skew tolerance ±%s; confidence %s: %s",
			string(e.rec.Event), lun, string(e.rec.Node), e.rec.Time.UTC().Format(timeLayout), bestN, dev,
			bf.UTC().Format(timeLayout), bl.UTC().Format(timeLayout), ontapSkew, conf, why)
		if e.rec.TimeAssumed {
			sum += " (the ONTAP log states no time zone: read as UTC)"
		}
		if !e.verified {
			sum += fmt.Sprintf(" [event name %s not verified against the ONTAP EMS reference]", e.rec.Event)
		}
		facts := map[string]string{
			"confidence": conf, "ontap_event": string(e.rec.Event), "ontap_node": string(e.rec.Node), "lun_path": string(e.rec.LUNPath),
			"igroup": string(e.rec.Igroup), "host_device": dev, "ua_count": strconv.Itoa(bestN), "ua_total": strconv.Itoa(g.count),
			"skew_tolerance": ontapSkew.String(), "array_time": e.rec.Time.UTC().Format(timeLayout),
		}
		if serial != "" {
			facts["serial"] = serial
		}
		if off != 0 {
			facts["clock_offset"] = off.String()
		}
		ev := correlatedEvidence(h, g, e)
		sev := SeverityWarning
		if bestN >= scsiStormPerMinute {
			sev = SeverityError
		}
		first := correlatedStart(m, e)
		out = append(out, Finding{RuleID: lunMapUAID, Severity: sev, Title: "Array LUN map/unmap caused UNIT ATTENTION 6/3f/0e on the host",
			Object: dev, Count: bestN, First: first, Last: bl, Summary: sum, Evidence: ev, Facts: facts, KB: h.KB("vmware:289902"),
			Remediation: []string{
				"The array changed the LUN inventory presented to this host (" + string(e.rec.Event) + " of " + lun + "): expected during SnapDrive/SnapManager backup verification or VSC restores, which map snapshot LUN clones.",
				"Run backup verification on a separate host, not on the ESXi host of the production VMs; remove leftover LUN clones and igroup mappings after restores.",
				"If the host hung or VMs stalled at that time, check the other findings of this host (hostd, ramdisk) for the chain of effects.",
			}})
	}
	return out, RuleStatus{}
}

// ---- ontap-space-host ----

type spaceHostRule struct{}

func (spaceHostRule) Info() RuleInfo {
	return RuleInfo{
		ID: spaceHostID, Title: "Array out of space or LUN offline caused I/O failures on the host",
		Severity: SeverityCritical, Kinds: hostSideKinds, Keywords: hostSideKeywords(),
		KB:     []string{"vmware:289902", "vmware:2004086"},
		Needs:  "vmkernel log plus an ONTAP log analyzed together",
		Source: "builtin:rule_ontap_correlate.go",
		Samples: []Sample{
			// Alone (no ONTAP log analyzed with it) a host line never fires.
			{Line: `2024-03-07T10:15:03.123Z cpu3:2097)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x28, CmdSN 0x1f2 from world 2099 to dev "naa.600a09804334692f614a324a3562505a" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`, Match: false},
			{Line: `2024-03-07T11:02:31.000Z cpu1:2101)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x2a, CmdSN 0x1f3 from world 2100 to dev "naa.600a0980383030523f5a4b2d6c4a7a31" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x7 0x27 0x7.`, Match: false},
		},
	}
}

func (spaceHostRule) NewState() RuleState { return &spaceHostState{} }

type spaceHostState struct{ hostSideState }

func (s *spaceHostState) Merge(o RuleState) {
	if x, ok := o.(*spaceHostState); ok && x != nil {
		s.hostSideState.merge(&x.hostSideState)
	}
}

var symptomText = map[string]string{
	"out-of-space":        "7/27/07 SPACE ALLOCATION FAILED WRITE PROTECT",
	"thin-soft-threshold": "6/38/07 THIN PROVISIONING SOFT THRESHOLD REACHED",
	"not-ready":           "NOT READY (LUN not usable)",
	"pdl":                 "permanent device loss (PDL)",
	hostSideSymAPD:        "all paths down (APD)",
}

func (s *spaceHostState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	v, st, ok := s.precheck(h)
	if !ok {
		return nil, st
	}
	var arr []ontapEvent
	for _, id := range []string{ontapVolFullID, ontapAggrFullID, ontapLunSpaceID, ontapLunOffID} {
		arr = append(arr, v.events[id]...)
	}
	var out []Finding
	for _, dev := range s.devNames() {
		serial, netapp := parser.NetAppSerialFromNAA([]byte(dev))
		lunPath := ""
		if netapp {
			lunPath = v.bySer[serial]
		}
		lunVol := ""
		if strings.HasPrefix(lunPath, "/vol/") {
			lunVol = strings.SplitN(lunPath[5:], "/", 2)[0]
		}
		for _, class := range []string{"out-of-space", "thin-soft-threshold", "not-ready", "pdl", hostSideSymAPD} {
			g := s.syms[dev][class]
			if g == nil || len(g.times) == 0 {
				continue
			}
			m, ok := bestMatch(g, arr, spaceFollow, func(e *ontapEvent) int {
				switch {
				case lunPath != "" && string(e.rec.LUNPath) == lunPath:
					return 3
				case lunVol != "" && string(e.rec.Volume) == lunVol:
					return 2
				case netapp:
					return 1
				}
				return 0
			})
			if !ok {
				continue
			}
			bestI, bestRank, bestN, bf, bl, off := m.i, m.rank, m.n, m.first, m.last, m.off
			e := &arr[bestI]
			// Other array events about the same LUN or volume in the window
			// (e.g. the wafl.vol.full behind a LUN.vol.no.space).
			var related []*ontapEvent
			for i := range arr {
				o := &arr[i]
				if i == bestI || !o.rec.HasTime || (lunVol == "" || string(o.rec.Volume) != lunVol) && (lunPath == "" || string(o.rec.LUNPath) != lunPath) {
					continue
				}
				at := o.rec.Time.Add(off)
				if n, _, _ := within(g.times, at.Add(-ontapSkew), at.Add(ontapSkew+spaceFollow)); n > 0 {
					related = append(related, o)
				}
			}
			conf, why := "low", "only the time window links them (the device id is not a NetApp NAA id)"
			switch bestRank {
			case 3:
				conf, why = "high", fmt.Sprintf("the device's NAA id embeds serial %s, the serial of %s", serial, lunPath)
			case 2:
				conf, why = "high", fmt.Sprintf("the device's NAA id embeds serial %s of %s, a LUN in volume %s", serial, lunPath, lunVol)
			case 1:
				conf, why = "medium", "the device is a NetApp LUN and the host errors fall in the window of the array event"
			}
			if e.rec.TimeAssumed && conf == "high" {
				conf = "medium"
			}
			if off != 0 {
				conf, why = "low", offsetNote(off)+"; "+why
			}
			what := objLUN(&e.rec)
			if what == "" {
				what = objAggr(&e.rec)
			}
			sum := fmt.Sprintf("%s (%s) on %s at %s, then %d × %s on %s between %s and %s; clock skew tolerance ±%s; confidence %s: %s",
				e.rec.Event, what, e.rec.Node, e.rec.Time.UTC().Format(timeLayout), bestN, symptomText[class], dev,
				bf.UTC().Format(timeLayout), bl.UTC().Format(timeLayout), ontapSkew, conf, why)
			var rel []string
			for _, o := range related {
				what := objLUN(&o.rec)
				if what == "" {
					what = objAggr(&o.rec)
				}
				rel = append(rel, fmt.Sprintf("%s (%s) at %s", o.rec.Event, what, o.rec.Time.UTC().Format(timeLayout)))
			}
			if len(rel) > 0 {
				sum += "; related array events: " + strings.Join(rel, ", ")
			}
			if e.rec.TimeAssumed {
				sum += " (the ONTAP log states no time zone: read as UTC)"
			}
			if !e.verified {
				sum += fmt.Sprintf(" [event name %s not verified against the ONTAP EMS reference]", e.rec.Event)
			}
			facts := map[string]string{
				"related_events": strconv.Itoa(len(related)),
				"confidence":     conf, "ontap_event": string(e.rec.Event), "ontap_node": string(e.rec.Node), "volume": string(e.rec.Volume),
				"aggregate": string(e.rec.Aggregate), "lun_path": lunPath, "host_device": dev, "host_symptom": class,
				"host_count": strconv.Itoa(bestN), "skew_tolerance": ontapSkew.String(), "array_time": e.rec.Time.UTC().Format(timeLayout),
			}
			if serial != "" {
				facts["serial"] = serial
			}
			if off != 0 {
				facts["clock_offset"] = off.String()
			}
			chain := append([]*ontapEvent{e}, related...)
			ev := correlatedEvidence(h, g, chain...)
			first := correlatedStart(m, chain...)
			out = append(out, Finding{RuleID: spaceHostID, Severity: SeverityCritical, Title: "Array out of space or LUN offline caused I/O failures on the host",
				Object: dev + " " + class, Count: bestN, First: first, Last: bl, Summary: sum, Evidence: ev, Facts: facts,
				KB: h.KB("vmware:289902", "vmware:2004086"),
				Remediation: []string{
					"Free or add space on the array first: grow the volume/aggregate named above, delete Snapshot copies or enable autosize/Snapshot autodelete; bring the LUN online if ONTAP took it offline.",
					"Then on the host: answer/resume the VMs stunned by out-of-space writes, rescan, and for PDL/APD restore the paths or detach the device.",
				}})
		}
	}
	return out, RuleStatus{}
}

// ---- ontap-port-qfull-host ----

// portQfullRule: FC target port command queue full on the array
// (scsitarget.fct.port.full, Harvest runbook) ↔ TASK SET FULL (D:0x28) or
// BUSY (D:0x8) on NetApp devices of the host (rules-catalog.md
// NA-FCPORT-001). The port is not tied to a LUN: confidence is medium for
// NetApp devices, low otherwise.
type portQfullRule struct{}

const (
	portQfullID = "ontap-port-qfull-host"
	qfullFollow = 5 * time.Minute
)

func (portQfullRule) Info() RuleInfo {
	return RuleInfo{
		ID: portQfullID, Title: "Array FC port queue full caused TASK SET FULL / BUSY on the host",
		Severity: SeverityError, Kinds: hostSideKinds, Keywords: hostSideKeywords(),
		KB:     []string{"vmware:1030381", "vmware:1008113", "vmware:1010922"},
		Needs:  "vmkernel log plus an ONTAP log analyzed together",
		Source: "builtin:rule_ontap_correlate.go",
		Samples: []Sample{
			{Line: `2024-03-07T10:15:03.123Z cpu3:2097)ScsiDeviceIO: 3449: Cmd(0x45a2c0b3c8c0) 0x2a, CmdSN 0x1f2 from world 2099 to dev "naa.600a09804334692f614a324a3562505a" failed H:0x0 D:0x28 P:0x0 Possible sense data: 0x0 0x0 0x0.`, Match: false},
		},
	}
}

func (portQfullRule) NewState() RuleState { return &portQfullState{} }

type portQfullState struct{ hostSideState }

func (s *portQfullState) Merge(o RuleState) {
	if x, ok := o.(*portQfullState); ok && x != nil {
		s.hostSideState.merge(&x.hostSideState)
	}
}

func (s *portQfullState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	v, st, ok := s.precheck(h)
	if !ok {
		return nil, st
	}
	arr := v.events[ontapPortFullID]
	var out []Finding
	for _, dev := range s.devNames() {
		_, netapp := parser.NetAppSerialFromNAA([]byte(dev))
		for _, class := range []string{"queue-full", "busy"} {
			g := s.syms[dev][class]
			if g == nil || len(g.times) == 0 {
				continue
			}
			m, ok := bestMatch(g, arr, qfullFollow, nil)
			if !ok {
				continue
			}
			bestN, bf, bl, off := m.n, m.first, m.last, m.off
			e := &arr[m.i]
			conf, why := "medium", "the device is a NetApp LUN and the host errors fall in the window of the array event (the port is not tied to one LUN)"
			if !netapp {
				conf, why = "low", "only the time window links them (the device id is not a NetApp NAA id)"
			}
			if off != 0 {
				conf, why = "low", offsetNote(off)+"; "+why
			}
			name := map[string]string{"queue-full": "TASK SET FULL (D:0x28)", "busy": "BUSY (D:0x8)"}[class]
			sum := fmt.Sprintf("%s on %s at %s, then %d × %s on %s between %s and %s; clock skew tolerance ±%s; confidence %s: %s",
				e.rec.Event, e.rec.Node, e.rec.Time.UTC().Format(timeLayout), bestN, name, dev,
				bf.UTC().Format(timeLayout), bl.UTC().Format(timeLayout), ontapSkew, conf, why)
			if e.rec.TimeAssumed {
				sum += " (the ONTAP log states no time zone: read as UTC)"
			}
			facts := map[string]string{"confidence": conf, "ontap_event": string(e.rec.Event), "ontap_node": string(e.rec.Node),
				"host_device": dev, "host_symptom": class, "host_count": strconv.Itoa(bestN), "skew_tolerance": ontapSkew.String(),
				"array_time": e.rec.Time.UTC().Format(timeLayout)}
			if off != 0 {
				facts["clock_offset"] = off.String()
			}
			ev := correlatedEvidence(h, g, e)
			first := correlatedStart(m, e)
			out = append(out, Finding{RuleID: portQfullID, Severity: SeverityError, Title: "Array FC port queue full caused TASK SET FULL / BUSY on the host",
				Object: dev + " " + class, Count: bestN, First: first, Last: bl, Summary: sum, Evidence: ev, Facts: facts,
				KB: h.KB("vmware:1030381", "vmware:1008113", "vmware:1010922"),
				Remediation: []string{
					"The array's FC target port ran out of command slots: reduce hosts per port or LUNs per host, spread initiators over more target ports, or lower the host queue depth.",
					"Enable adaptive queue depth on every host sharing the port (Disk.QFullSampleSize / Disk.QFullThreshold as the array vendor advises; for NetApp the VMware guidance of KB 1010922 gives QFullSampleSize 32).",
				}})
		}
	}
	return out, RuleStatus{}
}
