package rules

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/esxdiag/esxdiag/parser"
)

// hostdstats-exhausted: the seed case (CASE.md case 1). The hostdstats
// ramdisk fills up, hostd cannot write its performance stats, vmkernel runs
// out of ramdisk space for file data and hostd dumps core. One finding cites
// every signal present; it is critical when the ramdisk or hostd itself
// shows the exhaustion and another signal confirms it, lower otherwise.
//
// Sources: CASE.md case 1 steps 2-3 (the four signals and the fix),
// formats.md §3 (hostdstats exhaustion lines, [V] elatov), rules-catalog.md
// ESX-HOSTDSTATS-001 (remediation as applied in the case). KB 1005884 is
// CASE-CITED (kb.md §0), shown labelled as the case's reference.

const (
	hostdstatsID        = "hostdstats-exhausted"
	ramdiskFullPct      = 95 // "≥ 95% full" (issue 5)
	hostdStatsPath      = "No space left : /var/lib/vmware/hostd/stats"
	noFreeMemFileData   = "No free memory for file data"
	vdfRowKeyword       = "% --" // vdf -h ramdisk rows end "NN% --"
	visorfsRowKeyword   = " % "  // localcli visorfs ramdisk list rows: "92 %"
	dumpingCartel       = "Dumping cartel"
	hostdstatsRamdisk   = "hostdstats"
	kbHostdStatsCleanup = "vmware:1005884"
)

type hostdstatsRule struct{}

func (hostdstatsRule) Info() RuleInfo {
	return RuleInfo{
		ID:       hostdstatsID,
		Title:    "hostdstats ramdisk exhausted: hostd cannot write its stats and crashes",
		Severity: SeverityCritical,
		Kinds: []parser.Kind{parser.KindVdf, parser.KindRamdiskList, parser.KindHostd, parser.KindMessages,
			parser.KindVmkernel, parser.KindVmkwarning, parser.KindSyslog, parser.KindVobd},
		Keywords: []string{hostdstatsRamdisk, hostdStatsPath, noFreeMemFileData, dumpingCartel},
		KB:       []string{kbHostdStatsCleanup},
		Needs:    "vdf -h output, hostd or vmkernel log",
		Source:   "builtin:rule_hostdstats.go",
		Samples: []Sample{
			{Line: "hostdstats 166M 166M 0B 100% --", Match: true, Kind: parser.KindVdf},
			{Line: "hostdstats 1803M 2M 1800M 0% --", Match: false, Kind: parser.KindVdf},
			{Line: "MAINSYS 32M 21M 10M 68% --", Match: false, Kind: parser.KindVdf},
			// The hostd event form of a full ramdisk (rules-catalog.md ESX-RAMDISK-001 shape) for hostdstats.
			{Line: "2017-10-10T08:11:20.805Z info hostd[50981B70] [Originator@6876 sub=Vimsvc.ha-eventmgr] Event 247 : The ramdisk 'hostdstats' is full.  As a result, the file /var/lib/vmware/hostd/stats/hostAgentStats-20.stats could not be written.", Match: true, Kind: parser.KindHostd},
			{Line: "Apr 7 17:33:20 esx_host Hostd: [2012-04-07 17:33:20.472 32AE9B90 error 'Statssvc'] Error: 'FileIO error: No space left : /var/lib/vmware/hostd/stats/hostAgentStats.idMap'; while adding stat ...", Match: true, Kind: parser.KindMessages},
			{Line: "Apr 7 17:41:03 esx_host vmkernel: 17:19:52:55.580 cpu7:4182)BC: 3837: Failed to flush 45 buffers of size 8192 each for object '' 1 4 ed6 0 0 0 0 0 0 0 0 0 0 0: No free memory for file data", Match: true, Kind: parser.KindMessages},
			// A hostd core dump alone is hostd-crash's business, not evidence of a full ramdisk.
			{Line: "Apr 7 17:41:03 esx_host vmkernel: 17:19:52:55.726 cpu6:3476319)UserDump: 1485: Dumping cartel 3476251 (from world 3476319) to file /var/core/hostd-worker-zdump.000 ...", Match: false, Kind: parser.KindMessages},
		},
	}
}

func (hostdstatsRule) NewState() RuleState { return &hostdstatsState{} }

type ramdiskPeak struct {
	pct        int
	size, used int64
	seen       bool
}

func (p *ramdiskPeak) offer(row *parser.RamdiskRow) {
	pct := row.UsePct
	if !p.seen || pct > p.pct || (pct == p.pct && row.Used > p.used) {
		p.pct, p.size, p.used, p.seen = pct, row.Size, row.Used, true
	}
}

