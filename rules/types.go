package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/esxdiag/esxdiag/parser"
)

// Severity ranks a finding. The zero value is SeverityInfo.
type Severity int

// Severities, in increasing order of urgency.
const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityError
	SeverityCritical
)

var severityNames = [...]string{"info", "warning", "error", "critical"}

// String returns "info", "warning", "error" or "critical".
func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity is the inverse of String (case-insensitive).
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(n, strings.TrimSpace(s)) {
			return Severity(i), nil
		}
	}
	return SeverityInfo, fmt.Errorf("rules: unknown severity %q (want info, warning, error or critical)", s)
}

// MarshalText makes severities appear as their names in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Rule states reported in RuleStatus.State.
const (
	StateFired        = "fired"
	StateClear        = "clear"
	StateNotEvaluable = "not-evaluable"
)

// Options tunes Analyze and AnalyzeText.
type Options struct {
	Workers      int            // goroutines; 0 = GOMAXPROCS
	MaxEvidence  int            // evidence lines kept per finding; 0 = 10
	Catalog      *Catalog       // nil = Builtin()
	Since, Until time.Time      // zero = unbounded; lines with a time outside are not dispatched to rules
	Progress     func(Progress) // optional; called from one goroutine, at most every 100ms, and once at the end
}

// DefaultMaxEvidence is the number of evidence lines kept per finding when
// Options.MaxEvidence is 0.
const DefaultMaxEvidence = 10

// Progress is a snapshot of a running analysis.
type Progress struct {
	BytesRead int64         // compressed input bytes consumed so far (bundles.Source.BytesRead)
	Size      int64         // compressed input size, -1 if unknown
	Files     int64         // members analysed so far
	Bytes     int64         // uncompressed bytes scanned so far
	Lines     int64         // lines scanned so far
	Elapsed   time.Duration // since Analyze started
	Done      bool          // last call
}

// Finding is one problem found on one host (or one object of that host).
type Finding struct {
	RuleID      string            `json:"rule_id"`
	Severity    Severity          `json:"severity"`
	Title       string            `json:"title"`
	Summary     string            `json:"summary"`
	Object      string            `json:"object,omitempty"` // device / VM / ramdisk / process; "" if host-wide
	Fingerprint string            `json:"fingerprint"`      // Fingerprint(rule, host, object); filled by the engine when empty
	Count       int               `json:"count"`            // occurrences
	First       time.Time         `json:"first"`            // zero if no timed occurrence
	Last        time.Time         `json:"last"`
	Evidence    []Evidence        `json:"evidence,omitempty"`    // first N ordered by (member Seq, line)
	Remediation []string          `json:"remediation,omitempty"` // ordered steps
	KB          []KBRef           `json:"kb,omitempty"`
	Facts       map[string]string `json:"facts,omitempty"` // extra numbers, e.g. "use_pct": "100"
}

// Evidence is one log line supporting a finding.
type Evidence struct {
	Path string    `json:"path"` // virtual path of the member
	Line int64     `json:"line"` // 1-based
	Time time.Time `json:"time,omitempty"`
	Text string    `json:"text"`
}

// KBRef is a knowledge-base article.
type KBRef struct {
	Vendor string `json:"vendor"` // "vmware", "netapp", ...
	Number string `json:"number"`
	Title  string `json:"title"`
	URL    string `json:"url,omitempty"`
}

// RuleStatus says what a rule concluded on one host.
type RuleStatus struct {
	RuleID string `json:"rule_id"`
	State  string `json:"state"` // StateFired, StateClear or StateNotEvaluable
	Reason string `json:"reason,omitempty"`
}

// DeviceRow is one row of the per-device SCSI table of a host report.
type DeviceRow struct {
	Device     string    `json:"device"`
	Class      string    `json:"class"` // sense.Class.ID
	ClassTitle string    `json:"class_title"`
	Count      int       `json:"count"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
}

// ReadError is a per-member problem of the input (bundles.MemberError) or a
// warning of the engine (e.g. a truncated over-long line).
type ReadError struct {
	Path    string `json:"path"`
	Offset  int64  `json:"offset"`
	Message string `json:"message"`
}

// UnparsedFile counts lines of one file that look like a known grammar but
// fail it (parser.Unparsed), so that no line is dropped silently. The engine
// checks the first 256 lines of every file and every line a rule is handed
// (prefilter hits); other lines are not header-parsed (that would cost the
// noise throughput), so Count is a lower bound for the whole file.
type UnparsedFile struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"`
	Count  int64  `json:"count"`
	Sample string `json:"sample,omitempty"`
}

// Sample is a line a rule must (Match) or must not fire on.
type Sample struct {
	Line  string      `json:"line"`
	Match bool        `json:"match"`
	Kind  parser.Kind `json:"-"` // kind of file the line is fed as; KindUnknown = the rule's first kind
}

// RuleInfo describes a rule.
type RuleInfo struct {
	ID       string
	Title    string
	Severity Severity      // the highest severity the rule can report
	Kinds    []parser.Kind // files the rule reads; none of them in a bundle => not-evaluable
	Keywords []string      // literal, case-sensitive; a line is dispatched when it contains one. Empty = every line of Kinds (small files only: vdf, esx.conf, ...)
	KB       []string      // "vmware:1005884"; resolved through the KB table
	Needs    string        // human text for the not-evaluable reason, e.g. "vmkernel or vobd log"
	Samples  []Sample
	Source   string // "builtin", "builtin:apd.toml", or the user file path
}

// SampleResult is the outcome of one rule sample run through the real prefilter.
type SampleResult struct {
	RuleID    string
	Sample    Sample
	Prefilter bool   // a keyword of the rule hit the line (or the rule has no keywords)
	Fired     bool   // the rule produced a finding from that line alone
	OK        bool   // Fired == Sample.Match
	Problem   string // why not OK, for test output
}
