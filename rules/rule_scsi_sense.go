package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/esxdiag/esxdiag/parser"
	"github.com/esxdiag/esxdiag/sense"
)

// scsi-sense: every failed SCSI command ESXi logged, decoded with the sense
// package (H:/D:/P: status, sense key/ASC/ASCQ), classified into an action
// class and aggregated per device × class, with the path × opcode breakdown
// and a per-device table for the report.
//
// Benign classes are info: ILLEGAL REQUEST for SMART/health polling opcodes
// (0x1a MODE SENSE(6), 0x4d LOG SENSE, 0x85 ATA PASS-THROUGH(16), 0x12
// INQUIRY VPD probes) is what VMware's own GSS tool filters out
// (rules-catalog.md, "Swingline" noise filter; KB 289902 sample 0x12 5/24/00).
// A storm (scsiStormPerMinute or more failures of one class on one device
// within a minute) raises the severity one step.
//
// Sources: SPEC (sense.Classify class IDs), kb.md §1 (KB 289902, 1029039,
// 1030381, 2004086, 1003433 VERIFIED) and §7 (1008113, 1005009 VERIFIED;
// Broadcom 318712 for PDL); CASE.md case 1 step 1 (6/3f/0e during backup
// verification = a snapshot LUN mapped/unmapped on the array).

const (
	scsiSenseID = "scsi-sense"
	// scsiStormPerMinute is the per-device, per-class rate that makes a storm.
	scsiStormPerMinute = 10
)

type scsiSenseRule struct{}

// scsiSenseKeywords find every status form with literals of 10+ bytes
// (short ones slow the engine's prefilter): "sense data:" (Valid/Possible/
// Invalid), "failed H:0x" (ESXi 7+ lines without sense), "status H:0x"
// (ScsiDeviceToken), "nmp_ThrottleLogForDevice" (NMP throttle lines incl.
// the ESXi 8 records that end at "Failed:", joined by the engine with their
// status record), " status = " (ESX 3.5), "PDL error (".
var scsiSenseKeywords = []string{"sense data:", "failed H:0x", "status H:0x", "nmp_ThrottleLogForDevice", " status = ", "PDL error ("}

func (scsiSenseRule) Info() RuleInfo {
	return RuleInfo{
		ID:       scsiSenseID,
		Title:    "SCSI command failures decoded (per device and class)",
		Severity: SeverityCritical,
		Kinds:    []parser.Kind{parser.KindVmkernel, parser.KindVmkwarning, parser.KindMessages},
		Keywords: scsiSenseKeywords,
		KB:       []string{"vmware:289902", "vmware:1029039", "vmware:1030381", "vmware:2004086", "vmware:1003433", "vmware:1008113", "vmware:1005009", "vmware:318712"},
		Needs:    "vmkernel log (var/log/messages on ESX/ESXi 4.x)",
		Source:   "builtin:rule_scsi_sense.go",
		Samples: []Sample{
			{Line: `Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device "naa.xxxxxxxxxxxxx" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`, Match: true, Kind: parser.KindMessages},
			{Line: `2010-10-30T02:20:55.013Z cpu14:4110)NMP: nmp_ThrottleLogForDevice:2318: Cmd 0x28 (0x412441199080) to dev "naa.60a9800064655a77524a6c4938685950" on path "vmhba2:C0:T1:L1" Failed: H:0x8 D:0x0 P:0x0 Possible sense data: 0x0 0x0 0x0.Act:EVAL`, Match: true},
			{Line: `NMP: nmp_CompleteCommandForPath: Command 0x28 (0x41000b10f000) to NMP device "naa.600601601f70190016361881f3b4de11" failed on physical path "vmhba3:C0:T2:L10" H:0x0 D:0x2 P:0x0 Valid sense data: 0x2 0x4 0x3.`, Match: true},
			{Line: `StorageMonitor: 196: vmhba1:1:6:0 status = 40/0 0x0 0x0 0x0`, Match: true},
			// Benign SMART polling is still reported, at info level.
			{Line: `2011-04-04T21:07:30.257Z cpu2:2050)ScsiDeviceIO: 2315: Cmd(0x4124003edb00) 0x1a, CmdSN 0x51 to dev "naa.600508e000000000c9f6baa7c19f6900" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x24 0x0.`, Match: true},
			{Line: `2014-11-14T19:19:51.559Z cpu7:35233)VC: 2002: Device rescan time 704 msec (total number of devices 91)`, Match: false},
			{Line: `2011-04-04T21:07:30.257Z cpu2:2050)ScsiDeviceIO: 2315: Cmd(0x4124003edb00) 0x28, CmdSN 0x51 to dev "naa.600508e000000000c9f6baa7c19f6900" completed H:0x0 D:0x0 P:0x0`, Match: false},
		},
	}
}

