package rules

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/esxdiag/esxdiag/parser"
)

// hostd-crash: the management agents hostd / vpxa died (userworld core dump,
// backtrace) or stopped responding. When hostd dies the host drops out of
// vCenter while VMs keep running.
//
// Sources: CASE.md case 1 step 2 (UserDump of hostd-worker, "Hostd: [00] rip"
// backtrace) and case 3 (hostd/vpxa roles, restart commands); formats.md §1.4
// (var/core/<world>-zdump.NNN, [V]) and §3 (UserDump 1485/1587 lines, [V]);
// rules-catalog.md ESX-HOSTD-001 (the "wantCoreDump:hostd-worker signal:6"
// and hostd-probe "hostd detected to be non-responsive" sample lines as
// quoted in that section, remediation and the services.sh autostart
// warning; the article numbers given there are not in kb.md). The
// restart-agents KB number is unverified (kb.md §6), so none is cited.

const hostdCrashID = "hostd-crash"

type hostdCrashRule struct{}

func (hostdCrashRule) Info() RuleInfo {
	return RuleInfo{
		ID:       hostdCrashID,
		Title:    "Management agent crashed or stopped responding (hostd/vpxa)",
		Severity: SeverityError,
		Kinds: []parser.Kind{parser.KindVmkernel, parser.KindVmkwarning, parser.KindMessages, parser.KindHostd,
			parser.KindHostdProbe, parser.KindVpxa, parser.KindSyslog},
		Keywords: []string{dumpingCartel, "wantCoreDump", "Hostd: [00] rip ", "Backtrace:", "hostd detected to be non-responsive"},
		Needs:    "vmkernel, hostd or hostd-probe log",
		Source:   "builtin:rule_hostd_crash.go",
		Samples: []Sample{
			{Line: "Apr 7 17:41:03 esx_host vmkernel: 17:19:52:55.726 cpu6:3476319)UserDump: 1485: Dumping cartel 3476251 (from world 3476319) to file /var/core/hostd-worker-zdump.000 ...", Match: true, Kind: parser.KindMessages},
			{Line: "Apr 7 17:41:03 esx_host Hostd: [00] rip 17c6bbf3", Match: true, Kind: parser.KindMessages},
			{Line: "2018-11-02T03:18:17.219Z cpu3:2099271)User: 3172: hostd-worker: wantCoreDump:hostd-worker signal:6 exitCode:0 coredump:enabled", Match: true},
			{Line: "2023-08-08T14:13:55.101Z In(14) hostd-probe[2099101]: hostd detected to be non-responsive", Match: true, Kind: parser.KindHostdProbe},
			{Line: "2014-01-17T04:55:50.347Z cpu4:36321)UserDump: 1485: Dumping cartel 36321 (from world 36333) to file /var/core/vix-async-pipe-zdump.000 ...", Match: false},
			{Line: "Apr 7 17:41:04 esx_host vmkernel: 17:19:52:56.902 cpu6:3476319)UserDump: 1587: Userworld coredump complete.", Match: false, Kind: parser.KindMessages},
		},
	}
}

func (hostdCrashRule) NewState() RuleState { return &hostdCrashState{} }

// agentSignals are the signals of one agent ("hostd" or "vpxa").
type agentSignals struct {
	dumps, backtraces, hangs agg
	files                    map[string]int
	// One crash logs both "User: wantCoreDump:<proc>" and "UserDump:
	// Dumping cartel ... to file"; counting dumps lines double-counted
	// crashes (review: "dumped core 4 times" for 2 core files).
	wants, cartels int
}

// crashes is the number of core dumps: the larger of the two per-crash
// line counts, so a bundle holding only one of the shapes still counts.
func (a *agentSignals) crashes() int { return max(a.wants, a.cartels) }

func (a *agentSignals) merge(o *agentSignals) {
	a.wants += o.wants
	a.cartels += o.cartels
	a.dumps.merge(&o.dumps)
	a.backtraces.merge(&o.backtraces)
	a.hangs.merge(&o.hangs)
	for f, n := range o.files {
		if a.files == nil {
			a.files = map[string]int{}
		}
		a.files[f] += n
	}
}

type hostdCrashState struct {
	agents map[string]*agentSignals
}

func (s *hostdCrashState) agent(name string) *agentSignals {
	if s.agents == nil {
		s.agents = map[string]*agentSignals{}
	}
	a := s.agents[name]
	if a == nil {
		a = &agentSignals{}
		s.agents[name] = a
	}
	return a
}

// agentOf maps a dumping process to the agent it belongs to.
func agentOf(proc []byte) string {
	switch {
	case bytes.HasPrefix(proc, []byte("hostd")):
		return "hostd"
	case bytes.HasPrefix(proc, []byte("vpxa")):
		return "vpxa"
	}
	return ""
}

