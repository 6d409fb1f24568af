package parser

import (
	"strings"
	"unsafe"
)

// Small allocation-free helpers over byte slices. The hot paths in this
// package use these instead of regexp or strconv so that nothing escapes.

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlpha(c byte) bool { return isUpper(c) || isLower(c) }

// digitsN reads exactly n decimal digits at b[i:]; ok false otherwise.
func digitsN(b []byte, i, n int) (int, bool) {
	if i < 0 || i+n > len(b) {
		return 0, false
	}
	v := 0
	for j := i; j < i+n; j++ {
		c := b[j]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// atoi reads a run of decimal digits at b[i:] (at most 18); n is the count read.
func atoi(b []byte, i int) (v, n int) {
	for j := i; j < len(b) && j-i < 18; j++ {
		c := b[j]
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int(c-'0')
		n++
	}
	return v, n
}

// hexAt reads "0x"-prefixed (prefix optional) hex digits at b[i:], at most 16.
func hexAt(b []byte, i int) (v uint64, n int) {
	j := i
	if j+1 < len(b) && b[j] == '0' && (b[j+1] == 'x' || b[j+1] == 'X') {
		j += 2
	}
	start := j
	for j < len(b) && j-start < 16 && isHex(b[j]) {
		v = v<<4 | uint64(hexVal(b[j]))
		j++
	}
	if j == start {
		return 0, 0
	}
	return v, j - i
}

func hasPrefix(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if b[i] != p[i] {
			return false
		}
	}
	return true
}

func hasPrefixFoldB(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lower(b[i]) != lower(p[i]) {
			return false
		}
	}
	return true
}

func equalFold(b []byte, s string) bool { return len(b) == len(s) && hasPrefixFoldB(b, s) }

// index returns the first index of sub in b at or after from, or -1. It
// views b as a string without copying so that the SIMD strings.Index runs.
func index(b []byte, sub string, from int) int {
	if from < 0 || from > len(b) {
		return -1
	}
	r := b[from:]
	if len(r) == 0 {
		if len(sub) == 0 {
			return from
		}
		return -1
	}
	i := strings.Index(unsafe.String(&r[0], len(r)), sub)
	if i < 0 {
		return -1
	}
	return from + i
}

// indexFold is index with ASCII case folding.
func indexFold(b []byte, sub string, from int) int {
	if len(sub) == 0 {
		return from
	}
	c0 := lower(sub[0])
	for i := from; i+len(sub) <= len(b); i++ {
		if lower(b[i]) != c0 {
			continue
		}
		if hasPrefixFoldB(b[i:], sub) {
			return i
		}
	}
	return -1
}

func indexByte(b []byte, c byte, from int) int {
	for i := from; i < len(b); i++ {
		if b[i] == c {
			return i
		}
	}
	return -1
}

func skipSpaces(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

// tokenEnd returns the index of the first space, tab or end at or after i.
func tokenEnd(b []byte, i int) int {
	for i < len(b) && b[i] != ' ' && b[i] != '\t' {
		i++
	}
	return i
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func trimSpaceB(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// devPrefixes are the device identifier namespaces ESXi logs.
var devPrefixes = [...]string{"naa.", "eui.", "t10.", "mpx.", "vml.", "sym."}
