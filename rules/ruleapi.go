package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"

	"github.com/esxdiag/esxdiag/parser"
)

// MemberCtx describes the file a Line comes from.
type MemberCtx struct {
	Path        string      // virtual path (bundles.Member.Path)
	Rel         string      // path relative to the bundle root (bundles.Member.Rel)
	Kind        parser.Kind // what the file holds
	Seq         int         // order of the member in the container walk
	Bundle      int         // index of the host bundle
	MaxEvidence int         // evidence lines to keep per finding (Options.MaxEvidence)

	ref time.Time // reference time for year inference
}

// Line is what a rule sees on a prefilter hit.
type Line struct {
	Member  *MemberCtx
	Num     int64          // 1-based line number in the member (of the first line of a joined record)
	Text    []byte         // the full (joined) record without trailing newline; valid only during Observe
	Header  *parser.Header // parsed header of Text; valid only during Observe
	Keyword int            // index into the rule's RuleInfo.Keywords of the first keyword that hit; -1 for keyword-less rules
}

// Time returns the line's wall-clock time, or the zero time.
func (l *Line) Time() time.Time {
	if l.Header != nil && l.Header.HasTime {
		return l.Header.Time
	}
	return time.Time{}
}

// Body returns the message after the header (the whole text if no header matched).
func (l *Line) Body() []byte {
	if l.Header != nil && l.Header.Body != nil {
		return l.Header.Body
	}
	return l.Text
}

// GoRule is a rule that needs code (correlation, SCSI decoding).
type GoRule interface {
	Info() RuleInfo      // ID, Title, Severity, Kinds, Keywords, KB ids, Samples
	NewState() RuleState // one per worker per host bundle
}

// RuleState is the private, mergeable aggregate of one rule for one host
// bundle, owned by one worker at a time.
type RuleState interface {
	// Observe is called for every line of the rule's Kinds holding one of
	// its Keywords. l and everything it points to are valid only during the call.
	Observe(l *Line)
	// Merge folds other (a state of the same rule and host from another
	// worker) into the receiver. The result must not depend on the order of
	// merges nor on which lines each worker saw.
	Merge(other RuleState)
	// Finish turns the merged state into findings and a status. A zero
	// status lets the engine decide: fired when findings exist, else
	// not-evaluable when none of the rule's Kinds was seen, else clear.
	Finish(h *HostCtx) ([]Finding, RuleStatus)
}

// FileInfo is one member seen in a host bundle.
type FileInfo struct {
	Path  string
	Rel   string
	Kind  parser.Kind
	Seq   int
	Bytes int64
	Lines int64
}

// HostCtx is what a rule knows about the host bundle when it finishes.
type HostCtx struct {
	Host, Version, Build string
	CollectedAt          time.Time
	Kinds                map[parser.Kind]int // number of files seen per kind
	Files                []FileInfo          // every member of the bundle, sorted by Seq
	MaxEvidence          int

	kb      func(vendor, number string) (KBRef, bool)
	devices []DeviceRow
}

// Seen reports whether at least one file of any of the kinds was seen.
func (h *HostCtx) Seen(kinds ...parser.Kind) bool {
	for _, k := range kinds {
		if h.Kinds[k] > 0 {
			return true
		}
	}
	return false
}

// KB resolves "vendor:number" ids through the KB table; unknown ids are
// skipped (the loaders reject them up front).
func (h *HostCtx) KB(ids ...string) []KBRef {
	var out []KBRef
	for _, id := range ids {
		v, n, ok := splitKBID(id)
		if !ok {
			continue
		}
		lk := h.kb
		if lk == nil {
			lk = lookupKB
		}
		if ref, ok := lk(v, n); ok {
			out = append(out, ref)
		}
	}
	return out
}

// AddDevices appends rows to the host's per-device SCSI table.
func (h *HostCtx) AddDevices(rows ...DeviceRow) { h.devices = append(h.devices, rows...) }

// Fingerprint returns the stable fingerprint of a finding of rule on this
// host about object.
func (h *HostCtx) Fingerprint(rule, object string) string { return Fingerprint(rule, h.Host, object) }

