package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/esxdiag/esxdiag/parser"
)

// esxconf-lock-contention: a process held /etc/vmware/esx.conf for more than
// 20 s and a configuration command gave up. Both message forms (ESXi 4.1
// "Failed attempting to lock file ... holding the lock is hostd (1363758)"
// and 5.0 "Timeout while waiting for lock, /etc/vmware/esx.conf.LOCK ...
// currently holding the lock is hostd-worker(5055)") name the holder.
//
// Sources: CASE.md case 1 step 4 (both texts, the 4.1 U2 / 5.0 U1 fix and
// the workaround from the ESXi 5.0 Update 1 release notes), formats.md §3
// (holder regex, [V]), kb.md §3: Broadcom 305118 VERIFIED for the stale
// esx.conf.LOCK symlink. The release notes are cited by title only: the
// number the write-up links them with is unverified (kb.md §3).

const esxconfLockID = "esxconf-lock-contention"

// Repeated contention (this many or more) is an error, fewer a warning
// (rules-catalog.md ESX-ESXCONF-001: low when a one-off around an agent
// restart, high when repeated).
const esxconfLockRepeated = 3

type esxconfLockRule struct{}

func (esxconfLockRule) Info() RuleInfo {
	return RuleInfo{
		ID:       esxconfLockID,
		Title:    "esx.conf lock contention: configuration changes time out",
		Severity: SeverityError,
		Kinds: []parser.Kind{parser.KindHostd, parser.KindSyslog, parser.KindMessages, parser.KindVpxa,
			parser.KindFdm, parser.KindVmkernel},
		Keywords: []string{"Failed attempting to lock file", "Timeout while waiting for lock, /etc/vmware/esx.conf.LOCK"},
		KB:       []string{"vmware:305118"},
		Needs:    "hostd, syslog or messages log",
		Source:   "builtin:rule_esxconf_lock.go",
		Samples: []Sample{
			{Line: "Error interacting with configuration file /etc/vmware/esx.conf: Failed attempting to lock file.  Another process has locked the file for more than 20 seconds. The process holding the lock is hostd (1363758).  This operation will complete if it is run again after the lock is released.", Match: true, Kind: parser.KindMessages},
			{Line: "Error interacting with configuration file /etc/vmware/esx.conf: Timeout while waiting for lock, /etc/vmware/esx.conf.LOCK, to be released. Another process has kept this file locked for more than 20 seconds. The process currently holding the lock is hostd-worker(5055). This is likely a temporary condition. Please try your operation again.", Match: true, Kind: parser.KindSyslog},
			{Line: "2021-03-08T14:49:26.102Z info hostd[2099482] [Originator@6876 sub=Default] Config file /etc/vmware/esx.conf written", Match: false, Kind: parser.KindHostd},
		},
	}
}

func (esxconfLockRule) NewState() RuleState { return &esxconfLockState{} }

type esxconfLockState struct {
	all     agg
	holders aggMap // "hostd (1363758)"
	names   map[string][2]string
}

func (s *esxconfLockState) Observe(l *Line) {
	var lk parser.EsxConfLock
	if !parseEsxConfLock(l.Text, &lk) {
		return
	}
	key := string(lk.Holder)
	if key == "" {
		key = "(holder not named)"
	}
	pid := ""
	if lk.PID >= 0 {
		pid = strconv.Itoa(lk.PID)
		key += " PID " + pid
	}
	s.all.add(l)
	s.holders.get(key).add(l)
	if s.names == nil {
		s.names = map[string][2]string{}
	}
	s.names[key] = [2]string{string(lk.Holder), pid}
}

func (s *esxconfLockState) Merge(other RuleState) {
	o, ok := other.(*esxconfLockState)
	if !ok || o == nil {
		return
	}
	s.all.merge(&o.all)
	s.holders.merge(o.holders)
	for k, v := range o.names {
		if s.names == nil {
			s.names = map[string][2]string{}
		}
		s.names[k] = v
	}
}

func (s *esxconfLockState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	if s.all.count == 0 {
		return nil, RuleStatus{}
	}
	top := s.holders.keys()[0]
	sev := SeverityWarning
	if s.all.count >= esxconfLockRepeated {
		sev = SeverityError
	}
	facts := map[string]string{
		"holder":  s.names[top][0],
		"holders": strconv.Itoa(len(s.holders)),
	}
	if pid := s.names[top][1]; pid != "" {
		facts["pid"] = pid
	}
	var holders []string
	for i, k := range s.holders.keys() {
		if i == 5 {
			holders = append(holders, fmt.Sprintf("and %d more", len(s.holders)-5))
			break
		}
		holders = append(holders, fmt.Sprintf("%s (%s)", k, times(s.holders[k].count)))
	}
	f := Finding{
		RuleID: esxconfLockID, Severity: sev, Title: esxconfLockRule{}.Info().Title,
		Object:      "/etc/vmware/esx.conf",
		Fingerprint: h.Fingerprint(esxconfLockID, "/etc/vmware/esx.conf"),
		Count:       s.all.count, First: s.all.span.First, Last: s.all.span.Last,
		Summary: fmt.Sprintf("A configuration command could not lock /etc/vmware/esx.conf %s%s; lock held by %s.",
			times(s.all.count), spanText(s.all.span), strings.Join(holders, ", ")),
		Evidence: s.all.ev.Items(),
		Remediation: []string{
			"A one-off during a management-agent restart is transient: re-run the command once hostd is up (for host profiles, re-apply the profile for what did not apply).",
			fmt.Sprintf("If it keeps happening, check the holder: `ls -l /etc/vmware/esx.conf.LOCK` points at the locking process; see whether %s is still alive (`ps -c | grep <pid>`).", top),
			"A lock file left behind by a dead process blocks every later configuration change and can make the host stop responding: follow the KB procedure for the stale esx.conf.LOCK; do not delete the lock while hostd is working.",
			"The contention on agent restart is listed as fixed in ESXi 4.1 Update 2 and 5.0 Update 1 (ESXi 5.0 Update 1 release notes); upgrade hosts older than that.",
		},
		KB:    h.KB("vmware:305118"),
		Facts: facts,
	}
	return []Finding{f}, RuleStatus{RuleID: esxconfLockID, State: StateFired}
}
