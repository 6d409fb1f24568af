package rules

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/esxdiag/esxdiag/parser"
)

// tomlFile is the on-disk shape of a rule file.
type tomlFile struct {
	Rule []tomlRuleDef `toml:"rule"`
}

type tomlRuleDef struct {
	ID          string          `toml:"id"`
	Severity    string          `toml:"severity"`
	Title       string          `toml:"title"`
	Kinds       []string        `toml:"kinds"`
	Keywords    []string        `toml:"keywords"`
	Regexp      string          `toml:"regexp"`
	GroupBy     string          `toml:"group_by"`
	Remediation []string        `toml:"remediation"`
	KB          []string        `toml:"kb"`
	Needs       string          `toml:"needs"`
	Sample      []tomlSampleDef `toml:"sample"`
}

type tomlSampleDef struct {
	Line  string `toml:"line"`
	Match bool   `toml:"match"`
	Kind  string `toml:"kind"`
}

// tomlRule is a compiled declarative rule.
type tomlRule struct {
	info        RuleInfo
	re          *regexp.Regexp
	objIdx      int // index of the "object" group in re, -1 if none
	groupBy     bool
	remediation []string
}

func parseTOMLRules(name string, data []byte, kb func(v, n string) (KBRef, bool)) (*Catalog, error) {
	var f tomlFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("rules: %s:%d: %s", name, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("rules: %s: %w", name, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		return nil, fmt.Errorf("rules: %s:%d: unknown key %q", name, keyDefLine(data, und[0][len(und[0])-1]), k)
	}
	if len(f.Rule) == 0 {
		return nil, fmt.Errorf("rules: %s: no [[rule]] tables", name)
	}
	c := &Catalog{}
	var errs []error
	for i := range f.Rule {
		d := &f.Rule[i]
		line := ruleLine(data, d.ID, i)
		r, err := compileTOMLRule(name, d, kb)
		if err != nil {
			errs = append(errs, fmt.Errorf("rules: %s:%d: rule %q: %w", name, line, d.ID, err))
			continue
		}
		if err := c.add(ruleEntry{info: r.info, newState: r.newState}); err != nil {
			errs = append(errs, fmt.Errorf("%w (%s:%d)", err, name, line))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// ruleLine finds the line of the i-th [[rule]] header (TOML metadata has no positions).
func ruleLine(data []byte, id string, i int) int {
	n := 0
	for ln, l := range bytes.Split(data, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if bytes.Equal(t, []byte("[[rule]]")) {
			if n == i {
				return ln + 1
			}
			n++
		}
	}
	return keyLine(data, id)
}

// keyDefLine returns the 1-based line that defines key ("key = ..." or
// "[key]"/"[[x.key]]"), or 0.
func keyDefLine(data []byte, key string) int {
	for ln, l := range bytes.Split(data, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if bytes.HasPrefix(t, []byte("[")) { // table header: "[x.key]" or "[[x.key]]"
			name := bytes.Trim(t, "[] ")
			if bytes.Equal(name, []byte(key)) || bytes.HasSuffix(name, []byte("."+key)) {
				return ln + 1
			}
			continue
		}
		if bytes.HasPrefix(t, []byte(key)) {
			rest := bytes.TrimSpace(t[len(key):])
			if len(rest) > 0 && rest[0] == '=' {
				return ln + 1
			}
		}
	}
	return 0
}

// keyLine returns the 1-based line of the first occurrence of s, or 0.
func keyLine(data []byte, s string) int {
	if s == "" {
		return 0
	}
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

func parseKinds(names []string) ([]parser.Kind, error) {
	var out []parser.Kind
	for _, n := range names {
		k, ok := parser.ParseKind(strings.TrimSpace(n))
		if !ok || k == parser.KindUnknown {
			var known []string
			for _, k := range parser.Kinds() {
				known = append(known, k.String())
			}
			return nil, fmt.Errorf("kinds: unknown kind %q (known: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

func compileTOMLRule(src string, d *tomlRuleDef, kb func(v, n string) (KBRef, bool)) (*tomlRule, error) {
	sev, err := ParseSeverity(d.Severity)
	if err != nil {
		return nil, fmt.Errorf("severity: %q is not info, warning, error or critical", d.Severity)
	}
	kinds, err := parseKinds(d.Kinds)
	if err != nil {
		return nil, err
	}
	r := &tomlRule{objIdx: -1, remediation: d.Remediation}
	r.info = RuleInfo{
		ID: d.ID, Title: d.Title, Severity: sev, Kinds: kinds, Keywords: d.Keywords,
		KB: d.KB, Needs: d.Needs, Source: src,
	}
	if len(d.Keywords) == 0 {
		return nil, errors.New("keywords: at least one literal keyword is required")
	}
	if d.Regexp != "" {
		re, err := regexp.Compile(d.Regexp)
		if err != nil {
			return nil, fmt.Errorf("regexp: %w", err)
		}
		r.re = re
		r.objIdx = re.SubexpIndex("object")
	}
	switch d.GroupBy {
	case "":
	case "object":
		if r.objIdx < 0 {
			return nil, errors.New(`group_by = "object" needs a regexp with a named group (?P<object>...)`)
		}
		r.groupBy = true
	default:
		return nil, fmt.Errorf("group_by: %q is not supported (only \"object\")", d.GroupBy)
	}
	for i, s := range d.Sample {
		var k parser.Kind
		if s.Kind != "" {
			ks, err := parseKinds([]string{s.Kind})
			if err != nil {
				return nil, fmt.Errorf("sample %d: %w", i+1, err)
			}
			k = ks[0]
		}
		if s.Line == "" {
			return nil, fmt.Errorf("sample %d: line is empty", i+1)
		}
		r.info.Samples = append(r.info.Samples, Sample{Line: s.Line, Match: s.Match, Kind: k})
	}
	if err := validateInfo(&r.info, kb); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *tomlRule) newState() RuleState { return &tomlState{r: r} }

// tomlState is the generic aggregate of a declarative rule: count, time
// span, evidence, and per-object tallies when the regexp names an object.
type tomlState struct {
	r       *tomlRule
	all     tally
	objects map[string]*tally
}

type tally struct {
	count int
	span  TimeSpan
	ev    EvidenceSet
}

func (t *tally) add(l *Line) {
	t.count++
	t.span.Add(l.Time())
	t.ev.Add(l)
}

func (t *tally) merge(o *tally) {
	t.count += o.count
	t.span.Merge(o.span)
	t.ev.Merge(&o.ev)
}

func (s *tomlState) Observe(l *Line) {
	obj := ""
	if s.r.re != nil {
		m := s.r.re.FindSubmatchIndex(l.Text)
		if m == nil {
			return
		}
		if i := s.r.objIdx; i >= 0 && m[2*i] >= 0 {
			obj = string(l.Text[m[2*i]:m[2*i+1]])
		}
	}
	s.all.add(l)
	if s.r.objIdx >= 0 {
		if s.objects == nil {
			s.objects = map[string]*tally{}
		}
		t := s.objects[obj]
		if t == nil {
			t = &tally{}
			s.objects[obj] = t
		}
		t.add(l)
	}
}

func (s *tomlState) Merge(other RuleState) {
	o, ok := other.(*tomlState)
	if !ok || o == nil {
		return
	}
	s.all.merge(&o.all)
	for k, ot := range o.objects {
		if s.objects == nil {
			s.objects = map[string]*tally{}
		}
		t := s.objects[k]
		if t == nil {
			t = &tally{}
			s.objects[k] = t
		}
		t.merge(ot)
	}
}

func (s *tomlState) Finish(h *HostCtx) ([]Finding, RuleStatus) {
	if s.all.count == 0 {
		return nil, RuleStatus{}
	}
	info := &s.r.info
	mk := func(obj string, t *tally) Finding {
		f := Finding{
			RuleID: info.ID, Severity: info.Severity, Title: info.Title, Object: obj,
			Fingerprint: h.Fingerprint(info.ID, obj),
			Count:       t.count, First: t.span.First, Last: t.span.Last,
			Evidence:    t.ev.Items(),
			Remediation: append([]string(nil), s.r.remediation...),
			KB:          h.KB(info.KB...),
		}
		f.Summary = summarize(t.count, obj, t.span)
		return f
	}
	objs := make([]string, 0, len(s.objects))
	for k := range s.objects {
		objs = append(objs, k)
	}
	sort.Strings(objs)
	if s.r.groupBy {
		out := make([]Finding, 0, len(objs))
		for _, o := range objs {
			out = append(out, mk(o, s.objects[o]))
		}
		return out, RuleStatus{}
	}
	f := mk("", &s.all)
	if len(objs) > 0 {
		// Most frequent objects first, for the summary and facts.
		sort.SliceStable(objs, func(i, j int) bool { return s.objects[objs[i]].count > s.objects[objs[j]].count })
		var parts []string
		for i, o := range objs {
			if i == 5 {
				parts = append(parts, fmt.Sprintf("and %d more", len(objs)-5))
				break
			}
			name := o
			if name == "" {
				name = "(none)"
			}
			parts = append(parts, fmt.Sprintf("%s (%d)", name, s.objects[o].count))
		}
		f.Summary += "; objects: " + strings.Join(parts, ", ")
		f.Facts = map[string]string{"objects": strconv.Itoa(len(objs))}
	}
	return []Finding{f}, RuleStatus{}
}

func summarize(count int, obj string, span TimeSpan) string {
	var b strings.Builder
	if count == 1 {
		b.WriteString("1 occurrence")
	} else {
		fmt.Fprintf(&b, "%d occurrences", count)
	}
	if obj != "" {
		fmt.Fprintf(&b, " for %s", obj)
	}
	const layout = "2006-01-02T15:04:05Z07:00"
	switch {
	case span.First.IsZero():
	case span.First.Equal(span.Last):
		fmt.Fprintf(&b, " at %s", span.First.Format(layout))
	default:
		fmt.Fprintf(&b, " between %s and %s", span.First.Format(layout), span.Last.Format(layout))
	}
	return b.String()
}
