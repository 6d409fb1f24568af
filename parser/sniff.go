package parser

import "time"

// KindOfContent guesses the kind of a single log or pasted snippet from its
// first bytes (a few KiB are enough). It votes over the first lines that parse.
func KindOfContent(head []byte) Kind {
	var votes [numKinds]int
	var h Header
	lines := 0
	syslogVmk, syslogOther := 0, 0
	for len(head) > 0 && lines < 64 {
		e := indexByte(head, '\n', 0)
		var line []byte
		if e < 0 {
			line, head = head, nil
		} else {
			line, head = head[:e], head[e+1:]
		}
		line = trimEOL(line)
		t := trimSpaceB(line)
		if len(t) == 0 {
			continue
		}
		lines++
		if k := tableKind(t); k != KindUnknown {
			votes[k] += 4
			continue
		}
		if !ParseHeader(line, time.Time{}, &h) || h.Continuation {
			continue
		}
		switch h.Grammar {
		case GrammarVmk5, GrammarVmkUptime, GrammarVmkBare:
			votes[KindVmkernel]++
		case GrammarHostdPre5, GrammarHostd5:
			votes[KindHostd]++
		case GrammarVobd:
			votes[KindVobd]++
		case GrammarVpxdQuoted:
			votes[KindVpxd]++
		case GrammarSyslog:
			if equalFold(h.Proc, "vmkernel") || h.CPU >= 0 {
				syslogVmk++
			} else {
				syslogOther++
			}
		case GrammarESXi8, GrammarOriginator, GrammarISO, GrammarRFC5424:
			votes[kindOfProc(h.Proc)]++
		}
	}
	if syslogOther > 0 {
		votes[KindMessages] += syslogVmk + syslogOther
	} else {
		votes[KindVmkernel] += syslogVmk
	}
	best := KindUnknown
	for k := KindUnknown + 1; k < numKinds; k++ {
		if votes[k] > votes[best] {
			best = k
		}
	}
	return best
}

func kindOfProc(p []byte) Kind {
	switch {
	case p == nil:
		return KindUnknown
	case equalFold(p, "vmkernel"):
		return KindVmkernel
	case equalFold(p, "vmkwarning"):
		return KindVmkwarning
	case equalFold(p, "hostd"):
		return KindHostd
	case equalFold(p, "hostd-probe"):
		return KindHostdProbe
	case equalFold(p, "vobd"):
		return KindVobd
	case equalFold(p, "vpxa"):
		return KindVpxa
	case equalFold(p, "fdm"):
		return KindFdm
	case equalFold(p, "vpxd"):
		return KindVpxd
	}
	return KindSyslog
}

// tableKind recognises command outputs and config files by one line.
func tableKind(t []byte) Kind {
	switch {
	case hasPrefix(t, "Ramdisk Name") && index(t, "Mount Point", 0) > 0:
		return KindRamdiskList
	case hasPrefix(t, "Ramdisk") && index(t, "Use%", 0) > 0 && index(t, "Mounted on", 0) > 0:
		return KindVdf
	case len(t) > 2 && t[0] == '/' && isAlpha(t[1]) && index(t, ` = "`, 0) > 0:
		return KindEsxConf
	case isONTAPLine(t), isONTAPRow(t):
		return KindONTAP
	}
	return KindUnknown
}

// isONTAPLine spots the EMS bracket "[node:event.name:severity]:" of a
// 7-Mode /etc/messages line or of clustered ONTAP syslog forwarding.
func isONTAPLine(t []byte) bool {
	i := indexByte(t, '[', 0)
	if i < 0 || i > 40 {
		return false
	}
	e := indexByte(t, ']', i)
	if e < 0 || e+1 >= len(t) || t[e+1] != ':' {
		return false
	}
	in := t[i+1 : e]
	c1 := indexByte(in, ':', 0)
	if c1 <= 0 {
		return false
	}
	c2 := indexByte(in, ':', c1+1)
	if c2 < 0 {
		return false
	}
	ev := trimSpaceB(in[c1+1 : c2])
	return indexByte(ev, '.', 0) > 0 && len(in)-c2-1 > 0
}
