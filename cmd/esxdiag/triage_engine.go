package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"

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
// `analyze --format json PATH` does (no filters). A bundle grouped with
// ONTAP logs (groupOf) is analyzed with them in one engine run
// (rules.AnalyzeSources), and its report is what `analyze --format json
// PATH LOG...` prints: the correlation rules fire on the ESXi host. An ONTAP
// log alone goes through AnalyzeSources too, which names it by its node(s).
func engineAnalyzer(catalog *rules.Catalog, workers int) analyzeFunc {
	return func(ctx context.Context, path string) (*bundleOutcome, error) {
		g := groupOf(ctx)
		paths := append([]string{path}, g.ontap...)
		bopts := bundles.Options{Workers: workers, FragSpill: triageFragSpill}
		srcs := make([]*bundles.Source, 0, len(paths))
		defer func() {
			for _, s := range srcs {
				s.Close()
			}
		}()
		for _, p := range paths {
			src, err := bundles.Open(ctx, p, bopts)
			if err != nil {
				return nil, fmt.Errorf("triage: %w", err)
			}
			srcs = append(srcs, src)
		}
		opts := rules.Options{Workers: workers, Catalog: catalog}
		if fn := readProgress(ctx); fn != nil {
			opts.Progress = func(p rules.Progress) { fn(p.BytesRead) }
		}
		if len(srcs) == 1 && !g.self {
			rep, err := rules.Analyze(ctx, srcs[0], opts)
			if err != nil {
				return nil, fmt.Errorf("triage: %s: %w", path, err)
			}
			return outcomeFromReport(buildJSONReport([]string{path}, rep, jsonFilters{}), -1, "")
		}
		rep, err := rules.AnalyzeSources(ctx, srcs, opts)
		if err != nil {
			return nil, fmt.Errorf("triage: %s: %w", strings.Join(paths, ", "), err)
		}
		kind := ""
		if g.self {
			kind = kindONTAP
		}
		// Same JSON model as the multi-input analyze: each host keeps the
		// name of its input. AnalyzeSources reports the hosts source by
		// source, so the bundle's are the first ones; the logs' own hosts
		// are left out of the bundle's summary rows (each log has its own).
		jr := mergeReports([]analysis{{input: strings.Join(paths, ", "), inputs: paths, report: rep}}, jsonFilters{})
		return outcomeFromReport(jr, len(srcs[0].Bundles()), kind)
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
