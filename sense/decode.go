package sense

import "fmt"

// Code is the decoded name and short meaning of one status value.
type Code struct {
	Value   int
	Name    string // standard name; never empty
	Meaning string // one-line meaning; never empty
}

// Class is an action class: what a person should conclude from a status.
// Classes come from data/classes.tsv; IDs are stable.
type Class struct {
	ID       string
	Title    string
	Severity string // info | warning | error | critical
	Guidance string
	Source   string // where the meaning comes from: T10 or a verified VMware KB
}

// ASCKind says how an ASC/ASCQ pair was resolved.
type ASCKind uint8

const (
	ASCExact          ASCKind = iota // assigned pair (T10 list)
	ASCRange                         // assigned range, e.g. 40h/NNh DIAGNOSTIC FAILURE ON COMPONENT NN
	ASCVendor                        // ASC 80h-FFh: vendor specific
	ASCVendorModifier                // ASCQ 80h-FFh of a standard ASC: vendor specific qualifier
	ASCReserved                      // unassigned (reserved) pair
)

// String returns a stable lower-case name.
func (k ASCKind) String() string {
	switch k {
	case ASCExact:
		return "exact"
	case ASCRange:
		return "range"
	case ASCVendor:
		return "vendor-specific"
	case ASCVendorModifier:
		return "vendor-specific-qualifier"
	}
	return "reserved"
}

// Decoded is the meaning of a sense key / ASC / ASCQ triple.
type Decoded struct {
	Key, ASC, ASCQ uint8
	KeyName        string // T10 name, e.g. "UNIT ATTENTION"
	KeyMeaning     string
	ASCText        string // T10 text, e.g. "REPORTED LUNS DATA HAS CHANGED"; "VENDOR SPECIFIC", ... for unassigned pairs
	ASCKind        ASCKind
	Class          Class
}

// Description returns the ASC/ASCQ text with unassigned pairs spelled the
// way sg3_utils prints them ("vendor specific ASC=84, ASCQ=21 (hex)"), for
// comparisons and for humans. It allocates only for unassigned pairs.
func (d Decoded) Description() string {
	switch d.ASCKind {
	case ASCVendor:
		return fmt.Sprintf(fmtVendorASC, d.ASC, d.ASCQ)
	case ASCVendorModifier:
		return fmt.Sprintf(fmtVendorASCQ, d.ASC, d.ASCQ)
	case ASCReserved:
		return fmt.Sprintf(fmtReservedASC, d.ASC, d.ASCQ)
	}
	return d.ASCText
}

type ascEntry struct {
	ascq uint8
	kind ASCKind
	text string
}

type opcodeSA struct {
	op   uint8
	sa   uint16
	name string
}

type matchKind uint8

const (
	matchPDL matchKind = iota
	matchDevice
	matchHost
	matchPlugin
	matchSense
)

type classRule struct {
	match          matchKind
	key, asc, ascq int // -1 = any
	class          int // index into classes
}