func (scsiSenseRule) NewState() RuleState { return &scsiSenseState{} }

// scsiStatusKey is one distinct status (H/D/P + sense) inside a class.
type scsiStatusKey struct {
	host, dev, plugin, key, asc, ascq uint8
	valid, hasStatus, pdl             bool
	form                              sense.Form
}

// scsiGroup aggregates one device × class.
type scsiGroup struct {
	agg
	paths    map[string]map[int]int // path -> opcode -> count
	statuses map[scsiStatusKey]int
	minutes  map[int64]int // failures per minute (lines with a time)
}

type scsiSenseState struct {
	devices map[string]map[string]*scsiGroup // device -> class ID -> group
	lines   int                              // status lines seen (incl. successes)
	// pending holds ESXi 8 "... to dev X on path P Failed:" records whose
	// status follows on the next record of the same world (per worker,
	// transient: not merged).
	pending map[scsiPendKey]scsiPend
}

type scsiPendKey struct{ seq, world int }

type scsiPend struct {
	dev, path []byte
	op        int
	num       int64
}

func (s *scsiSenseState) group(dev []byte, class string) *scsiGroup {
	if s.devices == nil {
		s.devices = map[string]map[string]*scsiGroup{}
	}
	classes, ok := s.devices[string(dev)]
	if !ok {
		classes = map[string]*scsiGroup{}
		s.devices[string(dev)] = classes
	}
	g := classes[class]
	if g == nil {
		g = &scsiGroup{paths: map[string]map[int]int{}, statuses: map[scsiStatusKey]int{}, minutes: map[int64]int{}}
		classes[class] = g
	}
	return g
}

// scsiFailed reports whether a parsed status is a failure worth reporting.
func scsiFailed(st *sense.Status) bool {
	if st.PDL || st.Validity == sense.SenseValid {
		return true
	}
	if st.HasStatus && (st.Host|st.Device|st.Plugin) != 0 {
		return true
	}
	return st.Validity == sense.SensePossible && (st.Key|st.ASC|st.ASCQ) != 0
}

func (s *scsiSenseState) Observe(l *Line) {
	var ev parser.ScsiEvent
	if !parser.ParseScsi(l.Text, &ev) || ev.Summary {
		return
	}
	world := -1
	if l.Header != nil {
		world = l.Header.World
	}
	if ev.Split {
		s.remember(l, world, &ev)
		return
	}
	s.lines++
	st := sense.Status{Opcode: ev.Opcode, Host: ev.Host, Device: ev.Dev, Plugin: ev.Plugin, HasStatus: ev.HasStatus,
		Validity: ev.Validity, Key: ev.Key, ASC: ev.ASC, ASCQ: ev.ASCQ, PDL: ev.PDL, Form: ev.Form}
	dev, path := ev.Device, ev.Path
	if len(dev) == 0 && st.Form == sense.FormESX35 {
		dev = path // ESX 3.5 names the LUN by its vmhbaA:T:L:P path only
	}
	if len(dev) == 0 && world >= 0 {
		// ESXi 8 without a joining engine: the status record follows the
		// "Failed:" record of its world.
		k := scsiPendKey{l.Member.Seq, world}
		if p, ok := s.pending[k]; ok && l.Num > p.num && l.Num-p.num <= 4 {
			dev, path = p.dev, p.path
			if st.Opcode < 0 {
				st.Opcode = p.op
			}
			delete(s.pending, k)
		}
	}
	if !scsiFailed(&st) {
		return
	}
	class := sense.Classify(st)
	if len(dev) == 0 {
		dev = []byte(scsiNoDevice)
	}
	g := s.group(dev, class.ID)
	g.add(l)
	if w := ev.Repeat; w > 1 {
		g.count += w - 1
	}
	ops := g.paths[string(path)]
	if ops == nil {
		ops = map[int]int{}
		g.paths[string(path)] = ops
	}
	ops[st.Opcode] += max(ev.Repeat, 1)
	g.statuses[scsiStatusKey{st.Host, st.Device, st.Plugin, st.Key, st.ASC, st.ASCQ,
		st.Validity == sense.SenseValid, st.HasStatus, st.PDL, st.Form}] += max(ev.Repeat, 1)
	if t := l.Time(); !t.IsZero() {
		g.minutes[t.Unix()/60] += max(ev.Repeat, 1)
	}
}

