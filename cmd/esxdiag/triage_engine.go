package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/rules"
)

// triageFragSpill is the out-of-order FRAG bytes one bundle keeps in memory
// before spilling to disk (part of the per-bundle memory bound).
const triageFragSpill = 16 << 20

// newEngineAnalyzer returns the analyzer backed by bundles + rules, and the
// rules catalog version (part of the resume key). Each bundle gets
// max(1, CPUs/jobs) workers, so --jobs bundles together use about the
// machine's CPUs and jobs × the per-bundle memory bound (docs/triage.md).
func newEngineAnalyzer(cfg triageConfig) (analyzeFunc, string, error) {
	catalog, err := loadCatalog(cfg.RulesDir)
	if err != nil {
		return nil, "", err
	}
	version, err := catalogVersion(catalog)
	if err != nil {
		return nil, "", err
	}
	workers := max(1, runtime.GOMAXPROCS(0)/max(cfg.Jobs, 1))
	return engineAnalyzer(catalog, workers), version, nil
}

// engineAnalyzer analyzes one bundle and renders its report exactly as
// `analyze --format json PATH` does (no filters).
func engineAnalyzer(catalog *rules.Catalog, workers int) analyzeFunc {
	return func(ctx context.Context, path string) (*bundleOutcome, error) {
		src, err := bundles.Open(ctx, path, bundles.Options{Workers: workers, FragSpill: triageFragSpill})
		if err != nil {
			return nil, fmt.Errorf("triage: %w", err)
		}
		defer src.Close()
		opts := rules.Options{Workers: workers, Catalog: catalog}
		if fn := readProgress(ctx); fn != nil {
			opts.Progress = func(p rules.Progress) { fn(p.BytesRead) }
		}
		rep, err := rules.Analyze(ctx, src, opts)
		if err != nil {
			return nil, fmt.Errorf("triage: %s: %w", path, err)
		}
		return outcomeFromReport(buildJSONReport([]string{path}, rep, jsonFilters{}))
	}
}

// catalogVersion names the rule catalog by a hash of every rule's
// description (IDs, severities, kinds, keywords, KB, samples, source), so a
// changed or added rule invalidates stored triage results.
func catalogVersion(c *rules.Catalog) (string, error) {
	b, err := json.Marshal(c.Rules())
	if err != nil {
		return "", fmt.Errorf("triage: rules version: %w", err)
	}
	sum := sha256.Sum256(b)
	return "rules-" + hex.EncodeToString(sum[:8]), nil
}
