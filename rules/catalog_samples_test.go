package rules

import "testing"

// entryRule adapts a catalog entry (TOML or Go) to GoRule for the harness.
type entryRule struct{ e ruleEntry }

func (r entryRule) Info() RuleInfo      { return r.e.info }
func (r entryRule) NewState() RuleState { return r.e.newState() }

// TestCatalogSamplesHarness runs every sample of every built-in rule alone
// through the catalog harness (kind + keyword dispatch, then the rule's own
// regexp/extractor), checking that positive samples fire and negative ones
// do not, and that splitting lines over merged states changes nothing.
func TestCatalogSamplesHarness(t *testing.T) {
	c := Builtin()
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	for _, e := range c.sorted() {
		e := e
		t.Run(e.info.ID, func(t *testing.T) { checkGoSamples(t, entryRule{e}) })
	}
}
