package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/parser"
)

// testRules is a small catalog exercising every TOML feature.
const testRules = `
[[rule]]
id = "apd-timeout"
severity = "error"
title = "All paths down timeout"
kinds = ["vmkernel", "vobd"]
keywords = ["APD timeout", "apd.timeout"]
regexp = '''[Dd]evice "?(?P<object>naa\.[0-9a-f]+)'''
group_by = "object"
remediation = ["Check the array and the fabric."]
needs = "vmkernel or vobd log"
[[rule.sample]]
line = '2024-03-07T10:15:01.123Z cpu3:2097)WARNING: APD timeout on device "naa.600a0b80001" after 140 seconds'
match = true
[[rule.sample]]
line = '2024-03-07T10:15:01.123Z cpu3:2097)APD timeout for path only'
match = false

[[rule]]
id = "hostd-nospace"
severity = "warning"
title = "hostd cannot write"
kinds = ["hostd"]
keywords = ["No space left"]
remediation = ["Free the ramdisk."]

[[rule]]
id = "vpxa-thing"
severity = "info"
title = "needs vpxa"
kinds = ["vpxa"]
keywords = ["something vpxa says"]
`

func testCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := ParseRules("test.toml", []byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type fakeMember struct {
	bundle int
	rel    string
	text   []byte
}

// fakeWalk delivers members from workers goroutines, like bundles.Source.Walk.
func fakeWalk(ms []fakeMember, workers int) walkFunc {
	return func(ctx context.Context, fn func(m *memberIn) error) error {
		ch := make(chan int)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var first error
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range ch {
					m := ms[i]
					err := fn(&memberIn{Bundle: m.bundle, Path: "bundle.tgz!" + m.rel, Rel: m.rel, Seq: i, Size: int64(len(m.text)), R: bytes.NewReader(m.text)})
					if err != nil {
						mu.Lock()
						if first == nil {
							first = err
						}
						mu.Unlock()
					}
				}
			}()
		}
		for i := range ms {
			ch <- i
		}
		close(ch)
		wg.Wait()
		return first
	}
}

