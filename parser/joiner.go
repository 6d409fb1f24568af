package parser

// ScsiJoiner joins ESXi 8's split NMP records: since ESXi 8 a
// "nmp_ThrottleLogForDevice: Cmd 0x.. (..) to dev ".." on path ".." Failed:"
// record ends at "Failed:" and its H:/D:/P: status follows in a later record
// of the same world (formats.md §2.3 [V]), or in the next "[+]" continuation record.
//
// Feed every vmkernel record in file order; emit receives each record to
// analyse exactly once, in order of completion: unrelated records at once,
// a split record joined with its status record ("<split record> <status
// body>"), or a split record that found no status as-is when Flush is
// called or when more than MaxPending are waiting. The slice passed to emit
// is valid only during the call. A ScsiJoiner is not safe for concurrent
// use; use one per file. After warm-up it does not allocate.
type ScsiJoiner struct {
	MaxPending int // split records kept waiting; 0 means 64

	pend []pendingRec
	free [][]byte
	out  []byte
}

type pendingRec struct {
	world int
	buf   []byte
}

// Pending returns the number of split records waiting for their status.
func (j *ScsiJoiner) Pending() int { return len(j.pend) }

// Feed offers one record with its parsed header (h may describe a failed
// parse: then only its Body, World and Continuation fields are used).
func (j *ScsiJoiner) Feed(h *Header, record []byte, emit func(rec []byte)) {
	body := h.Body
	if body == nil {
		body = record
	}
	if isSplitFailed(body) {
		max := j.MaxPending
		if max <= 0 {
			max = 64
		}
		if len(j.pend) >= max {
			old := j.pend[0]
			copy(j.pend, j.pend[1:])
			j.pend = j.pend[:len(j.pend)-1]
			emit(old.buf)
			j.free = append(j.free, old.buf[:0])
		}
		var buf []byte
		if n := len(j.free); n > 0 {
			buf, j.free = j.free[n-1], j.free[:n-1]
		}
		buf = append(buf[:0], trimEOL(record)...)
		j.pend = append(j.pend, pendingRec{world: h.World, buf: buf})
		return
	}
	// Only a status-only record completes a split one: a record that names
	// its own command ("Cmd ...", "Command ...") is a separate failure.
	if len(j.pend) > 0 && hasStatusText(body) && !namesCommand(body) {
		k := -1
		if h.World >= 0 {
			for i := len(j.pend) - 1; i >= 0; i-- {
				if j.pend[i].world == h.World {
					k = i
					break
				}
			}
		}
		if k < 0 && h.Continuation && (h.World < 0 || j.pend[len(j.pend)-1].world < 0) {
			k = len(j.pend) - 1
		}
		if k >= 0 {
			p := j.pend[k]
			copy(j.pend[k:], j.pend[k+1:])
			j.pend = j.pend[:len(j.pend)-1]
			j.out = append(j.out[:0], p.buf...)
			j.out = append(j.out, ' ')
			j.out = append(j.out, trimSpaceB(body)...)
			j.free = append(j.free, p.buf[:0])
			emit(j.out)
			return
		}
	}
	emit(record)
}

// Flush emits every split record still waiting for its status.
func (j *ScsiJoiner) Flush(emit func(rec []byte)) {
	for _, p := range j.pend {
		emit(p.buf)
		j.free = append(j.free, p.buf[:0])
	}
	j.pend = j.pend[:0]
}

// hasStatusText is a cheap test for a status fragment.
func hasStatusText(b []byte) bool {
	return index(b, "H:0x", 0) >= 0 || index(b, "sense data", 0) >= 0
}

// namesCommand reports whether b names a failed command of its own ("Cmd
// 0x28", "Cmd(0xADDR) 0x2a", "Cmd (0x2a)", "Command 0x28"). Other "Cmd"
// words ("CmdSN", ". Cmd count Active:N") do not make a record a separate
// failure.
func namesCommand(b []byte) bool {
	return index(b, "Cmd 0x", 0) >= 0 || index(b, "Cmd(0x", 0) >= 0 ||
		index(b, "Cmd (0x", 0) >= 0 || index(b, "Command 0x", 0) >= 0
}