func (p *ramdiskPeak) merge(o ramdiskPeak) {
	if !o.seen {
		return
	}
	if !p.seen || o.pct > p.pct || (o.pct == p.pct && o.used > p.used) {
		*p = o
	}
}

type hostdstatsState struct {
	peak                     ramdiskPeak // hostdstats row, highest use
	vdf, stats, nomem, dumps agg
	fullEvents               agg // "The ramdisk 'hostdstats' is full" (hostd/vobd event)
	dumpFiles                map[string]int
}

func (s *hostdstatsState) Observe(l *Line) {
	switch l.Member.Kind {
	case parser.KindVdf, parser.KindRamdiskList:
		var row parser.RamdiskRow
		if !parseVdfRow(l.Text, &row) || !bytes.Equal(row.Name, []byte(hostdstatsRamdisk)) {
			return
		}
		s.peak.offer(&row)
		if row.UsePct >= ramdiskFullPct {
			s.vdf.add(l)
		}
		return
	}
	switch {
	case bytes.Contains(l.Text, []byte("ramdisk 'hostdstats' is full")):
		s.fullEvents.add(l)
	case bytes.Contains(l.Text, []byte(hostdStatsPath)):
		s.stats.add(l)
	case bytes.Contains(l.Text, []byte(noFreeMemFileData)):
		s.nomem.add(l)
	case bytes.Contains(l.Text, []byte(dumpingCartel)):
		var c parser.CoreDump
		if parseCoreDump(l.Text, &c) && isHostdProcess(c.Process) {
			s.dumps.add(l)
			if s.dumpFiles == nil {
				s.dumpFiles = map[string]int{}
			}
			s.dumpFiles[string(c.File)]++
		}
	}
}

// isHostdProcess reports whether a dumping world is hostd ("hostd",
// "hostd-worker", "hostd-poll", ...).
func isHostdProcess(p []byte) bool { return bytes.HasPrefix(p, []byte("hostd")) }

func (s *hostdstatsState) Merge(other RuleState) {
	o, ok := other.(*hostdstatsState)
	if !ok || o == nil {
		return
	}
	s.peak.merge(o.peak)
	s.vdf.merge(&o.vdf)
	s.stats.merge(&o.stats)
	s.nomem.merge(&o.nomem)
	s.dumps.merge(&o.dumps)
	s.fullEvents.merge(&o.fullEvents)
	for f, n := range o.dumpFiles {
		if s.dumpFiles == nil {
			s.dumpFiles = map[string]int{}
		}
		s.dumpFiles[f] += n
	}
}