func runFake(t testing.TB, cat *Catalog, ms []fakeMember, workers int, opts Options) []hostResult {
	t.Helper()
	opts.Catalog, opts.Workers = cat, workers
	e, err := newEngine(cat, opts)
	if err != nil {
		t.Fatal(err)
	}
	aggs, err := e.run(context.Background(), fakeWalk(ms, workers), func(int) time.Time {
		return time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	nb := 0
	for _, m := range ms {
		nb = max(nb, m.bundle+1)
	}
	out := make([]hostResult, nb)
	for b := range out {
		out[b] = e.finish(aggs[b], hostMeta{Host: fmt.Sprintf("esx%d", b+1)})
	}
	return out
}

func status(r hostResult, id string) RuleStatus {
	for _, s := range r.Statuses {
		if s.RuleID == id {
			return s
		}
	}
	return RuleStatus{}
}

func TestEngineFindingsAndStatuses(t *testing.T) {
	vmk := "2024-03-07T10:00:00.000Z cpu1:1)boot\n" +
		"2024-03-07T10:15:01.000Z cpu3:2097)WARNING: APD timeout on device \"naa.600a0b80001\" after 140 seconds\n" +
		"2024-03-07T10:15:02.000Z cpu3:2097)noise line\n" +
		"2024-03-07T10:16:01.000Z cpu3:2097)WARNING: APD timeout on device \"naa.600a0b80002\" after 140 seconds\n" +
		"2024-03-07T10:17:01.000Z cpu3:2097)WARNING: APD timeout on device \"naa.600a0b80001\" after 140 seconds\n"
	hostd := "2024-03-07T11:00:00.000Z info hostd[123] [Originator@6876 sub=Default] all fine\n"
	ms := []fakeMember{
		{0, "var/run/log/vmkernel.log", []byte(vmk)},
		{0, "var/run/log/hostd.log", []byte(hostd)},
	}
	r := runFake(t, testCatalog(t), ms, 2, Options{})[0]
	if len(r.Findings) != 2 {
		t.Fatalf("findings = %d, want 2: %+v", len(r.Findings), r.Findings)
	}
	f := r.Findings[0]
	if f.RuleID != "apd-timeout" || f.Object != "naa.600a0b80001" || f.Count != 2 || f.Severity != SeverityError {
		t.Errorf("first finding = %+v", f)
	}
	if want := time.Date(2024, 3, 7, 10, 15, 1, 0, time.UTC); !f.First.Equal(want) {
		t.Errorf("First = %v, want %v", f.First, want)
	}
	if len(f.Evidence) != 2 || f.Evidence[0].Line != 2 || f.Evidence[1].Line != 5 || f.Evidence[0].Path != "bundle.tgz!var/run/log/vmkernel.log" {
		t.Errorf("evidence = %+v", f.Evidence)
	}
	if f.Fingerprint != Fingerprint("apd-timeout", "esx1", "naa.600a0b80001") || len(f.Fingerprint) != 16 {
		t.Errorf("fingerprint = %q", f.Fingerprint)
	}
	if got := r.Findings[1].Object; got != "naa.600a0b80002" {
		t.Errorf("second object = %q", got)
	}
	for id, want := range map[string]string{"apd-timeout": StateFired, "hostd-nospace": StateClear, "vpxa-thing": StateNotEvaluable} {
		if s := status(r, id); s.State != want {
			t.Errorf("%s: state %q, want %q (%+v)", id, s.State, want, s)
		}
	}
	if s := status(r, "vpxa-thing"); s.Reason != "no vpxa file in bundle" {
		t.Errorf("reason = %q", s.Reason)
	}
	if r.Files != 2 || r.Lines != 6 || r.Bytes != int64(len(vmk)+len(hostd)) {
		t.Errorf("files/lines/bytes = %d/%d/%d", r.Files, r.Lines, r.Bytes)
	}
	if !r.First.Equal(time.Date(2024, 3, 7, 10, 0, 0, 0, time.UTC)) || !r.Last.Equal(time.Date(2024, 3, 7, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("span = %v .. %v", r.First, r.Last)
	}
}

func TestFingerprint(t *testing.T) {
	a := Fingerprint("r", "h", "o")
	if len(a) != 16 || a != Fingerprint("r", "h", "o") || a == Fingerprint("r", "h", "o2") || Fingerprint("r", "ho", "") == Fingerprint("r", "h", "o") {
		t.Fatalf("fingerprint not stable or not separated: %q", a)
	}
}

func TestSortFindings(t *testing.T) {
	t1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	fs := []Finding{
		{RuleID: "b", Severity: SeverityWarning, First: t1},
		{RuleID: "a", Severity: SeverityCritical},
		{RuleID: "c", Severity: SeverityCritical, First: t1},
		{RuleID: "a", Severity: SeverityWarning, First: t1, Fingerprint: "2"},
		{RuleID: "a", Severity: SeverityWarning, First: t1, Fingerprint: "1"},
	}
	sortFindings(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.RuleID+f.Fingerprint)
	}
	if strings.Join(got, ",") != "c,a,a1,a2,b" {
		t.Fatalf("order = %v", got)
	}
}

// manyMembers builds a bundle-like set of noise members with hits spread
// over them, on two hosts.
func manyMembers(n int) []fakeMember {
	var ms []fakeMember
	for i := 0; i < n; i++ {
		text := noiseText(64<<10, uint64(i))
		var b bytes.Buffer
		for j, l := range bytes.SplitAfter(text, []byte("\n")) {
			b.Write(l)
			if j%(50+i) == 7 {
				fmt.Fprintf(&b, "2024-03-07T10:%02d:%02d.000Z cpu3:2097)WARNING: APD timeout on device \"naa.%x\" after 140 seconds\n", j%60, i%60, j%5)
			}
		}
		rel := fmt.Sprintf("var/run/log/vmkernel.%d", i)
		if i%3 == 0 {
			rel = fmt.Sprintf("var/run/log/hostd.%d", i)
			b.WriteString("2024-03-07T12:00:00.000Z error hostd[1] [Originator@6876 sub=Default] write failed: No space left on device\n")
		}
		ms = append(ms, fakeMember{bundle: i % 2, rel: rel, text: b.Bytes()})
	}
	return ms
}

func TestDeterminismWorkers(t *testing.T) {
	ms := manyMembers(24)
	cat := testCatalog(t)
	one, _ := json.Marshal(runFake(t, cat, ms, 1, Options{MaxEvidence: 3}))
	for i := 0; i < 3; i++ {
		four, _ := json.Marshal(runFake(t, cat, ms, 4, Options{MaxEvidence: 3}))
		if !bytes.Equal(one, four) {
			t.Fatalf("Workers 1 and 4 differ:\n%s\n%s", one, four)
		}
	}
	var rs []hostResult
	_ = json.Unmarshal(one, &rs)
	if len(rs) != 2 || len(rs[0].Findings) == 0 || len(rs[0].Findings[0].Evidence) != 3 {
		t.Fatalf("unexpected result: %s", one)
	}
}

// TestChunkBoundary puts a hit line across the 1 MiB chunk boundary.
func TestChunkBoundary(t *testing.T) {
	hit := "2024-03-07T10:15:01.000Z cpu3:2097)WARNING: APD timeout on device \"naa.600a0b8000b\" after 140 seconds\n"
	for _, split := range []int{1, 20, 50, len(hit) - 1} {
		noise := noiseText(chunkSize+4096, 3)
		// Cut noise at a line end so that the hit line starts split bytes before the boundary.
		pre := noise[:chunkSize-split]
		cut := bytes.LastIndexByte(pre, '\n') + 1
		pad := bytes.Repeat([]byte("x"), chunkSize-split-cut-1)
		var b bytes.Buffer
		b.Write(noise[:cut])
		b.Write(pad)
		b.WriteByte('\n')
		lineNo := int64(bytes.Count(b.Bytes(), []byte("\n")) + 1)
		b.WriteString(hit)
		b.Write(noise[cut:])
		if b.Len() < chunkSize+100 || bytes.Index(b.Bytes(), []byte(hit)) != chunkSize-split {
			t.Fatalf("bad fixture")
		}
		r := runFake(t, testCatalog(t), []fakeMember{{0, "var/log/vmkernel.log", b.Bytes()}}, 1, Options{})[0]
		if len(r.Findings) != 1 || r.Findings[0].Evidence[0].Line != lineNo || r.Findings[0].Evidence[0].Text != strings.TrimSuffix(hit, "\n") {
			t.Fatalf("split %d: findings %+v, want line %d", split, r.Findings, lineNo)
		}
		if r.Lines != int64(bytes.Count(b.Bytes(), []byte("\n"))) {
			t.Errorf("split %d: lines = %d, want %d", split, r.Lines, bytes.Count(b.Bytes(), []byte("\n")))
		}
	}
}

func TestLongLineTruncated(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("2024-03-07T10:00:00.000Z cpu1:1)first\n")
	b.WriteString("2024-03-07T10:15:01.000Z cpu3:2097)WARNING: APD timeout on device \"naa.1\" ")
	b.Write(bytes.Repeat([]byte("y"), 3*chunkSize))
	b.WriteString(" APD timeout on device \"naa.2\" at the far end\n")
	b.WriteString("2024-03-07T10:16:01.000Z cpu3:2097)WARNING: APD timeout on device \"naa.3\" after 1 s\n")
	r := runFake(t, testCatalog(t), []fakeMember{{0, "var/log/vmkernel.log", b.Bytes()}}, 1, Options{})[0]
	objs := map[string]int64{}
	for _, f := range r.Findings {
		objs[f.Object] = f.Evidence[0].Line
	}
	if objs["naa.1"] != 2 || objs["naa.3"] != 3 || len(objs) != 2 {
		t.Fatalf("objects = %v (the far end of a truncated line must be dropped, lines counted right)", objs)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].Message, "1 line(s) longer than") {
		t.Fatalf("warnings = %+v", r.Warnings)
	}
	if first := int64(len("2024-03-07T10:00:00.000Z cpu1:1)first\n")); r.Warnings[0].Offset != first || !strings.Contains(r.Warnings[0].Message, "(first: line 2)") {
		t.Errorf("warning %+v: want offset %d and line 2 (where the long line starts)", r.Warnings[0], first)
	}
	if r.Lines != 3 {
		t.Errorf("lines = %d, want 3", r.Lines)
	}
	if ev := r.Findings[0].Evidence[0].Text; len(ev) > maxEvidenceText {
		t.Errorf("evidence text %d bytes, want <= %d", len(ev), maxEvidenceText)
	}
}

func TestContinuationJoined(t *testing.T) {
	cat, err := ParseRules("c.toml", []byte(`
[[rule]]
id = "fault"
severity = "warning"
title = "fault"
kinds = ["hostd"]
keywords = ["vim.fault.MethodDisabled"]
regexp = '''(?s)who\s*=\s*"(?P<object>[^"]+)"'''
`))
	if err != nil {
		t.Fatal(err)
	}
	text := "2024-03-07T10:00:00.000Z info hostd[1] [Originator@6876 sub=Vimsvc] start\n" +
		"2024-03-07T10:00:01.000Z info hostd[1] [Originator@6876 sub=Vmsvc opID=x] Task failed\n" +
		"--> (vim.fault.MethodDisabled) {\n" +
		"-->    source = \"com.example.backup\",\n" +
		"-->    who = \"com.example.backup\"\n" +
		"--> }\n" +
		"2024-03-07T10:00:02.000Z info hostd[1] [Originator@6876 sub=Vimsvc] next\n"
	r := runFake(t, cat, []fakeMember{{0, "var/log/hostd.log", []byte(text)}}, 1, Options{})[0]
	if len(r.Findings) != 1 {
		t.Fatalf("findings = %+v", r.Findings)
	}
	f := r.Findings[0]
	if f.Count != 1 || f.Evidence[0].Line != 2 || !strings.Contains(f.Evidence[0].Text, "--> }") || f.Summary == "" {
		t.Fatalf("finding = %+v", f)
	}
	if !strings.Contains(f.Summary, "com.example.backup (1)") {
		t.Errorf("summary = %q", f.Summary)
	}
}

func TestSinceUntil(t *testing.T) {
	ms := []fakeMember{{0, "var/log/vmkernel.log", []byte(
		"2024-03-07T10:15:01.000Z cpu3:2097)APD timeout on device naa.1\n" +
			"2024-03-08T10:15:01.000Z cpu3:2097)APD timeout on device naa.2\n")}}
	r := runFake(t, testCatalog(t), ms, 1, Options{Since: time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)})[0]
	if len(r.Findings) != 1 || r.Findings[0].Object != "naa.2" {
		t.Fatalf("findings = %+v", r.Findings)
	}
}

