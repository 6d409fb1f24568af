package main

import (
	"context"
	"errors"
)

// newEngineAnalyzer returns the analyzer backed by bundles + rules, and the
// rules catalog version (part of the resume key).
func newEngineAnalyzer(cfg triageConfig) (analyzeFunc, string, error) {
	return func(ctx context.Context, path string) (*bundleOutcome, error) {
		return nil, errors.New("triage: analysis engine not wired yet")
	}, "none", nil
}