func (s *hostdCrashState) Observe(l *Line) {
	t := l.Text
	switch {
	case bytes.Contains(t, []byte(dumpingCartel)) || bytes.Contains(t, []byte("wantCoreDump")):
		var c parser.CoreDump
		if !parseCoreDump(t, &c) {
			return
		}
		ag := agentOf(c.Process)
		if ag == "" {
			return
		}
		a := s.agent(ag)
		a.dumps.add(l)
		if bytes.Contains(t, []byte(dumpingCartel)) {
			a.cartels++
		} else {
			a.wants++
		}
		if len(c.File) > 0 {
			if a.files == nil {
				a.files = map[string]int{}
			}
			a.files[string(c.File)]++
		}
	case bytes.Contains(t, []byte("hostd detected to be non-responsive")):
		s.agent("hostd").hangs.add(l)
	case bytes.Contains(t, []byte("[00] rip ")) || bytes.Contains(t, []byte("Backtrace:")):
		ag := ""
		switch {
		case l.Member.Kind == parser.KindHostd || bytes.Contains(t, []byte("Hostd")) || bytes.Contains(t, []byte("hostd[")):
			ag = "hostd"
		case l.Member.Kind == parser.KindVpxa || bytes.Contains(t, []byte("Vpxa")) || bytes.Contains(t, []byte("vpxa[")):
			ag = "vpxa"
		}
		if ag != "" {
			s.agent(ag).backtraces.add(l)
		}
	}
}

func (s *hostdCrashState) Merge(other RuleState) {
	o, ok := other.(*hostdCrashState)
	if !ok || o == nil {
		return
	}
	for name, oa := range o.agents {
		s.agent(name).merge(oa)
	}
}

func (s *hostdCrashState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	for _, ag := range []string{"hostd", "vpxa"} {
		for _, f := range coreFiles(h, ag) {
			a := s.agent(ag)
			if a.files == nil {
				a.files = map[string]int{}
			}
			if _, ok := a.files["/"+f]; !ok {
				a.files["/"+f] = 0 // in the bundle, no UserDump line seen
			}
		}
	}
	var out []Finding
	for _, ag := range []string{"hostd", "vpxa"} {
		a := s.agents[ag]
		if a == nil || (a.dumps.count+a.backtraces.count+a.hangs.count == 0 && len(a.files) == 0) {
			continue
		}
		var parts []string
		facts := map[string]string{}
		if a.dumps.count > 0 {
			parts = append(parts, fmt.Sprintf("%s dumped core %s%s", ag, times(a.crashes()), spanText(a.dumps.span)))
			facts["core_dumps"] = strconv.Itoa(a.crashes())
		}
		if len(a.files) > 0 {
			files := make([]string, 0, len(a.files))
			for f := range a.files {
				files = append(files, f)
			}
			sort.Strings(files)
			parts = append(parts, "core files: "+strings.Join(files, ", "))
			facts["core_files"] = strings.Join(files, " ")
		}
		if a.backtraces.count > 0 {
			parts = append(parts, fmt.Sprintf("%d backtrace(s)%s", a.backtraces.count, spanText(a.backtraces.span)))
			facts["backtraces"] = strconv.Itoa(a.backtraces.count)
		}
		if a.hangs.count > 0 {
			parts = append(parts, fmt.Sprintf("watchdog found hostd non-responsive %s%s", times(a.hangs.count), spanText(a.hangs.span)))
			facts["non_responsive"] = strconv.Itoa(a.hangs.count)
		}
		var span TimeSpan
		span.Merge(a.dumps.span)
		span.Merge(a.backtraces.span)
		span.Merge(a.hangs.span)
		restart := "`/etc/init.d/hostd restart`"
		if ag == "vpxa" {
			restart = "`/etc/init.d/vpxa restart`"
		}
		out = append(out, Finding{
			RuleID: hostdCrashID, Severity: SeverityError, Object: ag,
			Title:       fmt.Sprintf("Management agent %s crashed or stopped responding", ag),
			Fingerprint: h.Fingerprint(hostdCrashID, ag),
			Count:       a.dumps.count + a.backtraces.count + a.hangs.count,
			First:       span.First, Last: span.Last,
			Summary:  strings.Join(parts, "; ") + ". While hostd is down the host shows as disconnected or not responding in vCenter; running VMs are not affected.",
			Evidence: mixEvidence(h.MaxEvidence, &a.dumps.ev, &a.backtraces.ev, &a.hangs.ev),
			Remediation: []string{
				"Find the cause before restarting: a full ramdisk (hostdstats-exhausted, ramdisk-full), storage in APD/PDL (apd-*, pdl), a full esx.conf lock, or a known bug of this build.",
				"Restart the agent: " + restart + ", or all management agents with `services.sh restart` / DCUI > Troubleshooting Options > Restart Management Agents (services.sh restarts every agent and can trigger configured VM autostart).",
				"Keep the core files and the backtrace for the vendor; once collected, remove old *-zdump.* files from /var/core so they do not fill scratch or a ramdisk.",
			},
			Facts: facts,
		})
	}
	if len(out) == 0 {
		return nil, RuleStatus{}
	}
	return out, RuleStatus{RuleID: hostdCrashID, State: StateFired}
}