func (s *scsiSenseState) Merge(other RuleState) {
	o, ok := other.(*scsiSenseState)
	if !ok || o == nil {
		return
	}
	s.lines += o.lines
	for dev, classes := range o.devices {
		for class, og := range classes {
			s.group([]byte(dev), class).merge(og)
		}
	}
}

func (g *scsiGroup) merge(og *scsiGroup) {
	g.agg.merge(&og.agg)
	for p, oops := range og.paths {
		ops := g.paths[p]
		if ops == nil {
			ops = map[int]int{}
			g.paths[p] = ops
		}
		for op, n := range oops {
			ops[op] += n
		}
	}
	for k, n := range og.statuses {
		g.statuses[k] += n
	}
	for m, n := range og.minutes {
		g.minutes[m] += n
	}
}

const scsiNoDevice = "(device not named)"

// attributePaths moves failures logged with a path but no device (e.g.
// "Path \"vmhba3:C0:T0:L0\" (PERM LOSS) command 0xa3 failed ...") to the
// device that other records of the bundle name for that path, when all
// their paths lead to one device.
func (s *scsiSenseState) attributePaths() {
	anon, ok := s.devices[scsiNoDevice]
	if !ok {
		return
	}
	owner := map[string]string{} // path -> device ("" when ambiguous)
	for dev, classes := range s.devices {
		if dev == scsiNoDevice {
			continue
		}
		for _, g := range classes {
			for p := range g.paths {
				if p == "" {
					continue
				}
				if d, seen := owner[p]; seen && d != dev {
					owner[p] = ""
				} else {
					owner[p] = dev
				}
			}
		}
	}
	for class, g := range anon {
		dev := ""
		for p := range g.paths {
			d := owner[p]
			if d == "" || (dev != "" && d != dev) {
				dev = ""
				break
			}
			dev = d
		}
		if dev != "" {
			s.group([]byte(dev), class).merge(g)
			delete(anon, class)
		}
	}
	if len(anon) == 0 {
		delete(s.devices, scsiNoDevice)
	}
}

// remember keeps an ESXi 8 record that ends at "Failed:" (no status) so the
// status record that follows on the same world can be attributed when the
// engine did not join them (parser.ScsiJoiner does when it is used).
func (s *scsiSenseState) remember(l *Line, world int, ev *parser.ScsiEvent) {
	if world < 0 || len(ev.Device) == 0 {
		return
	}
	if s.pending == nil {
		s.pending = map[scsiPendKey]scsiPend{}
	}
	if len(s.pending) > 4096 { // bound: stale entries of worlds that never logged a status
		clear(s.pending)
	}
	s.pending[scsiPendKey{l.Member.Seq, world}] = scsiPend{
		dev: append([]byte(nil), ev.Device...), path: append([]byte(nil), ev.Path...), op: ev.Opcode, num: l.Num,
	}
}

// pollingOpcodes are the health/SMART polling and VPD probe commands whose
// ILLEGAL REQUEST answers are benign (GSS "Swingline" filter 0x1a/0x4d/0x85;
// 0x12 INQUIRY per the KB 289902 sample).
func pollingOpcode(op int) bool {
	switch op {
	case 0x1a, 0x4d, 0x85, 0x12:
		return true
	}
	return false
}

// scsiClassKB maps an action class to the verified KBs that explain it.
func scsiClassKB(class string) []string {
	switch class {
	case "host-no-connect", "host-timeout", "host-abort", "host-reset", "host-error":
		return []string{"vmware:1029039", "vmware:1003433"}
	case "busy", "queue-full":
		return []string{"vmware:1030381", "vmware:1008113"}
	case "reservation-conflict":
		return []string{"vmware:1030381", "vmware:1005009", "vmware:2004086"}
	case "thin-soft-threshold", "out-of-space", "ats-miscompare":
		return []string{"vmware:289902", "vmware:2004086"}
	case "pdl":
		return []string{"vmware:289902", "vmware:318712"}
	}
	return []string{"vmware:289902", "vmware:1030381"}
}