func TestUnknownMemberNotRead(t *testing.T) {
	bin := append([]byte{0x7f, 'E', 'L', 'F', 0, 0}, bytes.Repeat([]byte{0, 1, 2}, 1000)...)
	r := runFake(t, testCatalog(t), []fakeMember{{0, "var/core/hostd-zdump.000", bin}}, 1, Options{})[0]
	if r.Files != 1 || r.Lines != 0 || r.Bytes != int64(len(bin)) {
		t.Fatalf("files/lines/bytes = %d/%d/%d", r.Files, r.Lines, r.Bytes)
	}
}

// goRuleProbe is a Go rule that records what it sees.
type goRuleProbe struct{}

type probeState struct {
	n   int
	kws map[int]int
	ev  EvidenceSet
}

func (goRuleProbe) Info() RuleInfo {
	return RuleInfo{ID: "probe", Title: "probe", Severity: SeverityCritical, Kinds: []parser.Kind{parser.KindVmkernel},
		Keywords: []string{"first keyword", "second keyword"}}
}
func (goRuleProbe) NewState() RuleState { return &probeState{kws: map[int]int{}} }
func (s *probeState) Observe(l *Line) {
	s.n++
	s.kws[l.Keyword]++
	s.ev.Add(l)
}
func (s *probeState) Merge(o RuleState) {
	p := o.(*probeState)
	s.n += p.n
	for k, v := range p.kws {
		s.kws[k] += v
	}
	s.ev.Merge(&p.ev)
}
func (s *probeState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	if s.n == 0 {
		return nil, RuleStatus{}
	}
	h.AddDevices(DeviceRow{Device: "naa.z", Class: "other", Count: s.n})
	return []Finding{{Severity: SeverityCritical, Count: s.n, Evidence: s.ev.Items(),
		Facts: map[string]string{"kw0": fmt.Sprint(s.kws[0]), "kw1": fmt.Sprint(s.kws[1])}}}, RuleStatus{}
}

