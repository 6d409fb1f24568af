package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeSpec is a --since/--until value: an absolute instant or a duration
// back from a reference time (the bundle's collection time, else now).
type timeSpec struct {
	raw string
	abs time.Time
	rel time.Duration
}

func (t timeSpec) set() bool { return t.raw != "" }

// resolve returns the instant, using ref for a relative spec.
func (t timeSpec) resolve(ref time.Time) time.Time {
	if !t.set() {
		return time.Time{}
	}
	if !t.abs.IsZero() {
		return t.abs
	}
	return ref.Add(-t.rel)
}

// parseTimeSpec accepts RFC 3339 ("2024-03-07T10:15:00Z"), a date
// ("2024-03-07", UTC midnight), a Go duration ("2h", "90m") or days ("3d").
func parseTimeSpec(s string) (timeSpec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return timeSpec{}, nil
	}
	ts := timeSpec{raw: s}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			ts.abs = t.UTC()
			return ts, nil
		}
	}
	if strings.HasSuffix(s, "d") {
		if n, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64); err == nil && n >= 0 && n <= 100000 {
			ts.rel = time.Duration(n * float64(24*time.Hour))
			return ts, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		ts.rel = d
		return ts, nil
	}
	return timeSpec{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration like 2h or 3d", s)
}

// filterSpec holds the report filters of `analyze`.
type filterSpec struct {
	MinSeverity string // severity name; findings below are dropped
	FailOn      string // severity name or "none"
	Since       timeSpec
	Until       timeSpec
	Rules       []string // keep only these rule ids (findings and statuses)
	Devices     []string // keep only findings/devices mentioning one of these (case-insensitive substring)
}

func (f *filterSpec) toJSON(now time.Time) jsonFilters {
	out := jsonFilters{MinSeverity: f.MinSeverity, FailOn: f.FailOn, Rules: nonNil(f.Rules), Devices: nonNil(f.Devices)}
	// Relative specs are recorded as given: they resolve per host.
	out.Since, out.Until = f.Since.raw, f.Until.raw
	if !f.Since.abs.IsZero() {
		out.Since = jsonTime(f.Since.abs)
	}
	if !f.Until.abs.IsZero() {
		out.Until = jsonTime(f.Until.abs)
	}
	return out
}

// apply filters the report in place and recomputes its summary. now is the
// reference of relative --since/--until for hosts without a collection time.
func (f *filterSpec) apply(r *jsonReport, now time.Time) {
	minRank := sevRank(f.MinSeverity)
	keepRule := map[string]bool{}
	for _, id := range f.Rules {
		keepRule[id] = true
	}
	for hi := range r.Hosts {
		h := &r.Hosts[hi]
		ref := parseJSONTime(h.Bundle.CollectedAt)
		if ref.IsZero() {
			ref = now
		}
		since, until := f.Since.resolve(ref), f.Until.resolve(ref)
		inRange := func(first, last time.Time) bool {
			if first.IsZero() && last.IsZero() {
				return true // untimed facts (vdf tables) describe the collection time
			}
			if last.IsZero() {
				last = first
			}
			if !since.IsZero() && last.Before(since) {
				return false
			}
			if !until.IsZero() && first.After(until) {
				return false
			}
			return true
		}
		kept := h.Findings[:0]
		for _, fd := range h.Findings {
			if sevRank(fd.Severity) < minRank {
				continue
			}
			if len(keepRule) > 0 && !keepRule[fd.RuleID] {
				continue
			}
			if !inRange(parseJSONTime(fd.First), parseJSONTime(fd.Last)) {
				continue
			}
			if len(f.Devices) > 0 && !findingMentions(&fd, f.Devices) {
				continue
			}
			if !since.IsZero() || !until.IsZero() {
				ev := fd.Evidence[:0]
				for _, e := range fd.Evidence {
					t := parseJSONTime(e.Time)
					if inRange(t, t) {
						ev = append(ev, e)
					}
				}
				fd.Evidence = ev
			}
			kept = append(kept, fd)
		}
		h.Findings = kept
		if len(keepRule) > 0 {
			sts := h.Rules[:0]
			for _, s := range h.Rules {
				if keepRule[s.RuleID] {
					sts = append(sts, s)
				}
			}
			h.Rules = sts
		}
		// With --rule, SCSI rows stay only for devices a kept finding is about.
		objects := map[string]bool{}
		for _, fd := range h.Findings {
			objects[fd.Object] = true
		}
		devs := h.Devices[:0]
		for _, d := range h.Devices {
			if len(keepRule) > 0 && !objects[d.Device] {
				continue
			}
			if len(f.Devices) > 0 && !containsAnyFold(d.Device, f.Devices) {
				continue
			}
			if !inRange(parseJSONTime(d.First), parseJSONTime(d.Last)) {
				continue
			}
			devs = append(devs, d)
		}
		h.Devices = devs
	}
	r.Summary = summarize(r)
}

func findingMentions(f *jsonFinding, devices []string) bool {
	if containsAnyFold(f.Object, devices) {
		return true
	}
	for _, e := range f.Evidence {
		if containsAnyFold(e.Text, devices) {
			return true
		}
	}
	return false
}

func containsAnyFold(s string, subs []string) bool {
	ls := strings.ToLower(s)
	for _, sub := range subs {
		if sub != "" && strings.Contains(ls, strings.ToLower(sub)) {
			return true
		}
	}
	return false
}

// summarize recomputes the report summary from its hosts.
func summarize(r *jsonReport) jsonSummary {
	s := jsonSummary{Hosts: len(r.Hosts), BySeverity: map[string]int{}}
	for _, n := range severityOrder {
		s.BySeverity[n] = 0
	}
	best := -1
	for _, h := range r.Hosts {
		for _, f := range h.Findings {
			s.Findings++
			s.BySeverity[f.Severity]++
			if k := sevRank(f.Severity); k > best {
				best, s.Highest = k, f.Severity
			}
		}
	}
	s.Recognised = r.Summary.Recognised
	return s
}

// failed reports whether a finding is at or above failOn ("none" never fails).
func failed(r *jsonReport, failOn string) bool {
	if failOn == "none" {
		return false
	}
	return r.Summary.Highest != "" && sevRank(r.Summary.Highest) >= sevRank(failOn)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
