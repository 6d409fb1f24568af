//go:build !esxdiag_engine

package main

import (
	"context"
	"errors"
	"os"
)

// newEngineAnalyzer: the engine-backed analyzer is built with the
// esxdiag_engine tag until analyze.go drops it (see triage_engine.go).
func newEngineAnalyzer(cfg triageConfig) (analyzeFunc, string, error) {
	return func(ctx context.Context, path string) (*bundleOutcome, error) {
		return nil, errors.New("triage: analysis engine not built in (build with -tags esxdiag_engine)")
	}, "none", nil
}

// outputWidth: analyze's terminalWidth is behind the engine tag.
func outputWidth(*os.File) int { return defaultWidth }
