// Package parser knows what an ESXi (3.5 to 8.x), vCenter or ONTAP log line says.
//
// It names the kind of a file from its path (KindOf) or its first bytes
// (KindOfContent), parses the header of every line grammar described in the
// project's format reference (ParseHeader) without allocating, and extracts the
// typed facts rules need from one (joined) record: SCSI command failures
// (ParseScsi, ScsiJoiner for ESXi 8's split "Failed:" records), ramdisk usage
// rows (ParseVdfRow), esx.conf lock contention (ParseEsxConfLock), disabled API
// methods (ParseMethodDisabled), userworld core dumps (ParseCoreDump) and vobd
// events (ParseVob). NextRecord attaches "-->" continuation lines to their
// record, NormalizeSnippet repairs text pasted from web pages, and Unparsed
// counts lines that look like a known grammar but fail it, so that no line is
// dropped silently.
//
// # Grammars
//
//   - ESX 3.5 and ESX/ESXi 4.x: BSD syslog "Mon dd hh:mm:ss [host ]tag[pid]: rest"
//     whose vmkernel rest is "D:HH:MM:SS.mmm cpuN:W)body" (uptime since boot, not
//     wall time). The syslog stamp has no year: it is taken from the reference
//     time (bundle collection) and TimeInferred is set; a stamp more than two
//     days after the reference belongs to the previous year. A 4.x "Hostd:" rest
//     carries its own full stamp, which then wins. Host or tag may be missing.
//   - KB-quoted fragments: "vmkernel: D:HH:MM:SS.mmm cpuN:W)", "HH:MM:SS.mmm
//     cpuN:W)" and bare ESX 3.5 bodies ("WARNING: SCSI: 5663: ...") parse
//     without a wall time.
//   - ESXi 5.x-7.x vmkernel: "ISO cpuN:W[ opID=x])[WARNING: |ALERT: ]Subsys: body".
//   - ESXi 8 local logs: "ISO Sev(PRI)[[+]|+] proc[pid]: body", also date-only
//     and seconds-only stamps; the body is then read per process (vmkernel cpu
//     prefix, vobd correlator, hostd Originator bracket).
//   - hostd/vpxa: pre-5.0 "[YYYY-MM-DD hh:mm:ss.mmm TID level 'comp' opID=x] body",
//     5.x "ISO [TID level 'comp' opID=x] body", 6.x-7.x "ISO level proc[tid]
//     [Originator@6876 sub=... opID=...] body"; vpxd's newest "ISO LEVEL vpxd
//     pid [Originator@4413 sub="..." opID="..."] body".
//   - vobd 5.x-7.x "ISO: [Correlator] NNNus: [id] msg" (8.x: via the ESXi 8 form,
//     two spaces after the colon).
//   - Forwarded: RFC 5424 "<PRI>1 ISO host app procid msgid SD msg" and
//     "<PRI>"-prefixed RFC 3164; the message is parsed again as any grammar.
//   - "--> " and indented lines are continuations (Continuation=true).
//
// All timestamps are returned in UTC. All returned byte slices are views into
// the caller's input; they are valid only as long as that input is.
//
// # ESX 3.5 status
//
// ESX 3.5 logs "status = A/B 0xK 0xA 0xQ". A/B is device/host status in
// decimal (KB 289902; KB 1008113 shows "40/0" = QUEUE FULL 0x28), not
// host/device as the format reference says; package sense decodes it so and
// ScsiEvent.Dev/Host follow.
//
// The package knows formats, nothing about problems: it never decides whether
// a line is bad news.
package parser
