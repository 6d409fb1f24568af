package rules

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/esxdiag/esxdiag/parser"
)

// chunkSize is the read buffer per member: chunks are cut at the last
// newline and the tail is carried into the next read. A line longer than
// this is truncated (and counted), never buffered without bound.
const chunkSize = 1 << 20

// headLines is the number of lines at the start of every member whose
// header is parsed even without a keyword hit: it gives the first time of
// the file and feeds the Unparsed counter (grammar drift shows up early).
const headLines = 256

// maxRecordLines and maxRecordBytes bound the joining of continuation lines
// ("--> ", "[+]") into one record.
const (
	maxRecordLines = 64
	maxRecordBytes = 16 << 10
)

// memberIn is one file handed to the engine core (bundles.Member or a fake in tests).
type memberIn struct {
	Bundle int
	Path   string
	Rel    string
	Seq    int
	Size   int64
	R      io.Reader

	kind     parser.Kind // snippets: forced kind (KindUnknown = from Rel/content)
	lineBase int64       // snippets: lines before this run in the pasted text
}

// walkFunc delivers members, possibly concurrently, like bundles.Source.Walk.
type walkFunc func(ctx context.Context, fn func(m *memberIn) error) error

// plan is what the engine does with the lines of one kind of file.
type plan struct {
	kind     parser.Kind
	pf       *prefilter // nil when no rule of the kind has keywords
	rules    []int      // engine rule indexes bound to the kind
	ruleKW   [][]int    // per entry of rules: prefilter ids of the rule's keywords in rule order (nil = every line)
	allLines bool       // some rule of the kind has no keywords
	words    int        // bit-set words for the prefilter's keywords
	join     bool       // vmkernel-like: hit records go through parser.ScsiJoiner
	indent   bool       // indented lines continue the record (logs, not tables)
}

// engine is a compiled catalog.
type engine struct {
	rules []ruleEntry
	plans []*plan // by parser.Kind
	opts  Options
}