// coreFiles lists the bundle's hostd userworld core files (var/core/hostd*-zdump.*).
func coreFiles(h *HostCtx, prefix string) []string {
	var out []string
	for _, f := range h.Files {
		rel := f.Rel
		if !strings.HasPrefix(rel, "var/core/") {
			continue
		}
		base := rel[len("var/core/"):]
		if strings.HasPrefix(base, prefix) && strings.Contains(base, "-zdump") {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}

func mib(b int64) string {
	if b%(1<<20) == 0 || b >= 10<<20 {
		return strconv.FormatInt(b>>20, 10) + "M"
	}
	return strconv.FormatInt(b>>10, 10) + "K"
}

func (s *hostdstatsState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	cores := coreFiles(h, "hostd")
	full := s.vdf.count > 0 || s.fullEvents.count > 0
	strong := full || s.stats.count > 0
	n := 0
	var parts []string
	facts := map[string]string{}
	if full {
		n++
		var p []string
		if s.vdf.count > 0 {
			p = append(p, fmt.Sprintf("hostdstats ramdisk %d%% full (%s of %s used)", s.peak.pct, mib(s.peak.used), mib(s.peak.size)))
			facts["use_pct"] = strconv.Itoa(s.peak.pct)
			facts["size_bytes"] = strconv.FormatInt(s.peak.size, 10)
			facts["used_bytes"] = strconv.FormatInt(s.peak.used, 10)
		}
		if s.fullEvents.count > 0 {
			p = append(p, fmt.Sprintf("\"ramdisk 'hostdstats' is full\" event %s%s", times(s.fullEvents.count), spanText(s.fullEvents.span)))
			facts["ramdisk_full_events"] = strconv.Itoa(s.fullEvents.count)
		}
		parts = append(parts, strings.Join(p, ", "))
	}
	if s.stats.count > 0 {
		n++
		parts = append(parts, fmt.Sprintf("hostd could not write /var/lib/vmware/hostd/stats (No space left) %s%s", times(s.stats.count), spanText(s.stats.span)))
		facts["stats_write_errors"] = strconv.Itoa(s.stats.count)
	}
	if s.nomem.count > 0 {
		n++
		parts = append(parts, fmt.Sprintf("vmkernel reported \"No free memory for file data\" %s%s", times(s.nomem.count), spanText(s.nomem.span)))
		facts["no_free_memory_for_file_data"] = strconv.Itoa(s.nomem.count)
	}
	if s.dumps.count > 0 || len(cores) > 0 {
		n++
		files := make([]string, 0, len(s.dumpFiles))
		for f := range s.dumpFiles {
			files = append(files, f)
		}
		sort.Strings(files)
		d := fmt.Sprintf("hostd dumped core %s%s", times(s.dumps.count), spanText(s.dumps.span))
		if len(files) > 0 {
			d += " (" + strings.Join(files, ", ") + ")"
		}
		if len(cores) > 0 {
			d += fmt.Sprintf("; %d hostd core file(s) in the bundle", len(cores))
			facts["core_files"] = strings.Join(cores, " ")
		}
		parts = append(parts, d)
		facts["hostd_core_dumps"] = strconv.Itoa(s.dumps.count)
	}
	if !strong && s.nomem.count == 0 {
		reason := "hostdstats below " + strconv.Itoa(ramdiskFullPct) + "%"
		switch {
		case s.peak.seen:
			reason = fmt.Sprintf("hostdstats ramdisk at %d%% (%s of %s)", s.peak.pct, mib(s.peak.used), mib(s.peak.size))
		case !h.Seen(parser.KindVdf, parser.KindRamdiskList):
			reason = "no vdf -h or visorfs ramdisk list output in bundle; hostd and vmkernel logs show no hostd stats write failure"
		}
		if n > 0 {
			reason += "; hostd core dumps are reported by hostd-crash"
		}
		if !h.Seen(hostdstatsRule{}.Info().Kinds...) {
			return nil, RuleStatus{RuleID: hostdstatsID, State: StateNotEvaluable, Reason: "no vdf output, hostd or vmkernel log in bundle"}
		}
		return nil, RuleStatus{RuleID: hostdstatsID, State: StateClear, Reason: reason}
	}
	sev := SeverityWarning
	title := "VMkernel out of ramdisk space for file data (hostdstats suspected)"
	switch {
	case strong && n >= 2:
		sev = SeverityCritical
		title = hostdstatsRule{}.Info().Title
	case strong:
		sev = SeverityError
		title = "hostdstats ramdisk exhausted"
	case n >= 2:
		sev = SeverityError
	}
	facts["signals"] = strconv.Itoa(n)
	var span TimeSpan
	for _, a := range []*agg{&s.vdf, &s.fullEvents, &s.stats, &s.nomem, &s.dumps} {
		span.Merge(a.span)
	}
	f := Finding{
		RuleID: hostdstatsID, Severity: sev, Title: title, Object: hostdstatsRamdisk,
		Fingerprint: h.Fingerprint(hostdstatsID, hostdstatsRamdisk),
		Count:       s.vdf.count + s.fullEvents.count + s.stats.count + s.nomem.count + s.dumps.count,
		First:       span.First, Last: span.Last,
		Summary:  fmt.Sprintf("%d of 4 signals of hostdstats exhaustion: %s.", n, strings.Join(parts, "; ")),
		Evidence: mixEvidence(h.MaxEvidence, &s.vdf.ev, &s.stats.ev, &s.nomem.ev, &s.dumps.ev),
		Remediation: []string{
			"Confirm with `vdf -h` (ESXi 5+: `esxcli system visorfs ramdisk list`) that the hostdstats ramdisk is at or near 100%.",
			"Delete the hostd stats files: `rm -rf /var/lib/vmware/hostd/stats` (in the case, deleting only /var/lib/vmware/hostd/stats/hostAgentStats-20.stats was enough); hostd rebuilds them.",
			"Restart the management agents: `services.sh restart` (or `/etc/init.d/hostd restart`); VMs keep running, but services.sh can trigger configured VM autostart.",
			"Expect a one-off esx.conf lock timeout while hostd restarts (see esxconf-lock-contention); re-run the failed command once hostd is up.",
			"Once the core files have been collected for analysis, remove old hostd*-zdump.* files from /var/core; long term, upgrade to a release with a larger hostdstats ramdisk and trim excessive paths × LUNs (the number of stats grows with them).",
		},
		KB:    h.KB(kbHostdStatsCleanup),
		Facts: facts,
	}
	return []Finding{f}, RuleStatus{RuleID: hostdstatsID, State: StateFired}
}
