package parser

// NextRecord splits the first record off buf: one line plus the lines that
// continue it ("--> " lines of hostd/vpxa/vpxd, and lines indented with a
// space or tab). rec is a view of buf without the final newline (it contains
// the inner newlines of a multi-line record); rest is what follows. An
// incomplete last line is returned as a record. ESXi 8 "[+]" records carry
// their own header and are not joined here: Header.Continuation flags them.
// It does not allocate.
func NextRecord(buf []byte) (rec, rest []byte) {
	e := indexByte(buf, '\n', 0)
	if e < 0 {
		return trimEOL(buf), nil
	}
	end := e
	for {
		next := end + 1
		if next >= len(buf) || !isContinuationStart(buf[next:]) {
			break
		}
		ne := indexByte(buf, '\n', next)
		if ne < 0 {
			end = len(buf)
			break
		}
		end = ne
	}
	rec = trimEOL(buf[:end])
	if end >= len(buf) {
		return rec, nil
	}
	return rec, buf[end+1:]
}

func isContinuationStart(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] == ' ' || b[0] == '\t' {
		// an indented blank line is not a continuation
		i := skipSpaces(b, 0)
		return i < len(b) && b[i] != '\n' && b[i] != '\r'
	}
	return hasPrefix(b, "-->")
}
