package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// miniSchema validates a JSON value against the subset of JSON Schema
// (draft 2020-12) that docs/report-schema.json uses: type, const, enum,
// properties, required, additionalProperties (bool or schema), items,
// minimum, format "date-time" and local "$ref"s into "$defs". No schema
// library is in the module cache, and this subset is ~100 lines; an
// unknown keyword fails the test so the subset cannot silently drift.
type miniSchema struct {
	root map[string]any
}

var knownKeywords = map[string]bool{
	"$schema": true, "$id": true, "title": true, "description": true, "$defs": true,
	"type": true, "const": true, "enum": true, "properties": true, "required": true,
	"additionalProperties": true, "items": true, "minimum": true, "format": true, "$ref": true,
}

func loadSchema(t testing.TB) *miniSchema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "report-schema.json"))
	require.NoError(t, err)
	var root map[string]any
	require.NoError(t, json.Unmarshal(data, &root))
	return &miniSchema{root: root}
}

func (s *miniSchema) validate(v any) []string {
	var errs []string
	s.check(s.root, v, "$", &errs)
	return errs
}

func (s *miniSchema) check(sch map[string]any, v any, at string, errs *[]string) {
	fail := func(format string, args ...any) {
		*errs = append(*errs, at+": "+fmt.Sprintf(format, args...))
	}
	keys := make([]string, 0, len(sch))
	for k := range sch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !knownKeywords[k] {
			fail("schema keyword %q not supported by the test validator", k)
		}
	}
	if ref, ok := sch["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := s.root["$defs"].(map[string]any)
		target, ok := defs[name].(map[string]any)
		if !found || !ok {
			fail("unresolvable $ref %q", ref)
			return
		}
		s.check(target, v, at, errs)
	}
	if c, ok := sch["const"]; ok && !reflect.DeepEqual(c, v) {
		fail("want const %v, got %v", c, v)
	}
	if enum, ok := sch["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if reflect.DeepEqual(e, v) {
				found = true
			}
		}
		if !found {
			fail("%v not in enum %v", v, enum)
		}
	}
	if typ, ok := sch["type"].(string); ok && !hasType(v, typ) {
		fail("want type %s, got %T", typ, v)
		return
	}
	if min, ok := sch["minimum"].(float64); ok {
		if n, ok := v.(float64); ok && n < min {
			fail("%v below minimum %v", n, min)
		}
	}
	if f, ok := sch["format"].(string); ok && f == "date-time" {
		if str, ok := v.(string); ok {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				fail("not a date-time: %q", str)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := sch["properties"].(map[string]any)
		if req, ok := sch["required"].([]any); ok {
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					fail("missing required %q", r)
				}
			}
		}
		names := make([]string, 0, len(obj))
		for k := range obj {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if p, ok := props[k].(map[string]any); ok {
				s.check(p, obj[k], at+"."+k, errs)
				continue
			}
			switch ap := sch["additionalProperties"].(type) {
			case bool:
				if !ap {
					fail("unexpected property %q", k)
				}
			case map[string]any:
				s.check(ap, obj[k], at+"."+k, errs)
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := sch["items"].(map[string]any); ok {
			for i, e := range arr {
				s.check(items, e, fmt.Sprintf("%s[%d]", at, i), errs)
			}
		}
	}
}

func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		n, ok := v.(float64)
		return ok && n == math.Trunc(n)
	case "number":
		_, ok := v.(float64)
		return ok
	case "null":
		return v == nil
	}
	return false
}

// validateReportJSON fails t when data does not match the documented schema.
func validateReportJSON(t testing.TB, data []byte) {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	errs := loadSchema(t).validate(v)
	require.Empty(t, errs, "report does not validate against docs/report-schema.json")
}

// The validator itself must reject what the schema forbids, or a passing
// validation proves nothing.
func TestMiniSchemaRejects(t *testing.T) {
	s := loadSchema(t)
	good := sampleReport()
	base, err := json.Marshal(good)
	require.NoError(t, err)
	var ok any
	require.NoError(t, json.Unmarshal(base, &ok))
	require.Empty(t, s.validate(ok))

	cases := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"wrong schema id", func(m map[string]any) { m["schema"] = "esxdiag.report/v0" }, "const"},
		{"missing hosts", func(m map[string]any) { delete(m, "hosts") }, `missing required "hosts"`},
		{"unknown field", func(m map[string]any) { m["extra"] = 1 }, `unexpected property "extra"`},
		{"bad severity", func(m map[string]any) {
			f := m["hosts"].([]any)[0].(map[string]any)["findings"].([]any)[0].(map[string]any)
			f["severity"] = "fatal"
		}, "not in enum"},
		{"bad time", func(m map[string]any) {
			m["hosts"].([]any)[0].(map[string]any)["first"] = "yesterday"
		}, "not a date-time"},
		{"negative count", func(m map[string]any) {
			f := m["hosts"].([]any)[0].(map[string]any)["findings"].([]any)[0].(map[string]any)
			f["count"] = -1.0
		}, "below minimum"},
		{"fraction", func(m map[string]any) {
			m["hosts"].([]any)[0].(map[string]any)["files"] = 1.5
		}, "want type integer"},
		{"fact not string", func(m map[string]any) {
			f := m["hosts"].([]any)[0].(map[string]any)["findings"].([]any)[0].(map[string]any)
			f["facts"] = map[string]any{"use_pct": 100.0}
		}, "want type string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(base, &m))
			tc.mutate(m)
			errs := s.validate(m)
			require.NotEmpty(t, errs)
			require.Contains(t, strings.Join(errs, "\n"), tc.want)
		})
	}
}
