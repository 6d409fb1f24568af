// Package parser knows what an ESXi (3.5 to 8.x), vCenter or ONTAP log line says.
//
// It names the kind of a file from its path (KindOf) or its first bytes
// (KindOfContent), parses the header of every line grammar described in the
// project's format reference (ParseHeader) without allocating, and extracts the
// typed facts rules need from one (joined) record: SCSI command failures
// (ParseScsi, ScsiJoiner for ESXi 8's split "Failed:" records), ramdisk usage
// rows (ParseVdfRow), esx.conf lock contention (ParseEsxConfLock), disabled API
// methods (ParseMethodDisabled), userworld core dumps (ParseCoreDump) and vobd
// events (ParseVob). NormalizeSnippet repairs text pasted from web pages, and
// Unparsed counts lines that look like a known grammar but fail it, so that no
// line is dropped silently.
//
// All returned byte slices are views into the caller's input; they are valid
// only as long as that input is. The package knows formats, nothing about
// problems: it never decides whether a line is bad news.
package parser