func TestGoRuleDispatch(t *testing.T) {
	cat := &Catalog{}
	g := goRuleProbe{}
	if err := cat.add(ruleEntry{info: g.Info(), newState: g.NewState}); err != nil {
		t.Fatal(err)
	}
	text := "a first keyword b\nnone\nsecond keyword then first keyword\nsecond keyword\n"
	r := runFake(t, cat, []fakeMember{{0, "var/log/vmkernel.log", []byte(text)}}, 1, Options{})[0]
	if len(r.Findings) != 1 {
		t.Fatalf("findings = %+v", r.Findings)
	}
	f := r.Findings[0]
	// Keyword is the lowest rule-local index present on the line.
	if f.Count != 3 || f.Facts["kw0"] != "2" || f.Facts["kw1"] != "1" || f.RuleID != "probe" || f.Fingerprint == "" {
		t.Fatalf("finding = %+v", f)
	}
	if len(r.Devices) != 1 || r.Devices[0].Device != "naa.z" {
		t.Fatalf("devices = %+v", r.Devices)
	}
}

func TestEvidenceSetOrder(t *testing.T) {
	mk := func(seq int, num int64) *Line {
		return &Line{Member: &MemberCtx{Seq: seq, Path: fmt.Sprint(seq), MaxEvidence: 3}, Num: num, Text: []byte("x")}
	}
	var a, b EvidenceSet
	for _, l := range []*Line{mk(2, 1), mk(1, 9), mk(3, 1)} {
		a.Add(l)
	}
	for _, l := range []*Line{mk(1, 2), mk(1, 9), mk(0, 5)} {
		b.Add(l)
	}
	a.Merge(&b)
	var got []string
	for _, e := range a.Items() {
		got = append(got, fmt.Sprintf("%s:%d", e.Path, e.Line))
	}
	if strings.Join(got, " ") != "0:5 1:2 1:9" || a.Total() != 6 {
		t.Fatalf("items = %v total %d", got, a.Total())
	}
}

