package rules

//go:generate go run ./internal/kbgen -in data/kb.tsv -out kb_gen.go

import "strings"

// KBStatus says how far a KB number was checked (rules/data/kb.tsv, copied
// from the project's KB reference).
type KBStatus string

// KB statuses. Rules may reference KBVerified and KBCaseCited rows only.
const (
	// KBVerified: number and title/topic were seen together on a vendor page.
	KBVerified KBStatus = "verified"
	// KBCaseCited: cited by the published case write-up for that very
	// topic (e.g. 1005884 for clearing the hostd stats); shown labelled as
	// the case's reference, never as independently verified.
	KBCaseCited KBStatus = "case-cited"
	// KBUnverified: number not tied to the topic in any source; listed so
	// tests can name it, never emitted.
	KBUnverified KBStatus = "unverified"
)

// KBEntry is one row of the KB table.
type KBEntry struct {
	Ref      KBRef    // what a finding shows
	Broadcom string   // Broadcom article ID, "" if unknown
	Status   KBStatus // verification status
	Source   string   // where the number and title were seen
}

// Usable reports whether rules may reference the entry.
func (e KBEntry) Usable() bool { return e.Status == KBVerified || e.Status == KBCaseCited }

// KBTable returns every row of the KB table (usable or not) in file order.
func KBTable() []KBEntry { return kbRows() }

// lookupKB resolves a KB article by vendor ("vmware", "netapp") and number:
// the legacy KB number or the Broadcom article ID. Only verified and
// case-cited rows resolve; unverified and unknown numbers do not, so the
// catalog loaders reject rules citing them.
func lookupKB(vendor, number string) (KBRef, bool) {
	e, ok := kbFind(strings.ToLower(strings.TrimSpace(vendor)), strings.TrimSpace(number))
	if !ok || !e.Usable() {
		return KBRef{}, false
	}
	return e.Ref, true
}

// kbEntry returns the full row for a "vendor:number" id, usable or not.
func kbEntry(id string) (KBEntry, bool) {
	v, n, ok := splitKBID(id)
	if !ok {
		return KBEntry{}, false
	}
	return kbFind(strings.ToLower(v), n)
}
