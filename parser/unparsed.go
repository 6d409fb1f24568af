package parser

// Unparsed counts, for one file, the lines that look like a known log
// grammar but fail it, and keeps the first one as a sample, so that no such
// line is dropped silently. The zero value is ready to use; use one per file
// (and Merge per-worker copies).
type Unparsed struct {
	Count      int64
	Sample     []byte // copy of the first offending line (at most MaxSample bytes)
	SampleLine int64  // its 1-based line number; 0 if none
}

// MaxSample bounds the sample copied by Unparsed.
const MaxSample = 512

// Observe records a line that ParseHeader rejected when it LooksLikeLog.
// It reports whether the line was counted. Only the first sample is copied.
func (u *Unparsed) Observe(line []byte, lineNum int64) bool {
	if !LooksLikeLog(line) {
		return false
	}
	u.Count++
	if u.SampleLine == 0 || lineNum < u.SampleLine {
		n := len(line)
		if n > MaxSample {
			n = MaxSample
		}
		u.Sample = append(u.Sample[:0], line[:n]...)
		u.SampleLine = lineNum
	}
	return true
}

// Merge adds other's count; the earliest sample wins.
func (u *Unparsed) Merge(other *Unparsed) {
	u.Count += other.Count
	if other.SampleLine != 0 && (u.SampleLine == 0 || other.SampleLine < u.SampleLine) {
		u.Sample = append(u.Sample[:0], other.Sample...)
		u.SampleLine = other.SampleLine
	}
}

// LooksLikeLog is a cheap test (no allocation) for a line that starts like
// one of the known grammars: an ISO date "YYYY-MM-DD", a syslog month
// "Mon ", a bracketed hostd stamp "[YYYY-", a forwarded "<PRI>", an uptime
// "D:HH:MM:SS." or a "cpuN:" prefix.
func LooksLikeLog(line []byte) bool {
	line = trimEOL(line)
	if len(line) < 4 {
		return false
	}
	c := line[0]
	switch {
	case isDigit(c):
		if len(line) >= 10 && line[4] == '-' && line[7] == '-' && isDigit(line[1]) && isDigit(line[2]) && isDigit(line[3]) {
			return true
		}
		_, n := atoi(line, 0)
		return n < len(line) && line[n] == ':' && index(line[:min(len(line), 24)], " cpu", 0) > 0
	case c == '[':
		return len(line) > 5 && isDigit(line[1]) && isDigit(line[4]) && line[5] == '-'
	case c == '<':
		_, n := atoi(line, 1)
		return n > 0 && n <= 3 && 1+n < len(line) && line[1+n] == '>'
	case c == 'c':
		return hasPrefix(line, "cpu") && isDigit(line[3])
	case isUpper(c):
		return monthOf(line) > 0 && line[3] == ' ' && len(line) > 5 && (isDigit(line[4]) || line[4] == ' ' && isDigit(line[5]))
	}
	return false
}
