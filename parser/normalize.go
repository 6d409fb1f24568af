package parser

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// NormalizeSnippet repairs text pasted from web pages, KB articles and chat
// (formats.md §4): CRLF and CR line ends, typographic quotes („ “ ” ″ ‘ ’ ′),
// "×" (U+00D7) used for the x of hex numbers ("0×2"), non-breaking and other
// Unicode spaces, and leading indentation added by web pages. Masked values
// that KBs use in place of real ids ("naa.####", "naa.xxxx", "naa.****") are
// canonicalised to '#' so they are recognisable as masked. Each kind of
// change made is reported in notes (nil when the text was already clean).
// It allocates; it is meant for stdin snippets, not for bundle members.
func NormalizeSnippet(in []byte) (out []byte, notes []string) {
	out = make([]byte, 0, len(in))
	var crlf, quotes, times, spaces int
	for i := 0; i < len(in); {
		c := in[i]
		if c == '\r' {
			crlf++
			out = append(out, '\n')
			i++
			if i < len(in) && in[i] == '\n' {
				i++
			}
			continue
		}
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		switch r {
		case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb':
			out = append(out, '"')
			quotes++
		case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032', '\u00b4', '`':
			out = append(out, '\'')
			quotes++
		case '\u00d7':
			out = append(out, 'x')
			times++
		case '\u00a0', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006',
			'\u2007', '\u2008', '\u2009', '\u200a', '\u202f', '\u205f', '\u3000':
			out = append(out, ' ')
			spaces++
		case '\u200b', '\ufeff':
			spaces++ // zero-width space, BOM: drop
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
			out = append(out, '-')
			quotes++
		default:
			out = append(out, in[i:i+n]...)
		}
		i += n
	}
	if crlf > 0 {
		notes = append(notes, fmt.Sprintf("converted %d CR/CRLF line ends to LF", crlf))
	}
	if quotes > 0 {
		notes = append(notes, fmt.Sprintf("replaced %d typographic quotes or dashes with ASCII", quotes))
	}
	if times > 0 {
		notes = append(notes, fmt.Sprintf("replaced %d '×' with 'x' (as in 0×2)", times))
	}
	if spaces > 0 {
		notes = append(notes, fmt.Sprintf("replaced %d non-breaking or zero-width spaces", spaces))
	}
	var ind int
	out, ind = dedent(out)
	if ind > 0 {
		notes = append(notes, fmt.Sprintf("removed leading indentation from %d lines", ind))
	}
	if m := maskIDs(out); m > 0 {
		notes = append(notes, fmt.Sprintf("%d masked device ids (naa.####) kept as masked: events on them cannot be told apart", m))
	}
	return out, notes
}

// dedent strips the common leading indentation of all non-empty lines and
// then the indentation of any line that parses as a record start once
// stripped (web pages indent code blocks; "--> " and real continuation
// lines keep theirs).
func dedent(b []byte) ([]byte, int) {
	common := -1
	forEachLine(b, func(l []byte) {
		if len(trimSpaceB(l)) == 0 {
			return
		}
		n := skipSpaces(l, 0)
		if common < 0 || n < common {
			common = n
		}
	})
	out := make([]byte, 0, len(b))
	count := 0
	var h Header
	forEachLine(b, func(l []byte) {
		if len(trimSpaceB(l)) > 0 {
			s := 0
			if common > 0 {
				s = common
			}
			if n := skipSpaces(l, s); n > s && ParseHeader(l[n:], time.Time{}, &h) && !h.Continuation && h.Grammar != GrammarVmkBare {
				s = n
			}
			if s > 0 {
				count++
			}
			l = l[s:]
		}
		out = append(out, l...)
		out = append(out, '\n')
	})
	if len(b) > 0 && b[len(b)-1] != '\n' && len(out) > 0 {
		out = out[:len(out)-1]
	}
	return out, count
}

func forEachLine(b []byte, fn func([]byte)) {
	for len(b) > 0 {
		e := indexByte(b, '\n', 0)
		if e < 0 {
			fn(b)
			return
		}
		fn(b[:e])
		b = b[e+1:]
	}
}

// maskIDs canonicalises masked device ids in place and counts them.
func maskIDs(b []byte) int {
	n := 0
	for i := 0; i+5 < len(b); i++ {
		if b[i+3] != '.' || (i > 0 && (isAlpha(b[i-1]) || isDigit(b[i-1]))) {
			continue
		}
		ok := false
		for _, p := range devPrefixes {
			if b[i] == p[0] && b[i+1] == p[1] && b[i+2] == p[2] {
				ok = true
			}
		}
		if !ok {
			continue
		}
		s := i + 4
		e := s
		masked := 0
		for e < len(b) && (isHex(b[e]) || b[e] == '#' || b[e] == '*' || b[e] == 'x' || b[e] == 'X') {
			if b[e] == '#' || b[e] == '*' || b[e] == 'x' || b[e] == 'X' {
				masked++
			}
			e++
		}
		if e-s >= 4 && masked >= 4 && (b[i] == 'n' || b[i] == 'e') { // naa./eui. ids are hex: x, * and # are masks
			for k := s; k < e; k++ {
				b[k] = '#'
			}
			n++
		}
		i = e
	}
	return n
}
