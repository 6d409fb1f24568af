package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// reportSchemaID names the JSON report schema. Bump the suffix on any
// incompatible change (a field removed, renamed or retyped); adding an
// optional field keeps the version. docs/report-schema.json is the contract
// and docs/report-json.md explains it.
const reportSchemaID = "esxdiag.report/v1"

// The types below are the JSON report. They are the command's own, mapped
// from rules.Report in analyze.go, so that the engine's types can change
// without breaking scripts that read the report. Every renderer (text,
// Markdown, JSON) works from this one model, which already has the filters
// applied. Times are RFC 3339 strings in UTC, empty (omitted) when unknown.

type jsonReport struct {
	Schema     string          `json:"schema"`
	Inputs     []string        `json:"inputs"`
	Filters    jsonFilters     `json:"filters"`
	Summary    jsonSummary     `json:"summary"`
	Hosts      []jsonHost      `json:"hosts"`
	ReadErrors []jsonReadError `json:"read_errors"`
	Notes      []string        `json:"notes"`

	// unreadable counts read errors that mean the input could not be read
	// (corrupt, truncated), as opposed to empty or of no known format; it
	// decides between exit codes 2 and 3 and is not part of the JSON.
	unreadable int
}

type jsonFilters struct {
	MinSeverity string   `json:"min_severity"`
	Since       string   `json:"since,omitempty"`
	Until       string   `json:"until,omitempty"`
	Rules       []string `json:"rules"`
	Devices     []string `json:"devices"`
	FailOn      string   `json:"fail_on"`
}

type jsonSummary struct {
	Hosts      int            `json:"hosts"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"` // every severity name, 0 included
	Highest    string         `json:"highest_severity,omitempty"`
	Recognised bool           `json:"recognised"` // false: no known log kind and no parsed line
}

type jsonHost struct {
	Input    string         `json:"input"`
	Bundle   jsonBundle     `json:"bundle"`
	Files    int            `json:"files"`
	Bytes    int64          `json:"bytes"`
	Lines    int64          `json:"lines"`
	First    string         `json:"first,omitempty"`
	Last     string         `json:"last,omitempty"`
	Unparsed []jsonUnparsed `json:"unparsed"`
	Findings []jsonFinding  `json:"findings"`
	Rules    []jsonStatus   `json:"rule_statuses"`
	Devices  []jsonDevice   `json:"devices"`
}

type jsonBundle struct {
	Path        string            `json:"path"`
	Kind        string            `json:"kind"`
	Host        string            `json:"host"`
	Version     string            `json:"version"`
	Build       string            `json:"build"`
	CollectedAt string            `json:"collected_at,omitempty"`
	Sources     map[string]string `json:"sources"`
}

type jsonUnparsed struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"`
	Count  int64  `json:"count"`
	Sample string `json:"sample,omitempty"`
}

type jsonFinding struct {
	RuleID      string            `json:"rule_id"`
	Severity    string            `json:"severity"`
	Title       string            `json:"title"`
	Summary     string            `json:"summary"`
	Object      string            `json:"object,omitempty"`
	Fingerprint string            `json:"fingerprint"`
	Count       int               `json:"count"`
	First       string            `json:"first,omitempty"`
	Last        string            `json:"last,omitempty"`
	Evidence    []jsonEvidence    `json:"evidence"`
	Remediation []string          `json:"remediation"`
	KB          []jsonKB          `json:"kb"`
	Facts       map[string]string `json:"facts"`
}

type jsonEvidence struct {
	Path string `json:"path"`
	Line int64  `json:"line"`
	Time string `json:"time,omitempty"`
	Text string `json:"text"`
}

type jsonKB struct {
	Vendor string `json:"vendor"`
	Number string `json:"number"`
	Title  string `json:"title"`
	URL    string `json:"url,omitempty"`
}

type jsonStatus struct {
	RuleID string `json:"rule_id"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

type jsonDevice struct {
	Device     string `json:"device"`
	Class      string `json:"class"`
	ClassTitle string `json:"class_title"`
	Count      int    `json:"count"`
	First      string `json:"first,omitempty"`
	Last       string `json:"last,omitempty"`
}

// readErrorText is how the text faces (text and markdown reports, triage,
// stderr) write a read error: the virtual path, the offset when the reader
// knows it (the engine gives -1 for problems it cannot place), the message.
func readErrorText(e jsonReadError) string {
	switch {
	case e.Path == "":
		return e.Message
	case e.Offset < 0:
		return fmt.Sprintf("%s: %s", e.Path, e.Message)
	}
	return fmt.Sprintf("%s at offset %d: %s", e.Path, e.Offset, e.Message)
}

type jsonReadError struct {
	Input   string `json:"input"`
	Path    string `json:"path"`
	Offset  int64  `json:"offset"`
	Message string `json:"message"`
}

// jsonTime formats t as RFC 3339 in UTC, "" for the zero time.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// parseJSONTime is the inverse of jsonTime (zero time for "").
func parseJSONTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// renderJSON writes the report as indented JSON with a trailing newline.
func renderJSON(w io.Writer, r *jsonReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