func TestAnalyzeText(t *testing.T) {
	snippet := "  2024-03-07T10:15:01.123Z cpu3:2097)WARNING: APD timeout on device \u201cnaa.600a0b80001\u201d after 140 seconds\r\n" +
		"  2024-03-07T10:15:02.123Z cpu3:2097)other\r\n"
	rep, err := AnalyzeText(context.Background(), "stdin", []byte(snippet), Options{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Hosts) != 1 || len(rep.Hosts[0].Findings) != 1 || len(rep.Notes) == 0 {
		t.Fatalf("report = %+v", rep)
	}
	if f := rep.Hosts[0].Findings[0]; f.Object != "naa.600a0b80001" || f.Evidence[0].Line != 1 {
		t.Errorf("finding = %+v", f)
	}
	if rep.Hosts[0].Bundle.Kind != bundles.KindSnippet || rep.Schema != ReportSchema {
		t.Errorf("bundle = %+v", rep.Hosts[0].Bundle)
	}
}

func TestSplitByKind(t *testing.T) {
	text := "2024-03-07T10:15:01.123Z cpu3:2097)vmk line\n" +
		"2024-03-07T10:15:01.123Z cpu3:2097)vmk line 2\n" +
		"2014-01-17T04:55:50.347Z [7F03ECE76700 verbose 'Default' opID=2140bc71] hostd line\n" +
		"--> continuation\n"
	runs := splitByKind([]byte(text))
	var got []string
	for _, r := range runs {
		got = append(got, fmt.Sprintf("%s@%d", r.kind, r.lineBase))
	}
	if len(runs) < 1 || runs[0].kind != parser.KindVmkernel {
		t.Fatalf("runs = %v", got)
	}
	total := 0
	for _, r := range runs {
		total += len(r.text)
	}
	if total != len(text) {
		t.Fatalf("runs cover %d of %d bytes: %v", total, len(text), got)
	}
}

// TestAnalyzeFolder runs Analyze over a real bundles.Source (a folder bundle).
func TestAnalyzeFolder(t *testing.T) {
	dir := writeDirBundle(t, t.TempDir(), 1<<20)
	src, err := bundles.Open(context.Background(), dir, bundles.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	rep, err := Analyze(context.Background(), src, Options{Catalog: testCatalog(t), Workers: 2, Progress: func(Progress) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Hosts) != 1 || calls == 0 {
		t.Fatalf("hosts = %d, progress calls = %d", len(rep.Hosts), calls)
	}
	h := rep.Hosts[0]
	if h.Files != 3 || h.Lines == 0 || len(h.Findings) != 1 || h.Findings[0].RuleID != "hostd-nospace" {
		t.Fatalf("host = files %d lines %d findings %+v statuses %+v", h.Files, h.Lines, h.Findings, h.Statuses)
	}
	if s := h.Statuses; len(s) != 3 || s[0].RuleID != "apd-timeout" || s[0].State != StateClear {
		t.Errorf("statuses = %+v", s)
	}
}

// writeDirBundle writes an extracted vm-support folder of about size bytes
// of noise with one hostd problem line.
func writeDirBundle(tb testing.TB, dir string, size int) string {
	tb.Helper()
	root := filepath.Join(dir, "esx-host1-2024-03-08--10.00-12345")
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "var/run/log"), 0o755))
	must(os.MkdirAll(filepath.Join(root, "commands"), 0o755))
	must(os.WriteFile(filepath.Join(root, "var/run/log/vmkernel.log"), noiseText(size, 1), 0o644))
	hostd := append(noiseText(size/4, 2), "2024-03-07T12:00:00.000Z error hostd[1] [Originator@6876 sub=Default] write failed: No space left on device\n"...)
	must(os.WriteFile(filepath.Join(root, "var/run/log/hostd.log"), hostd, 0o644))
	must(os.WriteFile(filepath.Join(root, "commands/uname_-a.txt"), []byte("VMkernel host1 6.7.0 #1 SMP Release build-8169922\n"), 0o644))
	return dir
}