func newEngine(cat *Catalog, opts Options) (*engine, error) {
	if cat == nil {
		cat = Builtin()
	}
	if err := cat.Err(); err != nil {
		return nil, err
	}
	if opts.MaxEvidence <= 0 {
		opts.MaxEvidence = DefaultMaxEvidence
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	e := &engine{rules: cat.sorted(), opts: opts}
	e.plans = cat.compiled(e.rules)
	return e, nil
}

// compiled returns the per-kind plans of the catalog (rules in ID order),
// building them once: the prefilter construction is not free and
// AnalyzeText/TestSamples/Analyze may run many times over one catalog.
func (c *Catalog) compiled(rules []ruleEntry) []*plan {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plans != nil {
		return c.plans
	}
	c.plans = buildPlans(rules)
	return c.plans
}

func buildPlans(rules []ruleEntry) []*plan {
	maxKind := parser.KindUnknown
	for _, k := range parser.Kinds() {
		maxKind = max(maxKind, k)
	}
	plans := make([]*plan, int(maxKind)+1)
	for _, k := range parser.Kinds() {
		p := &plan{kind: k, join: k == parser.KindVmkernel || k == parser.KindVmkwarning || k == parser.KindMessages,
			indent: k != parser.KindVdf && k != parser.KindRamdiskList && k != parser.KindEsxConf}
		var kws []string
		for ri := range rules {
			if slices.Contains(rules[ri].info.Kinds, k) {
				p.rules = append(p.rules, ri)
				kws = append(kws, rules[ri].info.Keywords...)
				if len(rules[ri].info.Keywords) == 0 {
					p.allLines = true
				}
			}
		}
		if len(p.rules) == 0 {
			continue
		}
		if len(kws) > 0 {
			p.pf = newPrefilter(kws)
			ids := map[string]int{}
			for id, kw := range p.pf.keywords() {
				ids[string(kw)] = id
			}
			p.words = (len(p.pf.keywords()) + 63) / 64
			for _, ri := range p.rules {
				var rk []int
				for _, kw := range rules[ri].info.Keywords {
					rk = append(rk, ids[kw])
				}
				p.ruleKW = append(p.ruleKW, rk)
			}
		} else {
			p.ruleKW = make([][]int, len(p.rules))
		}
		plans[k] = p
	}
	return plans
}

func (e *engine) plan(k parser.Kind) *plan {
	if int(k) < len(e.plans) {
		return e.plans[k]
	}
	return nil
}

// hostAgg is the private aggregate of one worker for one host bundle.
type hostAgg struct {
	states   []RuleState // by engine rule index; nil until a line arrives
	failed   []string    // by engine rule index: why the rule panicked ("" = fine)
	files    []fileAgg
	warnings []ReadError
}

type fileAgg struct {
	info     FileInfo
	span     TimeSpan
	unparsed parser.Unparsed
}

// worker is the private state of one concurrent caller of the walk callback.
type worker struct {
	e      *engine
	hosts  map[int]*hostAgg
	buf    []byte
	starts []int
	kwset  []uint64
	hdr    parser.Header
	hdr2   parser.Header
	line   Line
	mctx   MemberCtx

	// ESXi 8 split SCSI records: the joiner holds a "Failed:" record until
	// its status record of the same world arrives; pend remembers their
	// line numbers.
	joiner  parser.ScsiJoiner
	pend    []pendNum
	emitFn  func(rec []byte)
	curHost *hostAgg
	curPlan *plan
	curRec  []byte
	curNum  int64
}

type pendNum struct {
	world int
	num   int64
}

func (e *engine) newWorker() *worker {
	maxWords := 1
	for _, p := range e.plans {
		if p != nil {
			maxWords = max(maxWords, p.words)
		}
	}
	w := &worker{e: e, hosts: map[int]*hostAgg{}, buf: make([]byte, chunkSize), kwset: make([]uint64, maxWords)}
	w.emitFn = w.emit
	return w
}

// emit receives records from the ScsiJoiner: the current record at once,
// or an earlier split record (joined with its status, or flushed alone).
func (w *worker) emit(rec []byte) {
	if len(rec) > 0 && len(w.curRec) > 0 && &rec[0] == &w.curRec[0] {
		w.dispatch(w.curHost, w.curPlan, rec, w.curNum, &w.hdr)
		return
	}
	parser.ParseHeader(firstLine(rec), w.mctx.ref, &w.hdr2)
	k := -1
	for i := len(w.pend) - 1; i >= 0; i-- {
		if w.pend[i].world == w.hdr2.World {
			k = i
			break
		}
	}
	if k < 0 && len(w.pend) > 0 {
		k = 0
	}
	num := w.curNum
	if k >= 0 {
		num = w.pend[k].num
		w.pend = append(w.pend[:k], w.pend[k+1:]...)
	}
	w.dispatch(w.curHost, w.curPlan, rec, num, &w.hdr2)
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

func (w *worker) host(b int) *hostAgg {
	h := w.hosts[b]
	if h == nil {
		h = &hostAgg{states: make([]RuleState, len(w.e.rules)), failed: make([]string, len(w.e.rules))}
		w.hosts[b] = h
	}
	return h
}

// progressCounters are shared, updated once per chunk.
type progressCounters struct {
	mu           sync.Mutex
	files        int64
	bytes, lines int64
}

// scanMember reads one member chunk by chunk and dispatches prefilter hits.
func (w *worker) scanMember(ctx context.Context, m *memberIn, ref time.Time, pc *progressCounters) error {
	h := w.host(m.Bundle)
	fa := fileAgg{info: FileInfo{Path: m.Path, Rel: m.Rel, Seq: m.Seq, Kind: m.kind}}
	if fa.info.Kind == parser.KindUnknown {
		fa.info.Kind = parser.KindOf(m.Rel)
	}
	defer func() {
		h.files = append(h.files, fa)
		if pc != nil {
			pc.mu.Lock()
			pc.files++
			pc.mu.Unlock()
		}
	}()
	w.mctx = MemberCtx{Path: m.Path, Rel: m.Rel, Seq: m.Seq, Bundle: m.Bundle, Kind: fa.info.Kind, MaxEvidence: w.e.opts.MaxEvidence, ref: ref}
	w.pend = w.pend[:0]
	w.joiner.Flush(func([]byte) {}) // nothing pending from another member
	defer func() {
		// Split records still waiting for their status are analysed alone.
		if w.joiner.Pending() > 0 {
			w.curRec = nil
			w.joiner.Flush(w.emitFn)
		}
	}()
	buf := w.buf
	carry := 0
	lineBase := m.lineBase // lines before the current chunk
	var off int64          // member offset of buf[0]
	skipping := false      // discarding the rest of an over-long line
	truncated := 0
	var longOff, longLine int64 // where the first over-long line starts
	first := true
	var p *plan
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := io.ReadFull(m.R, buf[carry:])
		data := buf[:carry+n]
		eof := rerr == io.EOF || rerr == io.ErrUnexpectedEOF
		if rerr != nil && !eof {
			h.warnings = append(h.warnings, ReadError{Path: m.Path, Offset: off + int64(len(data)), Message: fmt.Sprintf("rules: read: %v", rerr)})
			eof = true
		}
		if skipping {
			nl := bytes.IndexByte(data, '\n')
			if nl < 0 {
				off += int64(len(data))
				fa.info.Bytes += int64(len(data))
				carry = 0
				if eof {
					break
				}
				continue
			}
			skipping = false
			fa.info.Bytes += int64(nl + 1)
			off += int64(nl + 1)
			data = data[nl+1:]
			lineBase++ // the truncated line ends here
			fa.info.Lines++
		}
		if first {
			first = false
			if fa.info.Kind == parser.KindUnknown {
				fa.info.Kind = parser.KindOfContent(data[:min(len(data), 4096)])
				w.mctx.Kind = fa.info.Kind
			}
			p = w.e.plan(fa.info.Kind)
			if fa.info.Kind == parser.KindUnknown {
				// Not a file any rule can read (binary, config we do not
				// know): record it, do not inflate the rest.
				fa.info.Bytes = m.Size
				if m.Size < 0 {
					fa.info.Bytes = int64(len(data))
				}
				return nil
			}
		}
		var chunk, tail []byte
		switch {
		case eof:
			chunk = data
		default:
			cut := bytes.LastIndexByte(data, '\n')
			if cut < 0 {
				// One line fills the whole buffer: keep its first chunkSize
				// bytes as the line, discard the rest up to the newline.
				chunk = data
				skipping = true
				if truncated == 0 {
					// The carried tail starts at a line start, so the
					// over-long line begins at buf[0].
					longOff, longLine = off, lineBase+1
				}
				truncated++
			} else {
				end := cut + 1
				if p != nil {
					end = recordCut(data[:cut+1], p.indent)
				}
				chunk, tail = data[:end], data[end:]
			}
		}
		nl := int64(bytes.Count(chunk, []byte{'\n'}))
		lines := nl
		if len(chunk) > 0 && chunk[len(chunk)-1] != '\n' && (eof || skipping) {
			lines++ // unterminated last line (or truncated line)
		}
		w.scanChunk(h, &fa, p, chunk, lineBase, ref)
		if skipping {
			lines-- // counted when its newline arrives
		}
		lineBase += lines
		fa.info.Lines += lines
		fa.info.Bytes += int64(len(chunk))
		off += int64(len(chunk))
		if pc != nil {
			pc.mu.Lock()
			pc.bytes += int64(len(chunk))
			pc.lines += lines
			pc.mu.Unlock()
		}
		carry = copy(buf, tail)
		if eof {
			break
		}
	}
	if skipping {
		fa.info.Lines++
		lineBase++
	}
	if truncated > 0 {
		h.warnings = append(h.warnings, ReadError{Path: m.Path, Offset: longOff,
			Message: fmt.Sprintf("rules: %d line(s) longer than %d bytes truncated (first: line %d)", truncated, chunkSize, longLine)})
	}
	return nil
}

// recordCut returns where to end a chunk of whole lines so that its last
// record (a line and its "-->"/indented continuation lines) moves whole into
// the next chunk: continuation lines read next would otherwise be cut off
// their record at the chunk boundary (no header, no time; a keyword on them
// would see only the fragment). The record must fit maxRecordLines and
// maxRecordBytes, else (and when it starts the chunk) the chunk ends at its
// last newline as before. It costs a backward scan of a few lines per chunk.
func recordCut(lines []byte, indent bool) int {
	n := len(lines)
	ls := bytes.LastIndexByte(lines[:n-1], '\n') + 1 // start of the last line
	for k := 0; k < maxRecordLines; k++ {
		if n-ls > maxRecordBytes || ls == 0 {
			return n
		}
		if !isContinuation(lineAt(lines, ls), indent) {
			return ls
		}
		ls = bytes.LastIndexByte(lines[:ls-1], '\n') + 1
	}
	return n
}

// isContinuation reports whether line continues the previous record, as
// parser.NextRecord has it: a "-->" line of hostd/vpxa/vpxd multi-line
// records, or (indent) a line indented with a space or tab that is not
// blank. ESXi 8 "[+]" records stay separate records: for vmkernel the
// ScsiJoiner attaches a "[+]" status to its split "Failed:" record.
func isContinuation(line []byte, indent bool) bool {
	if len(line) >= 3 && line[0] == '-' && line[1] == '-' && line[2] == '>' {
		return true
	}
	return indent && len(line) > 0 && (line[0] == ' ' || line[0] == '\t') && len(bytes.TrimSpace(line)) > 0
}

// scanChunk runs the prefilter over one chunk (whole lines) and dispatches
// each hit record to the rules bound to its keywords.
func (w *worker) scanChunk(h *hostAgg, fa *fileAgg, p *plan, chunk []byte, lineBase int64, ref time.Time) {
	// Head lines: time span and grammar drift.
	if lineBase < headLines {
		pos, num := 0, lineBase
		for pos < len(chunk) && num < headLines {
			e := bytes.IndexByte(chunk[pos:], '\n')
			end := len(chunk)
			if e >= 0 {
				end = pos + e
			}
			num++
			line := chunk[pos:end]
			if len(line) > 0 {
				if parser.ParseHeader(line, ref, &w.hdr) {
					if w.hdr.HasTime {
						fa.span.Add(w.hdr.Time)
					}
				} else {
					fa.unparsed.Observe(line, num)
				}
			}
			pos = end + 1
		}
	}
	// Last line of the chunk: the latest time of the file so far.
	if end := len(bytes.TrimRight(chunk, "\n")); end > 0 {
		ls := bytes.LastIndexByte(chunk[:end], '\n') + 1
		if parser.ParseHeader(chunk[ls:end], ref, &w.hdr) && w.hdr.HasTime {
			fa.span.Add(w.hdr.Time)
		}
	}
	if p == nil {
		return
	}
	if p.allLines {
		w.starts = w.starts[:0]
		for pos := 0; pos < len(chunk); {
			w.starts = append(w.starts, pos)
			e := bytes.IndexByte(chunk[pos:], '\n')
			if e < 0 {
				break
			}
			pos += e + 1
		}
	} else {
		w.starts = p.pf.hitLines(chunk, w.starts[:0])
	}
	cntPos, cntNum := 0, lineBase // incremental line numbering
	done := 0                     // records end before this offset
	for _, s := range w.starts {
		if s < done {
			continue
		}
		rs := s
		// A hit on a continuation line belongs to the record it continues.
		for k := 0; k < maxRecordLines && rs > 0 && isContinuation(lineAt(chunk, rs), p.indent); k++ {
			prev := bytes.LastIndexByte(chunk[:rs-1], '\n') + 1
			if rs-prev > maxRecordBytes || prev < done {
				break
			}
			rs = prev
		}
		first := lineAt(chunk, rs)
		re := rs + len(first)
		for k := 0; k < maxRecordLines && re+1 < len(chunk) && re-rs < maxRecordBytes; k++ {
			next := lineAt(chunk, re+1)
			if !isContinuation(next, p.indent) {
				break
			}
			re += 1 + len(next)
		}
		done = re + 1
		cntNum += int64(bytes.Count(chunk[cntPos:rs], []byte{'\n'}))
		cntPos = rs
		num := cntNum + 1
		rec := chunk[rs:re]
		if !parser.ParseHeader(first, ref, &w.hdr) && num > headLines {
			fa.unparsed.Observe(first, num)
		}
		if w.hdr.HasTime {
			if (!w.e.opts.Since.IsZero() && w.hdr.Time.Before(w.e.opts.Since)) ||
				(!w.e.opts.Until.IsZero() && w.hdr.Time.After(w.e.opts.Until)) {
				continue
			}
		}
		if !p.join {
			w.dispatch(h, p, rec, num, &w.hdr)
			continue
		}
		w.curHost, w.curPlan, w.curRec, w.curNum = h, p, rec, num
		w.joiner.Feed(&w.hdr, rec, w.emitFn)
		if splitFailed(w.hdr.Body, rec) {
			// Held by the joiner (appended after Feed: an eviction during
			// Feed must find only older entries).
			w.pend = append(w.pend, pendNum{world: w.hdr.World, num: num})
		}
		w.curRec = nil
	}
}

// splitFailed mirrors the joiner's test for an ESXi 8 record that ends at
// "Failed:" (its status follows in a later record).
func splitFailed(body, rec []byte) bool {
	if body == nil {
		body = rec
	}
	t := bytes.TrimSpace(body)
	return bytes.HasSuffix(t, []byte("Failed:")) && bytes.Contains(t, []byte("Cmd"))
}

// lineAt returns the line starting at pos, without its newline.
func lineAt(chunk []byte, pos int) []byte {
	if e := bytes.IndexByte(chunk[pos:], '\n'); e >= 0 {
		return chunk[pos : pos+e]
	}
	return chunk[pos:]
}

func (w *worker) dispatch(h *hostAgg, p *plan, rec []byte, num int64, hdr *parser.Header) {
	set := w.kwset[:p.words]
	clear(set)
	if p.pf != nil {
		p.pf.lineKeywords(rec, set)
	}
	w.line = Line{Member: &w.mctx, Num: num, Text: rec, Header: hdr, Keyword: -1}
	for i, ri := range p.rules {
		kw := -1
		rk := p.ruleKW[i]
		if len(rk) > 0 {
			for j, id := range rk {
				if set[id>>6]&(1<<(id&63)) != 0 {
					kw = j
					break
				}
			}
			if kw < 0 {
				continue
			}
		}
		if h.failed[ri] != "" {
			continue
		}
		st := h.states[ri]
		if st == nil {
			st = w.e.rules[ri].newState()
			h.states[ri] = st
		}
		w.line.Keyword = kw
		if msg := safeObserve(st, &w.line); msg != "" {
			h.failed[ri] = fmt.Sprintf("rule failed on %s line %d: %s", w.mctx.Path, num, msg)
		}
	}
}

// safeObserve shields the analysis from a rule that panics on a line: the
// rule stops observing on this host and reports not-evaluable with the
// reason; every other rule goes on.
func safeObserve(st RuleState, l *Line) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	st.Observe(l)
	return ""
}