// scsiClassSteps are class-specific steps added after the class guidance;
// span is the finding's first/last time (" between A and B"), used to point
// at the job or array event to correlate with.
func scsiClassSteps(class, span string) []string {
	switch class {
	case "lun-inventory-changed":
		return []string{
			"Look up the backup jobs that ran" + orText(span, " at the time of these errors") + ": backup verification (SnapManager for Exchange/SQL with SnapDrive, VSC/SMVI) mounts a LUN cloned from a NetApp snapshot on this host and unmaps it afterwards; 6/3f/0e in that window is most likely that job, not a failure.",
			"Confirm on the array: LUN mapping create/delete and LUN clone create/destroy at the same minutes (ONTAP audit/command history; the LUN map event names are not verified here, so search by time).",
			"Rescan only if a LUN is expected to appear or disappear; if the host hung during verification, check the hostd findings (hostdstats-exhausted, hostd-crash) of the same window.",
		}
	case "host-no-connect", "host-timeout", "host-abort", "host-reset", "host-error":
		return []string{"Host-side status: check HBA link and driver/firmware, FC switch port errors and SFPs, or the iSCSI network, before blaming the array."}
	case "busy", "queue-full":
		return []string{"Confirm on the array for the same minutes (NetApp scsitarget.fct.port.full, target port queue-full counters), then reduce fan-in: fewer hosts or LUNs per target port, or a lower host queue depth."}
	case "pdl":
		return []string{"If the LUN was unmapped or destroyed on the array by mistake, restore the mapping first; the pdl finding lists the full unmount/detach procedure."}
	case "out-of-space", "thin-soft-threshold":
		// NetApp EMS names and the fix order: kb.md §8 (ontap-ems
		// monitor-vol-events, lun-vol-events pages).
		return []string{
			"On the array, find the volume or aggregate that holds the LUN and free space: grow the volume (or enable autosize), delete old snapshots or data; on ONTAP look for monitor.vol.full.inc.sav, LUN.vol.no.space or LUN.vol.proc.fail.no.space at the same time.",
			"Then resume the VMs that paused on the out-of-space question (answer Retry in the vSphere client) and check the guests' file systems.",
			"Keep thin LUNs from overcommitting the pool: alert on the soft threshold (sense 6/38/07) before writes start failing.",
		}
	case "reservation-conflict":
		return []string{"Find the initiator holding the reservation (MSCS/RDM, backup software, non-ATS VMFS metadata locking); on ESX/ESXi 4.1 and later with a VAAI-capable array, check that VAAI ATS is enabled."}
	}
	return nil
}

func statusText(k scsiStatusKey) string {
	var b strings.Builder
	if k.pdl && !k.hasStatus {
		fmt.Fprintf(&b, "PDL error %x/%02x/%02x", k.key, k.asc, k.ascq)
	} else if k.hasStatus {
		fmt.Fprintf(&b, "H:0x%x D:0x%x P:0x%x", k.host, k.dev, k.plugin)
	}
	if k.valid || (k.key|k.asc|k.ascq) != 0 {
		d := sense.Decode(k.key, k.asc, k.ascq)
		word := "sense"
		if !k.valid && k.hasStatus {
			// "Possible sense data": the bytes were not validated by a
			// CHECK CONDITION (KB 289902, kb.md §1); say so.
			word = "possible sense"
		}
		fmt.Fprintf(&b, " %s %x/%02x/%02x %s: %s", word, k.key, k.asc, k.ascq, d.KeyName, d.Description())
	} else if k.hasStatus {
		var parts []string
		if k.host != 0 {
			parts = append(parts, sense.HostStatus(k.host).Name)
		}
		if k.dev != 0 {
			parts = append(parts, sense.DeviceStatus(k.dev).Name)
		}
		if k.plugin != 0 {
			parts = append(parts, sense.PluginStatus(k.plugin).Name)
		}
		if len(parts) > 0 {
			b.WriteString(" (" + strings.Join(parts, ", ") + ")")
		}
	}
	return strings.TrimSpace(b.String())
}