// LookupASC returns the T10 text of an ASC/ASCQ pair and how it was
// resolved. Unassigned pairs give "VENDOR SPECIFIC", "VENDOR SPECIFIC
// QUALIFIER" or "RESERVED"; the text is never empty. It does not allocate.
func LookupASC(asc, ascq uint8) (string, ASCKind) {
	lo, hi := int(ascIndex[asc]), int(ascIndex[int(asc)+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		e := &ascEntries[m]
		switch {
		case e.ascq == ascq:
			return e.text, e.kind
		case e.ascq < ascq:
			lo = m + 1
		default:
			hi = m
		}
	}
	switch {
	case asc >= 0x80:
		return "VENDOR SPECIFIC", ASCVendor
	case ascq >= 0x80:
		return "VENDOR SPECIFIC QUALIFIER", ASCVendorModifier
	}
	return "RESERVED", ASCReserved
}

// Decode names a sense key / ASC / ASCQ triple and classifies it. Keys
// above 0xF use only their low 4 bits (the SENSE KEY field is 4 bits wide).
// It does not allocate.
func Decode(key, asc, ascq uint8) Decoded {
	key &= 0xf
	k := &senseKeys[key]
	text, kind := LookupASC(asc, ascq)
	st := Status{Opcode: -1, Validity: SenseValid, Key: key, ASC: asc, ASCQ: ascq}
	return Decoded{
		Key: key, ASC: asc, ASCQ: ascq,
		KeyName: k.Name, KeyMeaning: k.Meaning,
		ASCText: text, ASCKind: kind,
		Class: Classify(st),
	}
}

// SenseKey returns the T10 name of a sense key (low 4 bits of k).
func SenseKey(k uint8) Code { return senseKeys[k&0xf] }

// HostStatus decodes an ESXi host status (H:).
func HostStatus(h uint8) Code {
	if int(h) < len(hostCodes) && hostCodes[h].Name != "" {
		return hostCodes[h]
	}
	return Code{Value: int(h), Name: "UNKNOWN", Meaning: "host status not defined by VMware sources (unknown/reserved)"}
}

// DeviceStatus decodes a SCSI status byte (ESXi D:).
func DeviceStatus(d uint8) Code {
	if deviceCodes[d].Name != "" {
		return deviceCodes[d]
	}
	return Code{Value: int(d), Name: "RESERVED", Meaning: "status code not assigned by T10 (reserved/unknown)"}
}

// PluginStatus decodes an ESXi plugin status (P:).
func PluginStatus(p uint8) Code {
	if int(p) < len(pluginCodes) && pluginCodes[p].Name != "" {
		return pluginCodes[p]
	}
	return Code{Value: int(p), Name: "UNKNOWN", Meaning: "plugin status not defined by VMware sources (unknown/reserved)"}
}

// Opcode names a CDB operation code. sa is the service action, or -1 when
// unknown (ESXi logs only CDB byte 0); then the opcode's generic name is
// used. The result's Value is the opcode.
func Opcode(op uint8, sa int) Code {
	if sa >= 0 {
		lo, hi := 0, len(opcodeSAs)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			e := &opcodeSAs[m]
			if e.op < op || e.op == op && int(e.sa) < sa {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < len(opcodeSAs) && opcodeSAs[lo].op == op && int(opcodeSAs[lo].sa) == sa {
			return Code{Value: int(op), Name: opcodeSAs[lo].name, Meaning: "SCSI command (with service action)"}
		}
	}
	if n := opcodeNames[op]; n != "" {
		return Code{Value: int(op), Name: n, Meaning: "SCSI command"}
	}
	for i := range opcodeSAs {
		if opcodeSAs[i].op == op {
			return Code{Value: int(op), Name: "SERVICE ACTION OPCODE", Meaning: "command with a service action that the log does not show"}
		}
	}
	if op >= 0xc0 {
		return Code{Value: int(op), Name: "VENDOR SPECIFIC", Meaning: "vendor specific operation code (C0h-FFh)"}
	}
	return Code{Value: int(op), Name: "UNKNOWN", Meaning: "operation code not assigned (unknown/reserved)"}
}

// senseUsable reports whether st's sense bytes mean something: valid sense
// data, or "possible" sense data with no host-side error and a non-zero
// triple.
func senseUsable(st *Status) bool {
	switch st.Validity {
	case SenseValid:
		return true
	case SensePossible:
		return st.Host == 0 && (st.Key|st.ASC|st.ASCQ) != 0
	}
	return false
}

// Classify returns the action class of a status: from the PDL flag, the
// device (D:), sense data, plugin (P:) and host (H:) status, in the order
// of data/classify.tsv. A status with nothing notable is class "other".
func Classify(st Status) Class {
	usable := senseUsable(&st)
	for i := range classRules {
		r := &classRules[i]
		var ok bool
		switch r.match {
		case matchPDL:
			ok = st.PDL
		case matchDevice:
			ok = st.HasStatus && int(st.Device) == r.key
		case matchHost:
			ok = st.HasStatus && int(st.Host) == r.key
		case matchPlugin:
			ok = st.HasStatus && int(st.Plugin) == r.key
		case matchSense:
			ok = usable && (r.key < 0 || int(st.Key&0xf) == r.key) &&
				(r.asc < 0 || int(st.ASC) == r.asc) && (r.ascq < 0 || int(st.ASCQ) == r.ascq)
		}
		if ok {
			return classes[r.class]
		}
	}
	return classes[classOther]
}

// ClassByID returns the class with the given ID.
func ClassByID(id string) (Class, bool) {
	for _, c := range classes {
		if c.ID == id {
			return c, true
		}
	}
	return Class{}, false
}

// Classes returns every class, in data/classes.tsv order.
func Classes() []Class {
	out := make([]Class, len(classes))
	copy(out, classes[:])
	return out
}
