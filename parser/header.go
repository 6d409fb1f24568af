package parser

import "time"

// Grammar names the line grammar ParseHeader matched.
type Grammar uint8

// Line grammars, see the project's format reference §2.
const (
	GrammarNone Grammar = iota
	// GrammarSyslog: ESX 3.5 / 4.x syslog wrapper (BSD syslog), "Mon dd hh:mm:ss [host ]tag[pid]: rest";
	// a vmkernel rest carries the uptime "D:HH:MM:SS.mmm cpuN:W)", a 4.x Hostd rest the
	// bracketed hostd header (whose full timestamp then wins). Otherwise the year is inferred.
	GrammarSyslog
	// GrammarVmkUptime: KB-quoted vmkernel line without the syslog date,
	// "[vmkernel: ][D:]HH:MM:SS.mmm cpuN:W)body". No wall time.
	GrammarVmkUptime
	// GrammarVmkBare: ESX 3.5 KB-quoted vmkernel body without any stamp,
	// "WARNING: SCSI: 5663: ..." or "StorageMonitor: 196: ...". No time.
	GrammarVmkBare
	// GrammarVmk5: ESXi 5.x-7.x vmkernel/vmkwarning, "ISO cpuN:W[ opID=x])body".
	GrammarVmk5
	// GrammarESXi8: ESXi 8 local logs, "ISO Sev(PRI)[[+]] proc[pid]: body".
	GrammarESXi8
	// GrammarHostdPre5: ESX 4.x standalone hostd.log "[YYYY-MM-DD hh:mm:ss.mmm TID level 'comp'...] body".
	GrammarHostdPre5
	// GrammarHostd5: ESXi 5.x hostd/vpxa "ISO [TID level 'comp'...] body".
	GrammarHostd5
	// GrammarOriginator: 6.x-7.x hostd/vpxa/vpxd/fdm "ISO level proc[tid] [Originator@6876 sub=...] body".
	GrammarOriginator
	// GrammarVpxdQuoted: newest vpxd "ISO LEVEL vpxd pid [Originator@4413 sub="..." opID="..."] body".
	GrammarVpxdQuoted
	// GrammarVobd: vobd 5.x-7.x "ISO: [Correlator] NNNus: [id] msg" (8.x arrives as GrammarESXi8 with the same fields).
	GrammarVobd
	// GrammarRFC5424: forwarded "<PRI>1 ISO host app procid msgid SD msg" whose message is no known grammar.
	GrammarRFC5424
	// GrammarISO: an ISO timestamp followed by free text (section headers and other plain lines).
	GrammarISO
	// GrammarContinuation: a "--> " line, an indented line, or a 4.x "Hostd: [NN] rip" backtrace line.
	GrammarContinuation
	numGrammars
)

var grammarNames = [numGrammars]string{
	"none", "syslog", "vmk-uptime", "vmk-bare", "vmk5", "esxi8", "hostd-pre5",
	"hostd5", "originator", "vpxd-quoted", "vobd", "rfc5424", "iso", "continuation",
}

// String returns a short stable name of g.
func (g Grammar) String() string {
	if g < numGrammars {
		return grammarNames[g]
	}
	return "none"
}

// Header is the parsed header of one log line. Byte-slice fields are views
// into the line passed to ParseHeader.
type Header struct {
	Time         time.Time // UTC
	HasTime      bool      // Time holds a wall-clock time
	TimeInferred bool      // part of Time (the year) was inferred from the reference time
	Level        []byte    // "WARNING", "info", "In", ... as written; nil if absent
	Component    []byte    // vmkernel subsystem, hostd 'component' or sub=, vobd correlator, syslog tag
	OpID         []byte    // opID when present
	CPU, World   int       // -1 if absent
	Body         []byte    // the message after the header
	Continuation bool      // "--> ", "[+]", indented or backtrace continuation of the previous record
	Grammar      Grammar   // which grammar matched

	// Additions beyond SPEC v1 (see SPEC.md "Changes").
	Proc      []byte        // process / syslog tag ("vmkernel", "Hostd", "vpxd", "vobd"); nil if absent
	Host      []byte        // host name from a syslog or RFC 5424 wrapper; nil if absent
	PID       int           // process id or thread id in brackets when decimal; -1 if absent
	PRI       int           // syslog PRI (ESXi 8 "In(182)", RFC 5424 "<13>"); -1 if absent
	Uptime    time.Duration // time since boot (4.x vmkernel, vobd "NNNus"); valid if HasUptime
	HasUptime bool
}