// TestScsiJoinerSplit: an ESXi 8 split "Failed:" record and its status
// record of the same world reach the rule as one record, numbered by the
// first line; an unrelated record in between is analysed on its own.
func TestScsiJoinerSplit(t *testing.T) {
	cat := &Catalog{}
	g := goRuleProbe{}
	info := g.Info()
	info.Keywords = []string{"nmp_ThrottleLogForDevice", "H:0x"}
	if err := cat.add(ruleEntry{info: info, newState: g.NewState}); err != nil {
		t.Fatal(err)
	}
	text := "2023-08-08T15:08:36.000Z In(182) vmkernel: cpu3:2098)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x28 (0x45b8c1) 0x28, CmdSN 0x1 from world 2099 to dev \"naa.1\" on path \"vmhba2:C0:T1:L1\" Failed:\n" +
		"2023-08-08T15:08:36.001Z In(182) vmkernel: cpu1:2000)other world H:0x0 D:0x2 P:0x0 nothing to join Cmd 0x12\n" +
		"2023-08-08T15:08:36.002Z In(182) vmkernel: cpu3:2098)NMP: nmp_ThrottleLogForDevice:3901: H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe. Act:NONE\n"
	r := runFake(t, cat, []fakeMember{{0, "var/run/log/vmkernel.log", []byte(text)}}, 1, Options{})[0]
	if len(r.Findings) != 1 {
		t.Fatalf("findings = %+v", r.Findings)
	}
	ev := r.Findings[0].Evidence
	if r.Findings[0].Count != 2 || len(ev) != 2 || ev[0].Line != 1 || ev[1].Line != 2 ||
		!strings.Contains(ev[0].Text, "Failed: NMP: nmp_ThrottleLogForDevice:3901: H:0x0") {
		t.Fatalf("evidence = %+v", ev)
	}
	// A split record whose status never comes is analysed alone at the end.
	r = runFake(t, cat, []fakeMember{{0, "var/run/log/vmkernel.log", []byte(strings.SplitAfter(text, "\n")[0])}}, 1, Options{})[0]
	if len(r.Findings) != 1 || r.Findings[0].Evidence[0].Line != 1 {
		t.Fatalf("flushed: %+v", r.Findings)
	}
}

