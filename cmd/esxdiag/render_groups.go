package main

import (
	"fmt"
	"strings"
)

// neGroup is the not-evaluable rules that share one reason.
type neGroup struct {
	Label  string // "ontap-* (14 rules)", or the rule id when alone
	Reason string
}

// groupNotEvaluable folds not-evaluable rules with the same reason into one
// entry for the text and markdown footers, in order of first appearance, so
// an ESXi-only report does not list every ONTAP rule on a line of its own.
// Rules sharing a reason and an id prefix up to a dash are shown as
// "prefix-* (N rules)"; otherwise their ids are listed. JSON keeps every rule.
func groupNotEvaluable(ne []jsonStatus) []neGroup {
	var order []string
	ids := map[string][]string{}
	for _, s := range ne {
		r := s.Reason
		if r == "" {
			r = "no reason given"
		}
		if _, ok := ids[r]; !ok {
			order = append(order, r)
		}
		ids[r] = append(ids[r], s.RuleID)
	}
	out := make([]neGroup, 0, len(order))
	for _, r := range order {
		out = append(out, neGroup{Label: groupLabel(ids[r]), Reason: r})
	}
	return out
}

func groupLabel(ids []string) string {
	if len(ids) == 1 {
		return ids[0]
	}
	p := ids[0]
	for _, id := range ids[1:] {
		for !strings.HasPrefix(id, p) {
			p = p[:len(p)-1]
		}
	}
	if i := strings.LastIndexByte(p, '-'); i > 0 {
		return fmt.Sprintf("%s* (%d rules)", p[:i+1], len(ids))
	}
	return strings.Join(ids, ", ")
}
