// Package rules is the esxdiag rule engine and its catalog: it picks the few
// lines that matter out of millions, aggregates them per host, and turns
// them into findings that name the problem, the fix and the KB.
package rules