func opcodeText(op int) string {
	if op < 0 {
		return "command"
	}
	return fmt.Sprintf("0x%02x %s", op, sense.Opcode(uint8(op), -1).Name)
}

func (s *scsiSenseState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	s.attributePaths()
	if len(s.devices) == 0 {
		if s.lines > 0 {
			return nil, RuleStatus{RuleID: scsiSenseID, State: StateClear, Reason: fmt.Sprintf("%d SCSI status lines, none failed", s.lines)}
		}
		return nil, RuleStatus{}
	}
	devs := make([]string, 0, len(s.devices))
	for d := range s.devices {
		devs = append(devs, d)
	}
	sort.Strings(devs)
	var out []Finding
	var rows []DeviceRow
	for _, dev := range devs {
		classes := make([]string, 0, len(s.devices[dev]))
		for c := range s.devices[dev] {
			classes = append(classes, c)
		}
		sort.Strings(classes)
		for _, cid := range classes {
			g := s.devices[dev][cid]
			class, _ := sense.ClassByID(cid)
			rows = append(rows, DeviceRow{Device: dev, Class: cid, ClassTitle: class.Title, Count: g.count, First: g.span.First, Last: g.span.Last})
			_, inPDL := s.devices[dev]["pdl"]
			out = append(out, s.finding(h, dev, class, g, inPDL))
		}
	}
	h.AddDevices(rows...)
	return out, RuleStatus{RuleID: scsiSenseID, State: StateFired}
}

