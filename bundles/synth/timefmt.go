package synth

import "time"

// Timestamps are int64 milliseconds since the Unix epoch (UTC). The append helpers
// below format them without allocating; a dayCache avoids recomputing the civil
// date for every line.

const msPerDay = 86400000

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

type dayCache struct {
	day          int64
	iso          [11]byte // "2006-01-02T"
	month, dom   int
	year         int
	valid        bool
	syslogPrefix [7]byte // "Jan  2 "
}

func (c *dayCache) set(ms int64) {
	d := floorDiv(ms, msPerDay)
	if c.valid && d == c.day {
		return
	}
	t := time.UnixMilli(d * msPerDay).UTC()
	c.day, c.valid = d, true
	c.year, c.month, c.dom = t.Year(), int(t.Month()), t.Day()
	b := c.iso[:0]
	b = append4(b, c.year)
	b = append(b, '-')
	b = append2(b, c.month)
	b = append(b, '-')
	b = append2(b, c.dom)
	b = append(b, 'T')
	_ = b
	s := c.syslogPrefix[:0]
	s = append(s, monthNames[c.month-1]...)
	s = append(s, ' ')
	if c.dom < 10 {
		s = append(s, ' ', byte('0'+c.dom))
	} else {
		s = append2(s, c.dom)
	}
	s = append(s, ' ')
	_ = s
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10%10), byte('0'+v%10)) }
func append3(b []byte, v int) []byte {
	return append(b, byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}
func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// appendHMS appends "15:04:05" and, if millis, ".000".
func appendHMS(b []byte, ms int64, millis bool) []byte {
	in := ms - floorDiv(ms, msPerDay)*msPerDay
	s := int(in / 1000)
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s/60%60)
	b = append(b, ':')
	b = append2(b, s%60)
	if millis {
		b = append(b, '.')
		b = append3(b, int(in%1000))
	}
	return b
}

// appendISO appends "2006-01-02T15:04:05.000Z".
func (c *dayCache) appendISO(b []byte, ms int64) []byte {
	c.set(ms)
	b = append(b, c.iso[:]...)
	b = appendHMS(b, ms, true)
	return append(b, 'Z')
}

// appendSpaceDate appends "2006-01-02 15:04:05.000" (pre-5.0 hostd).
func (c *dayCache) appendSpaceDate(b []byte, ms int64) []byte {
	c.set(ms)
	b = append(b, c.iso[:10]...)
	b = append(b, ' ')
	return appendHMS(b, ms, true)
}

// appendSyslog appends "Jan  2 15:04:05" (no year, like BSD syslog).
func (c *dayCache) appendSyslog(b []byte, ms int64) []byte {
	c.set(ms)
	b = append(b, c.syslogPrefix[:]...)
	return appendHMS(b, ms, false)
}

// appendUptime appends the 4.x vmkernel uptime "D:HH:MM:SS.mmm" (days since boot).
func appendUptime(b []byte, up int64) []byte {
	if up < 0 {
		up = 0
	}
	days := up / msPerDay
	b = appendInt(b, days)
	b = append(b, ':')
	return appendHMS(b, up, true)
}

func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

const hexLower = "0123456789abcdef"
const hexUpper = "0123456789ABCDEF"

// appendHex appends v in lower-case hex without leading zeros (at least one digit).
func appendHex(b []byte, v uint64) []byte {
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = hexLower[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// appendHexN appends exactly n hex digits of v.
func appendHexN(b []byte, v uint64, n int, upper bool) []byte {
	digits := hexLower
	if upper {
		digits = hexUpper
	}
	for i := n - 1; i >= 0; i-- {
		b = append(b, digits[(v>>(4*uint(i)))&15])
	}
	return b
}
