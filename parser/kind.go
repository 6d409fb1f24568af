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