// hostMeta is what the engine knows about a host bundle besides its lines.
type hostMeta struct {
	Host, Version, Build string
	CollectedAt          time.Time
}

// hostResult is the finished analysis of one host bundle.
type hostResult struct {
	Files    int
	Bytes    int64
	Lines    int64
	First    time.Time
	Last     time.Time
	Unparsed []UnparsedFile
	Findings []Finding
	Statuses []RuleStatus
	Devices  []DeviceRow
	Warnings []ReadError
}

// run walks the members with up to opts.Workers concurrent callbacks, each
// using a private worker, and returns the merged aggregates by bundle index.
func (e *engine) run(ctx context.Context, walk walkFunc, ref func(bundle int) time.Time, pc *progressCounters) (map[int]*hostAgg, error) {
	var mu sync.Mutex
	var free, all []*worker
	get := func() *worker {
		mu.Lock()
		defer mu.Unlock()
		if n := len(free); n > 0 {
			w := free[n-1]
			free = free[:n-1]
			return w
		}
		w := e.newWorker()
		all = append(all, w)
		return w
	}
	put := func(w *worker) {
		mu.Lock()
		free = append(free, w)
		mu.Unlock()
	}
	err := walk(ctx, func(m *memberIn) error {
		w := get()
		defer put(w)
		return w.scanMember(ctx, m, ref(m.Bundle), pc)
	})
	if err != nil {
		return nil, err
	}
	// Merge: states are order-independent by contract; files are sorted later.
	out := map[int]*hostAgg{}
	for _, w := range all {
		for b, h := range w.hosts {
			dst := out[b]
			if dst == nil {
				out[b] = h
				continue
			}
			for ri, st := range h.states {
				switch {
				case st == nil:
				case dst.states[ri] == nil:
					dst.states[ri] = st
				default:
					dst.states[ri].Merge(st)
				}
			}
			for ri, f := range h.failed {
				if f != "" && (dst.failed[ri] == "" || f < dst.failed[ri]) {
					dst.failed[ri] = f
				}
			}
			dst.files = append(dst.files, h.files...)
			dst.warnings = append(dst.warnings, h.warnings...)
		}
	}
	return out, nil
}

