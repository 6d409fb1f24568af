package rules

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/esxdiag/esxdiag/parser"
)

//go:embed builtin/*.toml
var builtinFS embed.FS

// Catalog is a set of rules with unique IDs. Build one with Builtin,
// LoadDir or ParseRules; combine with Merge. A Catalog is immutable once
// handed to Analyze.
type Catalog struct {
	rules []ruleEntry
	err   error // problems of built-in rules (reported by Analyze and Err)

	mu    sync.Mutex
	plans []*plan // compiled prefilters per kind, built on first use; reset by add/Merge
}

type ruleEntry struct {
	info     RuleInfo
	newState func() RuleState
}

// Builtin returns the rules shipped with esxdiag: the TOML files embedded
// from rules/builtin and the Go rules of builtin.go. A broken built-in rule
// is a programming error caught by the package tests; it is reported by
// Err and Analyze, never by a panic.
func Builtin() *Catalog {
	c := &Catalog{}
	var errs []error
	names, err := fs.Glob(builtinFS, "builtin/*.toml")
	if err != nil {
		errs = append(errs, err)
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := builtinFS.ReadFile(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("rules: %s: %w", name, err))
			continue
		}
		fc, err := parseTOMLRules("builtin:"+strings.TrimPrefix(name, "builtin/"), data, lookupKB)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := c.add(fc.rules...); err != nil {
			errs = append(errs, err)
		}
	}
	for _, g := range goRules() {
		info := g.Info()
		if info.Source == "" {
			info.Source = "builtin"
		}
		if err := validateInfo(&info, lookupKB); err != nil {
			errs = append(errs, fmt.Errorf("rules: go rule %q: %w", info.ID, err))
			continue
		}
		if err := c.add(ruleEntry{info: info, newState: g.NewState}); err != nil {
			errs = append(errs, err)
		}
	}
	c.err = errors.Join(errs...)
	return c
}

// Err reports problems found while building the catalog (nil for a healthy one).
func (c *Catalog) Err() error { return c.err }

// ParseRules parses TOML rule text; name is used in error messages
// ("name:line: ..."). KB ids are checked against the verified KB table.
func ParseRules(name string, data []byte) (*Catalog, error) {
	return parseTOMLRules(name, data, lookupKB)
}

// LoadDir loads every *.toml file of dir (not recursive, sorted by name).
// Errors name the file and, where known, the line.
func LoadDir(dir string) (*Catalog, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	c := &Catalog{}
	var errs []error
	n := 0
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".toml") {
			continue
		}
		n++
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("rules: %w", err))
			continue
		}
		fc, err := parseTOMLRules(p, data, lookupKB)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := c.add(fc.rules...); err != nil {
			errs = append(errs, fmt.Errorf("%w (in %s)", err, p))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if n == 0 {
		return nil, fmt.Errorf("rules: %s: no *.toml rule files", dir)
	}
	return c, nil
}

func (c *Catalog) add(rs ...ruleEntry) error {
	c.mu.Lock()
	c.plans = nil
	c.mu.Unlock()
	for _, r := range rs {
		for _, have := range c.rules {
			if have.info.ID == r.info.ID {
				return fmt.Errorf("rules: duplicate rule id %q (%s and %s)", r.info.ID, have.info.Source, r.info.Source)
			}
		}
		c.rules = append(c.rules, r)
	}
	return nil
}

// Merge adds the rules of o to c. A rule of o with the ID of a rule of c
// replaces it (user rules override built-in ones).
func (c *Catalog) Merge(o *Catalog) {
	if o == nil {
		return
	}
	c.mu.Lock()
	c.plans = nil
	c.mu.Unlock()
	for _, r := range o.rules {
		replaced := false
		for i := range c.rules {
			if c.rules[i].info.ID == r.info.ID {
				c.rules[i] = r
				replaced = true
				break
			}
		}
		if !replaced {
			c.rules = append(c.rules, r)
		}
	}
	c.err = errors.Join(c.err, o.err)
}

// Rules describes every rule, sorted by ID.
func (c *Catalog) Rules() []RuleInfo {
	out := make([]RuleInfo, len(c.rules))
	for i, r := range c.rules {
		out[i] = r.info
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Len is the number of rules.
func (c *Catalog) Len() int { return len(c.rules) }

// sorted returns the entries sorted by ID (the engine's rule order).
func (c *Catalog) sorted() []ruleEntry {
	out := append([]ruleEntry(nil), c.rules...)
	sort.Slice(out, func(i, j int) bool { return out[i].info.ID < out[j].info.ID })
	return out
}

// minKeyword is the shortest keyword accepted: shorter literals would make
// the prefilter hit on most lines.
const minKeyword = 3

func validateInfo(info *RuleInfo, kb func(v, n string) (KBRef, bool)) error {
	if !validID(info.ID) {
		return fmt.Errorf("id %q: want lower-case letters, digits and '-'", info.ID)
	}
	if info.Title == "" {
		return errors.New("title is empty")
	}
	if info.Severity < SeverityInfo || info.Severity > SeverityCritical {
		return fmt.Errorf("severity %d out of range", info.Severity)
	}
	if len(info.Kinds) == 0 {
		return errors.New("kinds: at least one kind is required")
	}
	for _, k := range info.Kinds {
		if k == parser.KindUnknown {
			return errors.New("kinds: unknown kind")
		}
	}
	for _, kw := range info.Keywords {
		if len(kw) < minKeyword {
			return fmt.Errorf("keyword %q: shorter than %d bytes", kw, minKeyword)
		}
		if strings.ContainsAny(kw, "\n\r") {
			return fmt.Errorf("keyword %q: contains a line break", kw)
		}
	}
	for _, id := range info.KB {
		v, n, ok := splitKBID(id)
		if !ok {
			return fmt.Errorf("kb %q: want vendor:number", id)
		}
		if _, ok := kb(v, n); !ok {
			return fmt.Errorf("kb %q: not in the verified KB table (never invent a KB number)", id)
		}
	}
	return nil
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0:
		default:
			return false
		}
	}
	return true
}