// TestIndentedContinuation: indented lines belong to the record above them
// in logs, but not in tables (vdf rows are records of their own).
func TestIndentedContinuation(t *testing.T) {
	cat, err := ParseRules("i.toml", []byte(`
[[rule]]
id = "ind"
severity = "info"
title = "ind"
kinds = ["hostd", "vdf"]
keywords = ["needle-word"]
`))
	if err != nil {
		t.Fatal(err)
	}
	text := "2024-03-07T10:00:01.000Z info hostd[1] [Originator@6876 sub=Vmsvc] head line\n" +
		"    at frame needle-word\n" +
		"\tat frame 2\n" +
		"2024-03-07T10:00:02.000Z info hostd[1] [Originator@6876 sub=Vmsvc] next\n"
	r := runFake(t, cat, []fakeMember{
		{0, "var/log/hostd.log", []byte(text)},
		{0, "commands/vdf_-h.txt", []byte("Ramdisk  Size\n  needle-word 1\n")},
	}, 1, Options{})[0]
	if len(r.Findings) != 1 || r.Findings[0].Count != 2 {
		t.Fatalf("findings = %+v", r.Findings)
	}
	ev := r.Findings[0].Evidence
	if ev[0].Line != 1 || !strings.HasSuffix(ev[0].Text, "\tat frame 2") || ev[1].Line != 2 || ev[1].Text != "  needle-word 1" {
		t.Fatalf("evidence = %+v", ev)
	}
}

type panicRule struct{}
type panicState struct{}

func (panicRule) Info() RuleInfo {
	return RuleInfo{ID: "boom", Title: "boom", Kinds: []parser.Kind{parser.KindVmkernel}, Keywords: []string{"explode here"}}
}
func (panicRule) NewState() RuleState                      { return panicState{} }
func (panicState) Observe(l *Line)                         { panic("index out of range") }
func (panicState) Merge(RuleState)                         {}
func (panicState) Finish(*HostCtx) ([]Finding, RuleStatus) { return nil, RuleStatus{} }

// TestRulePanicIsolated: a rule that panics is reported not-evaluable with
// the reason; the other rules still report.
func TestRulePanicIsolated(t *testing.T) {
	cat := testCatalog(t)
	if err := cat.add(ruleEntry{info: panicRule{}.Info(), newState: panicRule{}.NewState}); err != nil {
		t.Fatal(err)
	}
	text := "2024-03-07T10:15:01.000Z cpu3:2097)explode here\n" +
		"2024-03-07T10:15:02.000Z cpu3:2097)WARNING: APD timeout on device \"naa.1\" after 140 seconds\n"
	r := runFake(t, cat, []fakeMember{{0, "var/log/vmkernel.log", []byte(text)}}, 1, Options{})[0]
	if s := status(r, "boom"); s.State != StateNotEvaluable || !strings.Contains(s.Reason, "line 1: index out of range") {
		t.Fatalf("status = %+v", s)
	}
	if s := status(r, "apd-timeout"); s.State != StateFired {
		t.Fatalf("apd status = %+v", s)
	}
}

