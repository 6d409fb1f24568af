package synth

import "unsafe"

// bytesToStr views b as a string without copying; only for immediate use while b
// is not modified (template sub names passed into prefix appenders).
func bytesToStr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
