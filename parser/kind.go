package parser

// Kind names what a file (or a pasted snippet) holds.
type Kind uint8

// Kinds of input. The zero value is KindUnknown.
const (
	KindUnknown     Kind = iota
	KindVmkernel         // vmkernel.log, ESX/ESXi 4.x var/log/vmkernel
	KindVmkwarning       // vmkwarning.log
	KindHostd            // hostd.log
	KindHostdProbe       // hostd-probe.log (ESXi 8 watchdog)
	KindVobd             // vobd.log
	KindVpxa             // vpxa.log
	KindFdm              // fdm.log (HA agent)
	KindSyslog           // syslog.log and other syslog-wrapped logs
	KindMessages         // ESXi 4.x var/log/messages (everything in one file)
	KindVpxd             // vCenter vpxd.log
	KindVdf              // commands/vdf_-h.txt (vdf -h ramdisk table)
	KindRamdiskList      // commands/localcli_system-visorfs-ramdisk-list.txt
	KindEsxConf          // etc/vmware/esx.conf
	KindONTAP            // NetApp ONTAP EMS log or 7-Mode /etc/messages
	numKinds
)

var kindNames = [numKinds]string{
	KindUnknown:     "unknown",
	KindVmkernel:    "vmkernel",
	KindVmkwarning:  "vmkwarning",
	KindHostd:       "hostd",
	KindHostdProbe:  "hostd-probe",
	KindVobd:        "vobd",
	KindVpxa:        "vpxa",
	KindFdm:         "fdm",
	KindSyslog:      "syslog",
	KindMessages:    "messages",
	KindVpxd:        "vpxd",
	KindVdf:         "vdf",
	KindRamdiskList: "ramdisk-list",
	KindEsxConf:     "esx.conf",
	KindONTAP:       "ontap",
}

// String returns the stable lower-case name of k ("vmkernel", "hostd", ...).
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind is the inverse of Kind.String; it returns KindUnknown, false for
// an unknown name.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return KindUnknown, false
}

// Kinds returns every known kind except KindUnknown, in declaration order.
func Kinds() []Kind {
	out := make([]Kind, 0, numKinds-1)
	for k := KindUnknown + 1; k < numKinds; k++ {
		out = append(out, k)
	}
	return out
}

// KindOf names the kind of a bundle member from its path. It accepts the
// relative path inside a bundle ("var/run/log/vmkernel.log"), a virtual path
// naming a chain ("x.tgz!var/log/hostd.3.gz") or a bare file name. Rotated
// names (".N", ".N.gz", "-N.log", ".log.N", N of any width) and fragment
// suffixes (".FRAG-00000") are stripped before matching.
func KindOf(path string) Kind {
	if i := lastIndexByte(path, '!'); i >= 0 {
		path = path[i+1:]
	}
	for len(path) > 0 && path[len(path)-1] == '/' {
		path = path[:len(path)-1]
	}
	dir, base := path, path
	if i := lastIndexByte(path, '/'); i >= 0 {
		dir, base = path[:i], path[i+1:]
	} else {
		dir = ""
	}
	base = stripRotation(base)
	lb := lowerASCII(base)

	switch {
	case hasPrefixFold(lb, "vdf") && (hasSuffix(lb, ".txt") || lb == "vdf"):
		return KindVdf
	case contains(lb, "visorfs-ramdisk-list"), contains(lb, "visorfs_ramdisk_list"):
		return KindRamdiskList
	case lb == "esx.conf":
		return KindEsxConf
	}
	if hasSuffix(dir, "commands") || contains(dir, "commands/") {
		return KindUnknown
	}
	ld := lowerASCII(dir)
	// ONTAP: 7-Mode /etc/messages, clustered ONTAP /mroot/etc/log/ems*, mlog/messages.log,
	// AutoSupport EMS-LOG-FILE.
	switch {
	case hasPrefixFold(lb, "ems-log-file"), lb == "ems", hasPrefixFold(lb, "ems.log"), hasPrefixFold(lb, "ems-log"):
		return KindONTAP
	case (lb == "messages" || lb == "messages.log") && (hasSuffix(ld, "etc") || hasSuffix(ld, "etc/log/mlog") || hasSuffix(ld, "mlog")):
		return KindONTAP
	}
	name := lb
	if hasSuffix(name, ".log") {
		name = name[:len(name)-4]
	}
	switch name {
	case "vmkernel":
		return KindVmkernel
	case "vmkwarning":
		return KindVmkwarning
	case "hostd":
		return KindHostd
	case "hostd-probe":
		return KindHostdProbe
	case "vobd":
		return KindVobd
	case "vpxa":
		return KindVpxa
	case "fdm":
		return KindFdm
	case "syslog":
		return KindSyslog
	case "messages":
		return KindMessages
	case "vpxd", "vpxd-alert":
		return KindVpxd
	}
	return KindUnknown
}

// stripRotation removes compression, fragment and rotation suffixes:
// "vmkernel.0.gz" -> "vmkernel", "hostd.log.12" -> "hostd.log",
// "vpxd-123.log" -> "vpxd.log", "messages.FRAG-00001" -> "messages".
func stripRotation(b string) string {
	for {
		n := len(b)
		if hasSuffix(b, ".gz") {
			b = b[:len(b)-3]
		}
		if i := lastIndexByte(b, '.'); i > 0 && hasPrefixFold(b[i+1:], "frag-") && allDigits(b[i+6:]) {
			b = b[:i]
		}
		if i := lastIndexByte(b, '.'); i > 0 && allDigits(b[i+1:]) {
			b = b[:i]
		}
		if hasSuffix(b, ".log") {
			stem := b[:len(b)-4]
			if i := lastIndexByte(stem, '-'); i > 0 && allDigits(stem[i+1:]) {
				b = stem[:i] + ".log"
			}
		}
		if len(b) == n {
			return b
		}
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func lastIndexByte(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lower(s[i]) != lower(p[i]) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}