// TestNoAllocsOnNoise: scanning a chunk of lines without a keyword hit
// (prefilter, line counting, head/last-line header parsing) allocates
// nothing, with the built-in catalog and with 50 more keywords.
func TestNoAllocsOnNoise(t *testing.T) {
	text := noiseText(chunkSize, 21)
	text = text[:bytes.LastIndexByte(text, '\n')+1]
	for _, cat := range []*Catalog{Builtin(), benchCatalog(t)} {
		e, err := newEngine(cat, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		w := e.newWorker()
		h := w.host(0)
		fa := &fileAgg{}
		p := e.plan(parser.KindVmkernel)
		ref := time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)
		w.scanChunk(h, fa, p, text, 1000, ref) // warm up
		for ri, st := range h.states {
			if st != nil {
				t.Fatalf("rule %s saw a noise line", e.rules[ri].info.ID)
			}
		}
		if n := testing.AllocsPerRun(20, func() { w.scanChunk(h, fa, p, text, 1000, ref) }); n != 0 {
			t.Fatalf("%v allocations per noise chunk", n)
		}
	}
}

// TestContinuationAcrossChunks: a record whose "-->" continuation lines (with
// the keyword) start in the next 1 MiB chunk is still analysed whole: header
// line number, time and every continuation line.
func TestContinuationAcrossChunks(t *testing.T) {
	cat, err := ParseRules("c.toml", []byte(`
[[rule]]
id = "fault"
severity = "warning"
title = "fault"
kinds = ["hostd"]
keywords = ["vim.fault.MethodDisabled"]
regexp = '''(?s)who\s*=\s*"(?P<object>[^"]+)"'''
`))
	if err != nil {
		t.Fatal(err)
	}
	head := "2024-03-07T10:00:01.000Z info hostd[1] [Originator@6876 sub=Vmsvc opID=x] Task failed\n"
	cont := "--> (vim.fault.MethodDisabled) {\n-->    who = \"com.example.backup\"\n--> }\n"
	filler := "2024-03-07T09:59:59.000Z info hostd[1] [Originator@6876 sub=Vimsvc] filler line\n"
	for _, before := range []int{10, 1, len(head) - 1} { // bytes of the first "-->" line before the boundary
		var b bytes.Buffer
		for b.Len()+len(filler) < chunkSize-len(head)-before-200 {
			b.WriteString(filler)
		}
		pad := chunkSize - len(head) - before - b.Len() - 1
		b.WriteString("2024-03-07T09:59:59.500Z info hostd[1] [Originator@6876 sub=Vimsvc] ")
		b.Write(bytes.Repeat([]byte("p"), pad-len("2024-03-07T09:59:59.500Z info hostd[1] [Originator@6876 sub=Vimsvc] ")))
		b.WriteByte('\n')
		lineNo := int64(bytes.Count(b.Bytes(), []byte("\n")) + 1)
		b.WriteString(head)
		if b.Len()+before != chunkSize {
			t.Fatalf("bad fixture: %d", b.Len()+before-chunkSize)
		}
		b.WriteString(cont)
		b.WriteString(filler)
		r := runFake(t, cat, []fakeMember{{0, "var/log/hostd.log", b.Bytes()}}, 1, Options{})[0]
		if len(r.Findings) != 1 {
			t.Fatalf("before %d: findings = %+v", before, r.Findings)
		}
		f := r.Findings[0]
		if f.Count != 1 || f.Evidence[0].Line != lineNo || !strings.HasPrefix(f.Evidence[0].Text, "2024-03-07T10:00:01.000Z") ||
			!strings.HasSuffix(f.Evidence[0].Text, "--> }") || f.First.IsZero() || !strings.Contains(f.Summary, "com.example.backup (1)") {
			t.Fatalf("before %d: finding = %+v, want line %d with header and continuations", before, f, lineNo)
		}
		if want := int64(bytes.Count(b.Bytes(), []byte("\n"))); r.Lines != want {
			t.Errorf("before %d: lines = %d, want %d", before, r.Lines, want)
		}
	}
}