// finding builds the finding of one device and class. inPDL says the same
// device also has PDL failures: host-side failures on it are then the
// follow-on of the PDL (commands to a LUN that is gone), not a second
// problem, and are not raised as a storm of their own.
func (s *scsiSenseState) finding(h *HostCtx, dev string, class sense.Class, g *scsiGroup, inPDL bool) Finding {
	sev, err := ParseSeverity(class.Severity)
	if err != nil {
		sev = SeverityWarning
	}
	// Opcode breakdown, then the paths, most frequent first. One list per
	// dimension: a path × opcode list repeated the same opcode once per path
	// (and once more for lines that name no path), which hid the totals.
	benign := true
	opN := map[int]int{}
	pathN := map[string]int{}
	for p, ops := range g.paths {
		for op, n := range ops {
			opN[op] += n
			pathN[p] += n
			if !pollingOpcode(op) {
				benign = false
			}
		}
	}
	type opc struct{ op, n int }
	ops := make([]opc, 0, len(opN))
	for op, n := range opN {
		ops = append(ops, opc{op, n})
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].n != ops[j].n {
			return ops[i].n > ops[j].n
		}
		return ops[i].op < ops[j].op
	})
	var breakdown []string
	for i, x := range ops {
		if i == 6 {
			breakdown = append(breakdown, fmt.Sprintf("and %d more", len(ops)-6))
			break
		}
		breakdown = append(breakdown, fmt.Sprintf("%s ×%d", opcodeText(x.op), x.n))
	}
	type pc struct {
		path string
		n    int
	}
	var pcs []pc
	noPath := 0
	for p, n := range pathN {
		if p == "" {
			noPath = n
			continue
		}
		pcs = append(pcs, pc{p, n})
	}
	sort.Slice(pcs, func(i, j int) bool {
		if pcs[i].n != pcs[j].n {
			return pcs[i].n > pcs[j].n
		}
		return pcs[i].path < pcs[j].path
	})
	realPaths := len(pcs)
	pathText := ""
	if len(pcs) == 1 && pcs[0].path == dev && noPath == 0 {
		// ESX 3.5 logs name the LUN by its path (vmhbaA:T:L:P): the
		// path is the device, so it is not repeated.
		pcs = nil
	}
	if len(pcs) > 0 {
		var ps []string
		for i, x := range pcs {
			if i == 4 {
				ps = append(ps, fmt.Sprintf("and %d more", len(pcs)-4))
				break
			}
			ps = append(ps, fmt.Sprintf("%s ×%d", x.path, x.n))
		}
		pathText = " Paths: " + strings.Join(ps, ", ")
		if noPath > 0 {
			pathText += fmt.Sprintf(" (%d line(s) name no path)", noPath)
		}
		pathText += "."
	}
	// Distinct statuses, most frequent first.
	type sk struct {
		k scsiStatusKey
		n int
	}
	var sks []sk
	for k, n := range g.statuses {
		sks = append(sks, sk{k, n})
	}
	sort.Slice(sks, func(i, j int) bool {
		if sks[i].n != sks[j].n {
			return sks[i].n > sks[j].n
		}
		return statusText(sks[i].k) < statusText(sks[j].k)
	})
	var statuses []string
	for i, x := range sks {
		if i == 4 {
			statuses = append(statuses, fmt.Sprintf("and %d more", len(sks)-4))
			break
		}
		statuses = append(statuses, fmt.Sprintf("%s ×%d", statusText(x.k), x.n))
	}
	// Storm: peak failures in one minute.
	peak, peakMin := 0, int64(0)
	for m, n := range g.minutes {
		if n > peak || (n == peak && m < peakMin) {
			peak, peakMin = n, m
		}
	}
	facts := map[string]string{
		"class":  class.ID,
		"status": statusText(sks[0].k),
	}
	if realPaths > 0 { // lines that name no path are not a path; none named, no fact
		facts["paths"] = strconv.Itoa(realPaths)
	}
	if sks[0].k.valid || (sks[0].k.key|sks[0].k.asc|sks[0].k.ascq) != 0 {
		facts["sense"] = fmt.Sprintf("%x/%02x/%02x", sks[0].k.key, sks[0].k.asc, sks[0].k.ascq)
	}
	if peak > 0 {
		facts["peak_per_minute"] = strconv.Itoa(peak)
	}
	note := ""
	guidance := class.Guidance
	rem := []string{class.Guidance}
	rem = append(rem, scsiClassSteps(class.ID, spanText(g.span))...)
	followsPDL := inPDL && strings.HasPrefix(class.ID, "host-")
	switch {
	case followsPDL:
		guidance = "These failures follow the Permanent Device Loss of this device (see its PDL findings): the host keeps probing a LUN the array no longer presents."
		rem = []string{"Handle the PDL first (see the pdl finding); these failures stop once the device is detached or the LUN mapping is restored."}
		if peak >= scsiStormPerMinute {
			facts["storm"] = "true"
		}
	case benign && (class.ID == "unsupported-command" || class.ID == "illegal-request"):
		sev = SeverityInfo
		guidance = "Benign: the device rejects health/SMART polling or VPD probe commands it does not implement; no action needed."
		rem = []string{
			"No action needed: only polling or probe opcodes (" + strings.Join(breakdown, ", ") + ") were rejected, no read or write.",
			"Act only if the same status starts to name a READ or WRITE, or if the polling floods the log; then check the device's driver/firmware against the compatibility guide.",
		}
	case peak >= scsiStormPerMinute:
		if sev < SeverityWarning {
			sev = SeverityWarning
		} else if sev < SeverityCritical {
			sev++
		}
		facts["storm"] = "true"
		note = fmt.Sprintf(" Storm: %d failures within one minute (from %s).", peak, unixMinute(peakMin))
	}
	opText := strings.Join(breakdown, ", ")
	if len(ops) == 1 && ops[0].op < 0 {
		opText = "opcode not logged" // ESX 3.5 StorageMonitor lines carry no opcode
	}
	summary := fmt.Sprintf("%d failed SCSI command(s) on %s%s, class %q: %s.%s Status: %s.%s %s",
		g.count, dev, spanText(g.span), class.Title, opText, pathText, strings.Join(statuses, "; "), note, guidance)
	return Finding{
		RuleID: scsiSenseID, Severity: sev, Object: dev,
		Title:       fmt.Sprintf("SCSI: %s on %s", class.Title, dev),
		Fingerprint: h.Fingerprint(scsiSenseID, dev+"#"+class.ID),
		Count:       g.count, First: g.span.First, Last: g.span.Last,
		Summary:     strings.TrimSpace(summary),
		Evidence:    g.ev.Items(),
		Remediation: rem,
		KB:          h.KB(scsiClassKB(class.ID)...),
		Facts:       facts,
	}
}

func unixMinute(m int64) string {
	return timeFromUnix(m * 60).UTC().Format(timeLayout)
}

// orText is s, or alt when s is empty.
func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
