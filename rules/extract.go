package rules

import (
	"bytes"

	"github.com/esxdiag/esxdiag/parser"
)

// The typed extractors the catalog's Go rules use, all from the parser
// package (SPEC: ParseVdfRow, ParseEsxConfLock, ParseMethodDisabled,
// ParseCoreDump). The wrappers are the single place rules call them;
// parseMethodDisabled also names the VM of a hostd 'vm:/vmfs/volumes/...vmx'
// line when the parser finds none.

func parseVdfRow(line []byte, row *parser.RamdiskRow) bool { return parser.ParseVdfRow(line, row) }

func parseEsxConfLock(line []byte, l *parser.EsxConfLock) bool {
	return parser.ParseEsxConfLock(line, l)
}

func parseMethodDisabled(line []byte, m *parser.MethodDisabled) bool {
	if !parser.ParseMethodDisabled(line, m) {
		return false
	}
	if m.VM == nil {
		m.VM = vmxName(line)
	}
	if m.VM == nil {
		m.VM = lroObject(line)
	}
	return true
}

// lroObject returns <X> of a vpxd/vpxa task line "[VpxLRO] -- ERROR task-N
// -- <X> -- <method>: <fault>" (a VM name or moref), or nil.
func lroObject(line []byte) []byte {
	i := bytes.Index(line, []byte("-- ERROR task-"))
	if i < 0 {
		return nil
	}
	rest := line[i+len("-- ERROR task-"):]
	k := bytes.Index(rest, []byte(" -- "))
	if k < 0 {
		return nil
	}
	rest = rest[k+4:]
	e := bytes.Index(rest, []byte(" -- "))
	if e <= 0 || bytes.IndexByte(rest[:e], ' ') >= 0 {
		return nil
	}
	return rest[:e]
}

func parseCoreDump(line []byte, c *parser.CoreDump) bool { return parser.ParseCoreDump(line, c) }

// vmxName returns the VM name of a hostd "'vm:/vmfs/volumes/<ds>/<dir>/<name>.vmx'"
// component, or nil.
func vmxName(line []byte) []byte {
	i := bytes.Index(line, []byte("vm:/vmfs/volumes/"))
	if i < 0 {
		return nil
	}
	rest := line[i:]
	e := bytes.Index(rest, []byte(".vmx"))
	if e < 0 {
		return nil
	}
	p := rest[:e]
	if s := bytes.LastIndexByte(p, '/'); s >= 0 {
		p = p[s+1:]
	}
	if len(p) == 0 {
		return nil
	}
	return p
}
