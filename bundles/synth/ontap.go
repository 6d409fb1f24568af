package synth

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// ONTAP logs to analyze together with a generated ESXi bundle (esxdiag's
// ESXi ↔ ONTAP correlation). Two shapes:
//
//   - ONTAP7Mode: 7-Mode /etc/messages "Thu Mar  7 05:14:58 EST [node: event:severity]: message"
//     (shape VERIFIED by a published line, see the project's kb.md §8).
//   - ONTAPEventLog: clustered ONTAP "event log show" rows
//     "3/7/2024 10:15:01   node   ALERT   event: message" (column set VERIFIED, row layout inferred).
//
// After the events, the log carries "lun show -v" output naming each LUN's
// serial (7-Mode "Serial#:", clustered "Serial Number:"), as a console capture
// would; the serial is what the host's naa id embeds.

// ONTAPForm selects the shape of a generated ONTAP log.
type ONTAPForm int

// ONTAP log shapes.
const (
	ONTAP7Mode ONTAPForm = iota
	ONTAPEventLog
)

// ONTAPEvent is one EMS event to write.
type ONTAPEvent struct {
	Time     time.Time
	Name     string // "lun.map", "wafl.vol.full", …
	Severity string // 7-Mode lower case ("info"), event log upper case ("ALERT")
	Message  string
}

// ONTAPLUN is one LUN of the inventory ("lun show -v").
type ONTAPLUN struct {
	Path   string // "/vol/NA_EXCH_DB/lun0"
	Serial string // 12 characters
}

// ONTAPConfig describes a generated ONTAP log.
type ONTAPConfig struct {
	Form   ONTAPForm
	Node   string         // default "filer1"
	Zone   *time.Location // 7-Mode stamp zone; default EST (UTC-5, named "EST"); the event log states none
	Events []ONTAPEvent
	LUNs   []ONTAPLUN
}

// DeviceSerial returns the 12-character LUN serial embedded in DeviceID(i).
func DeviceSerial(i int) string { return "sYnTh-LUN" + pad3(i) }

// ONTAPForManifest returns the array side of the problems of a generated
// ESXi bundle: a "lun.map" of the ua-storm LUN two seconds before its storm
// (the snapshot LUN mapped by backup verification), and for thinprov-nospace
// "wafl.vol.full" and "LUN.vol.no.space" on that LUN's volume ten seconds
// before its first 7/27/07. Every device is in the LUN inventory. Noise
// events (Snapshot copies, FCP logins) every 20 minutes over the problems' span.
func ONTAPForManifest(m *Manifest, form ONTAPForm) ONTAPConfig {
	cfg := ONTAPConfig{Form: form, Node: "filer1"}
	sev := func(s7, cl string) string {
		if form == ONTAPEventLog {
			return cl
		}
		return s7
	}
	for i := 0; i < NumDevices; i++ {
		cfg.LUNs = append(cfg.LUNs, ONTAPLUN{Path: lunPath(i), Serial: DeviceSerial(i)})
	}
	var first, last time.Time
	for _, p := range m.Problems {
		if p.First.IsZero() {
			continue
		}
		if first.IsZero() || p.First.Before(first) {
			first = p.First
		}
		if p.Last.After(last) {
			last = p.Last
		}
		switch p.Problem {
		case UAStorm:
			cfg.Events = append(cfg.Events, ONTAPEvent{Time: p.First.Add(-2 * time.Second), Name: "lun.map", Severity: sev("info", "NOTICE"),
				Message: "LUN " + lunPath(problemDevice[UAStorm]) + " was mapped to initiator group esx_verify=3"})
		case ThinProvNoSpace:
			i := problemDevice[ThinProvNoSpace]
			vol := volOf(i)
			if form == ONTAPEventLog {
				cfg.Events = append(cfg.Events, ONTAPEvent{Time: p.First.Add(-10 * time.Second), Name: "wafl.vol.full", Severity: "ALERT",
					Message: "Insufficient space on volume " + vol + "@svm1:5e1d-0c to perform operation. 4.00KB was requested but only 1.00KB was available."})
			} else {
				cfg.Events = append(cfg.Events, ONTAPEvent{Time: p.First.Add(-10 * time.Second), Name: "wafl.vol.full", Severity: "notice",
					Message: "file system full on volume " + vol})
			}
			cfg.Events = append(cfg.Events, ONTAPEvent{Time: p.First.Add(-8 * time.Second), Name: "LUN.vol.no.space", Severity: sev("error", "ERROR"),
				Message: "An operation on " + lunPath(i) + " in volume " + vol + " (DSID 1043) failed due to lack of space in the volume."})
		}
	}
	for t := first.Truncate(20 * time.Minute); !first.IsZero() && !t.After(last); t = t.Add(20 * time.Minute) {
		cfg.Events = append(cfg.Events, ONTAPEvent{Time: t.Add(7 * time.Second), Name: "wafl.snap.create", Severity: sev("info", "INFORMATIONAL"),
			Message: "Snapshot hourly created on volume " + volOf(8) + "."})
	}
	sort.SliceStable(cfg.Events, func(i, j int) bool { return cfg.Events[i].Time.Before(cfg.Events[j].Time) })
	return cfg
}

func volOf(i int) string {
	return datastoreNames[i%(len(datastoreNames)-1)] // not "datastore1" (local)
}

func lunPath(i int) string { return "/vol/" + volOf(i) + "/lun" + pad3(i) }

// WriteONTAP writes the log of cfg to w.
func WriteONTAP(w io.Writer, cfg ONTAPConfig) error {
	node := cfg.Node
	if node == "" {
		node = "filer1"
	}
	zone := cfg.Zone
	if zone == nil {
		zone = time.FixedZone("EST", -5*3600)
	}
	bw := bufio.NewWriter(w)
	for _, e := range cfg.Events {
		if strings.ContainsAny(e.Name+e.Message, "\n\r") {
			return fmt.Errorf("synth: ONTAP event %q: newline in text", e.Name)
		}
		switch cfg.Form {
		case ONTAPEventLog:
			t := e.Time.UTC()
			fmt.Fprintf(bw, "%d/%d/%d %s   %s   %-7s %s: %s\n", int(t.Month()), t.Day(), t.Year(), t.Format("15:04:05"), node, e.Severity, e.Name, e.Message)
		default:
			t := e.Time.In(zone)
			fmt.Fprintf(bw, "%s [%s: %s:%s]: %s\n", t.Format("Mon Jan _2 15:04:05 MST"), node, e.Name, e.Severity, e.Message)
		}
	}
	if len(cfg.LUNs) > 0 {
		switch cfg.Form {
		case ONTAPEventLog:
			for _, l := range cfg.LUNs {
				fmt.Fprintf(bw, "%s::> lun show -v -path %s\n              Vserver Name: svm1\n                  LUN Path: %s\n             Serial Number: %s\n", node, l.Path, l.Path, l.Serial)
			}
		default:
			fmt.Fprintf(bw, "%s> lun show -v\n", node)
			for _, l := range cfg.LUNs {
				fmt.Fprintf(bw, "        %s   100g (107374182400)  (r/w, online, mapped)\n                Serial#: %s\n                Multiprotocol Type: vmware\n", l.Path, l.Serial)
			}
		}
	}
	return bw.Flush()
}