// finish turns the merged aggregate of one host into its result.
func (e *engine) finish(h *hostAgg, meta hostMeta) hostResult {
	if h == nil {
		h = &hostAgg{states: make([]RuleState, len(e.rules)), failed: make([]string, len(e.rules))}
	}
	sort.Slice(h.files, func(i, j int) bool { return h.files[i].info.Seq < h.files[j].info.Seq })
	sort.Slice(h.warnings, func(i, j int) bool {
		a, b := h.warnings[i], h.warnings[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Offset < b.Offset
	})
	var r hostResult
	hc := &HostCtx{Host: meta.Host, Version: meta.Version, Build: meta.Build, CollectedAt: meta.CollectedAt,
		Kinds: map[parser.Kind]int{}, MaxEvidence: e.opts.MaxEvidence}
	var span TimeSpan
	for _, f := range h.files {
		r.Files++
		r.Bytes += max(f.info.Bytes, 0)
		r.Lines += f.info.Lines
		span.Merge(f.span)
		hc.Files = append(hc.Files, f.info)
		if f.info.Kind != parser.KindUnknown {
			hc.Kinds[f.info.Kind]++
		}
		if f.unparsed.Count > 0 {
			r.Unparsed = append(r.Unparsed, UnparsedFile{Path: f.info.Path, Kind: f.info.Kind.String(),
				Count: f.unparsed.Count, Sample: string(f.unparsed.Sample)})
		}
	}
	r.First, r.Last = span.First, span.Last
	r.Warnings = h.warnings
	for ri := range e.rules {
		info := &e.rules[ri].info
		st := h.states[ri]
		if st == nil {
			st = e.rules[ri].newState()
		}
		if h.failed[ri] != "" {
			r.Statuses = append(r.Statuses, RuleStatus{RuleID: info.ID, State: StateNotEvaluable, Reason: h.failed[ri]})
			continue
		}
		fs, status := safeFinish(st, hc)
		for i := range fs {
			f := &fs[i]
			if f.RuleID == "" {
				f.RuleID = info.ID
			}
			if f.Title == "" {
				f.Title = info.Title
			}
			if f.Fingerprint == "" {
				f.Fingerprint = Fingerprint(f.RuleID, meta.Host, f.Object)
			}
		}
		status.RuleID = info.ID
		switch {
		case len(fs) > 0:
			status.State, status.Reason = StateFired, ""
		case status.State == StateNotEvaluable:
			if status.Reason == "" {
				status.Reason = notEvaluableReason(info)
			}
		case !hc.Seen(info.Kinds...):
			status.State, status.Reason = StateNotEvaluable, notEvaluableReason(info)
		default:
			status.State = StateClear
		}
		r.Findings = append(r.Findings, fs...)
		r.Statuses = append(r.Statuses, status)
	}
	sortFindings(r.Findings)
	r.Devices = hc.devices
	sort.SliceStable(r.Devices, func(i, j int) bool {
		a, b := r.Devices[i], r.Devices[j]
		if a.Device != b.Device {
			return a.Device < b.Device
		}
		return a.Class < b.Class
	})
	return r
}

// safeFinish shields the report from a rule that panics: the rule is
// reported not-evaluable with the reason, the other rules still run.
func safeFinish(st RuleState, hc *HostCtx) (fs []Finding, status RuleStatus) {
	defer func() {
		if r := recover(); r != nil {
			fs = nil
			status = RuleStatus{State: StateNotEvaluable, Reason: fmt.Sprintf("rule failed: %v", r)}
		}
	}()
	return st.Finish(hc)
}

func notEvaluableReason(info *RuleInfo) string {
	if info.Needs != "" {
		return "no " + info.Needs + " in bundle"
	}
	var names []string
	for _, k := range info.Kinds {
		names = append(names, k.String())
	}
	if len(names) == 1 {
		return "no " + names[0] + " file in bundle"
	}
	return "none of " + joinOr(names) + " in bundle"
}

func joinOr(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	out := s[0]
	for _, x := range s[1 : len(s)-1] {
		out += ", " + x
	}
	return out + " or " + s[len(s)-1]
}

// sortFindings orders by severity desc, First asc (zero last), RuleID, Fingerprint.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if !a.First.Equal(b.First) {
			if a.First.IsZero() || b.First.IsZero() {
				return b.First.IsZero()
			}
			return a.First.Before(b.First)
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Fingerprint < b.Fingerprint
	})
}
