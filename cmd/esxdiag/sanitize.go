package main

import (
	"reflect"
	"strings"
)

// Strings in a report come from the input: archive entry names, folder
// names, log lines. One holding ESC, BEL or CR could drive the terminal the
// text or markdown report is printed on (recolour it, set the window title,
// overwrite a line with a fake "all clear"). JSON escapes them; the human
// faces pass what they print through sanitizeStrings first.

// isTermControl reports the runes a terminal may act on: C0 controls other
// than tab and newline, DEL, and the C1 controls U+0080..U+009F.
func isTermControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// cleanTerm replaces terminal control runes with '?'.
func cleanTerm(s string) string {
	if strings.IndexFunc(s, isTermControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isTermControl(r) {
			return '?'
		}
		return r
	}, s)
}

// sanitizeStrings cleans, in place, every string reachable from v (a
// pointer to a report or summary): exported struct fields, slice elements,
// map keys and values.
func sanitizeStrings(v any) {
	sanitizeValue(reflect.ValueOf(v))
}

func sanitizeValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			sanitizeValue(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				sanitizeValue(f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			sanitizeValue(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() || v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			return // the report holds map[string]string only
		}
		type kv struct{ k, v reflect.Value }
		var dirty []kv
		iter := v.MapRange()
		for iter.Next() {
			k, e := iter.Key().String(), iter.Value().String()
			if ck, ce := cleanTerm(k), cleanTerm(e); ck != k || ce != e {
				dirty = append(dirty, kv{iter.Key(), reflect.ValueOf(ce).Convert(v.Type().Elem())})
				if ck != k {
					dirty[len(dirty)-1].k = reflect.ValueOf(ck).Convert(v.Type().Key())
					v.SetMapIndex(iter.Key(), reflect.Value{})
				}
			}
		}
		for _, d := range dirty {
			v.SetMapIndex(d.k, d.v)
		}
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); strings.IndexFunc(s, isTermControl) >= 0 {
				v.SetString(cleanTerm(s))
			}
		}
	}
}