// Fingerprint is hex(sha256(rule + "\x00" + host + "\x00" + object))[:16],
// the stable identity of a finding used for suppressions.
func Fingerprint(rule, host, object string) string {
	s := sha256.Sum256([]byte(rule + "\x00" + host + "\x00" + object))
	return hex.EncodeToString(s[:8])
}

func splitKBID(id string) (vendor, number string, ok bool) {
	for i := 0; i < len(id); i++ {
		if id[i] == ':' {
			if i == 0 || i == len(id)-1 {
				return "", "", false
			}
			return id[:i], id[i+1:], true
		}
	}
	return "", "", false
}

// EvidenceSet keeps the first N evidence lines ordered by (member Seq, line
// number), whatever order they are added in, so that merged output does not
// depend on scheduling. The zero value keeps Line.Member.MaxEvidence lines
// (DefaultMaxEvidence when that is 0). Add copies the text only when the line is kept.
type EvidenceSet struct {
	Max   int // 0 = from the first Line added
	items []evItem
	total int
}

type evItem struct {
	seq int
	ev  Evidence
}

func evLess(a, b *evItem) bool {
	if a.seq != b.seq {
		return a.seq < b.seq
	}
	return a.ev.Line < b.ev.Line
}

// maxEvidenceText caps the text stored per evidence line.
const maxEvidenceText = 2048

// Add offers a line; it is kept if it is among the first Max by (Seq, Num).
func (e *EvidenceSet) Add(l *Line) {
	e.total++
	if e.Max == 0 {
		e.Max = l.Member.MaxEvidence
		if e.Max <= 0 {
			e.Max = DefaultMaxEvidence
		}
	}
	it := evItem{seq: l.Member.Seq, ev: Evidence{Path: "", Line: l.Num}}
	if len(e.items) >= e.Max && !evLess(&it, &e.items[len(e.items)-1]) {
		return
	}
	text := l.Text
	if len(text) > maxEvidenceText {
		text = text[:maxEvidenceText]
	}
	it.ev = Evidence{Path: l.Member.Path, Line: l.Num, Time: l.Time(), Text: string(text)}
	e.insert(it)
}

func (e *EvidenceSet) insert(it evItem) {
	i := sort.Search(len(e.items), func(i int) bool { return evLess(&it, &e.items[i]) })
	if i < len(e.items) && e.items[i].seq == it.seq && e.items[i].ev.Line == it.ev.Line {
		return // same line offered twice
	}
	e.items = append(e.items, evItem{})
	copy(e.items[i+1:], e.items[i:])
	e.items[i] = it
	if len(e.items) > e.Max {
		e.items = e.items[:e.Max]
	}
}

// Merge folds o into e.
func (e *EvidenceSet) Merge(o *EvidenceSet) {
	if o == nil {
		return
	}
	e.total += o.total
	if e.Max == 0 {
		e.Max = o.Max
	}
	if e.Max < o.Max {
		e.Max = o.Max
	}
	for _, it := range o.items {
		e.insert(it)
	}
}

// Total is the number of lines offered (kept or not).
func (e *EvidenceSet) Total() int { return e.total }

// Items returns the kept evidence in (Seq, line) order.
func (e *EvidenceSet) Items() []Evidence {
	if len(e.items) == 0 {
		return nil
	}
	out := make([]Evidence, len(e.items))
	for i := range e.items {
		out[i] = e.items[i].ev
	}
	return out
}

// TimeSpan tracks the first and last wall-clock time of a set of lines.
type TimeSpan struct{ First, Last time.Time }

// Add extends the span with t (ignored when zero).
func (s *TimeSpan) Add(t time.Time) {
	if t.IsZero() {
		return
	}
	if s.First.IsZero() || t.Before(s.First) {
		s.First = t
	}
	if s.Last.IsZero() || t.After(s.Last) {
		s.Last = t
	}
}

// Merge extends s with o.
func (s *TimeSpan) Merge(o TimeSpan) { s.Add(o.First); s.Add(o.Last) }
