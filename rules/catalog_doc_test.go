package rules

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestCatalogDoc keeps CATALOG.md (the list of built-in rules) true to the
// catalog: go test ./rules -run TestCatalogDoc -update rewrites it.
func TestCatalogDoc(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Built-in rules\n\nGenerated from the catalog by `go test ./rules -run TestCatalogDoc -update`; do not edit.\n")
	b.WriteString("Declarative rules live in `builtin/*.toml`, Go rules in `rule_*.go`; the KB table is `data/kb.tsv`.\n")
	b.WriteString("Only KB numbers marked verified or case-cited in the project's KB reference are cited.\n\n")
	b.WriteString("| rule | max severity | reads | KB | source |\n|---|---|---|---|---|\n")
	for _, r := range Builtin().Rules() {
		var kinds, kbs []string
		for _, k := range r.Kinds {
			kinds = append(kinds, k.String())
		}
		for _, id := range r.KB {
			e, _ := kbEntry(id)
			label := id
			if e.Status == KBCaseCited {
				label += " (case-cited)"
			}
			kbs = append(kbs, label)
		}
		fmt.Fprintf(&b, "| `%s` — %s | %s | %s | %s | %s |\n", r.ID, r.Title, r.Severity, strings.Join(kinds, ", "), strings.Join(kbs, ", "), r.Source)
	}
	got := []byte(b.String())
	if *update {
		if err := os.WriteFile("CATALOG.md", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("CATALOG.md")
	if err != nil || string(want) != string(got) {
		t.Errorf("CATALOG.md is stale: go test ./rules -run TestCatalogDoc -update")
	}
}
