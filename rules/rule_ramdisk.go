package rules

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"

	"github.com/esxdiag/esxdiag/parser"
)

// ramdisk-full: the generalisation of hostdstats-exhausted to every ESXi
// ramdisk: a `vdf -h` or `esxcli system visorfs ramdisk list` row at or
// above 95% use. hostdstats itself is left to hostdstats-exhausted, which
// correlates it with hostd's own errors.
//
// Sources: formats.md §1.2 (vdf table header and row grammar, [V] on ESXi
// 4.1; the visorfs ramdisk list is in real bundles), rules-catalog.md
// ESX-RAMDISK-001 (tmp at 100% blocks upgrades; causes and remediation).

const ramdiskFullID = "ramdisk-full"

type ramdiskFullRule struct{}

func (ramdiskFullRule) Info() RuleInfo {
	return RuleInfo{
		ID:       ramdiskFullID,
		Title:    "ESXi ramdisk at or above 95% full",
		Severity: SeverityError,
		Kinds:    []parser.Kind{parser.KindVdf, parser.KindRamdiskList},
		Keywords: []string{vdfRowKeyword, visorfsRowKeyword},
		Needs:    "vdf -h or visorfs ramdisk list output",
		Source:   "builtin:rule_ramdisk.go",
		Samples: []Sample{
			{Line: "tmp 262144 262144 0 100% --", Match: true},
			{Line: "root 32M 31M 1M 97% --", Match: true},
			{Line: "MAINSYS 32M 21M 10M 68% --", Match: false},
			{Line: "hostdstats 166M 166M 0B 100% --", Match: false}, // hostdstats-exhausted's
		},
	}
}

func (ramdiskFullRule) NewState() RuleState { return &ramdiskFullState{} }

type ramdiskFullState struct {
	peaks map[string]ramdiskPeak
	full  aggMap
	seen  int
}

func (s *ramdiskFullState) Observe(l *Line) {
	var row parser.RamdiskRow
	if !parseVdfRow(l.Text, &row) {
		return
	}
	s.seen++
	if bytes.Equal(row.Name, []byte(hostdstatsRamdisk)) || row.UsePct < ramdiskFullPct {
		return
	}
	name := string(row.Name)
	if s.peaks == nil {
		s.peaks = map[string]ramdiskPeak{}
	}
	p := s.peaks[name]
	p.offer(&row)
	s.peaks[name] = p
	s.full.get(name).add(l)
}

func (s *ramdiskFullState) Merge(other RuleState) {
	o, ok := other.(*ramdiskFullState)
	if !ok || o == nil {
		return
	}
	s.seen += o.seen
	for k, op := range o.peaks {
		if s.peaks == nil {
			s.peaks = map[string]ramdiskPeak{}
		}
		p := s.peaks[k]
		p.merge(op)
		s.peaks[k] = p
	}
	s.full.merge(o.full)
}

func (s *ramdiskFullState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	if len(s.full) == 0 {
		switch {
		case !h.Seen(parser.KindVdf, parser.KindRamdiskList):
			return nil, RuleStatus{RuleID: ramdiskFullID, State: StateNotEvaluable, Reason: "no vdf -h or visorfs ramdisk list output in bundle"}
		case s.seen == 0:
			return nil, RuleStatus{RuleID: ramdiskFullID, State: StateClear, Reason: "no ramdisk rows could be read from the vdf/visorfs output"}
		}
		return nil, RuleStatus{RuleID: ramdiskFullID, State: StateClear, Reason: fmt.Sprintf("%d ramdisk rows, all below %d%%", s.seen, ramdiskFullPct)}
	}
	names := make([]string, 0, len(s.full))
	for k := range s.full {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []Finding
	for _, name := range names {
		p, a := s.peaks[name], s.full[name]
		rem := []string{
			fmt.Sprintf("Find what fills the %s ramdisk: `du` on its mount point (`esxcli system visorfs ramdisk list` names it), and check its file table (inodes) too.", name),
			"Remove leftovers (old core dumps, SNMP trap files in /var/spool/snmp, stale logs or upgrade payloads) and make sure the scratch location points to persistent storage (ScratchConfig.ConfiguredScratchLocation equals the current location).",
			"Restart the management agents if hostd or other daemons already failed while the ramdisk was full.",
		}
		if name == "tmp" {
			rem = append(rem, "A full tmp ramdisk also makes ESXi upgrades and VIB installs fail; clean it before retrying the upgrade.")
		}
		out = append(out, Finding{
			RuleID: ramdiskFullID, Severity: SeverityError, Object: name,
			Title:       fmt.Sprintf("Ramdisk %s is %d%% full", name, p.pct),
			Fingerprint: h.Fingerprint(ramdiskFullID, name),
			Count:       a.count, First: a.span.First, Last: a.span.Last,
			Summary:     fmt.Sprintf("Ramdisk %s is %d%% full (%s of %s used), at or above the %d%% threshold.", name, p.pct, mib(p.used), mib(p.size), ramdiskFullPct),
			Evidence:    a.ev.Items(),
			Remediation: rem,
			Facts: map[string]string{
				"use_pct": strconv.Itoa(p.pct), "size_bytes": strconv.FormatInt(p.size, 10), "used_bytes": strconv.FormatInt(p.used, 10),
			},
		})
	}
	return out, RuleStatus{RuleID: ramdiskFullID, State: StateFired}
}
