package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/esxdiag/esxdiag/rules"
)

func newRulesCmd() *cobra.Command {
	var dir, format string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rule catalog (id, severity, log kinds, KB)",
		Long: `List every rule esxdiag runs: its id (for --rule), the highest severity it
reports, the log kinds it reads and the KB articles it cites. With --rules DIR
the user rules of DIR are listed too (a user rule with a built-in id replaces it).`,
		Example: `  esxdiag rules
  esxdiag rules --rules ./my-rules
  esxdiag rules test ./my-rules`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadCatalog(dir)
			if err != nil {
				return err
			}
			switch format {
			case "text":
				return renderRulesText(cmd.OutOrStdout(), c.Rules(), terminalWidth(cmd.OutOrStdout()))
			case "json":
				return renderRulesJSON(cmd.OutOrStdout(), c.Rules())
			}
			return usageErrorf("rules: --format %q: want text or json", format)
		},
	}
	cmd.Flags().StringVar(&dir, "rules", "", "also load the *.toml user rules of `DIR`")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	cmd.AddCommand(newRulesTestCmd())
	return cmd
}

func newRulesTestCmd() *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "test DIR",
		Short: "Run the samples of the user rules in DIR through the real prefilter",
		Long: `Load every *.toml rule file of DIR and check each [[rule.sample]]: a sample
with match = true must make its rule fire, match = false must not. A keyword
that does not occur in the line the rule needs is reported. Exit 1 when a
sample fails, 2 when DIR cannot be loaded.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := rules.LoadDir(args[0])
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			res := c.TestSamples()
			return reportSamples(cmd.OutOrStdout(), res, verbose)
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also list the samples that pass")
	return cmd
}

func reportSamples(w io.Writer, res []rules.SampleResult, verbose bool) error {
	failedN := 0
	for _, r := range res {
		if r.OK && !verbose {
			continue
		}
		state := "ok  "
		if !r.OK {
			state = "FAIL"
			failedN++
		}
		want := "match"
		if !r.Sample.Match {
			want = "no match"
		}
		fmt.Fprintf(w, "%s %s (%s): %s\n", state, r.RuleID, want, truncate(oneLine(r.Sample.Line), 80))
		if !r.OK && r.Problem != "" {
			fmt.Fprintf(w, "     %s\n", r.Problem)
		}
	}
	fmt.Fprintf(w, "%d samples, %d failed\n", len(res), failedN)
	if failedN > 0 {
		return &exitError{code: exitFindings, err: fmt.Errorf("rules test: %d of %d samples failed", failedN, len(res))}
	}
	return nil
}

func kindNames(ri rules.RuleInfo) []string {
	out := make([]string, len(ri.Kinds))
	for i, k := range ri.Kinds {
		out[i] = k.String()
	}
	return out
}

func renderRulesText(w io.Writer, list []rules.RuleInfo, width int) error {
	idW := len("ID")
	for _, ri := range list {
		idW = max(idW, len(ri.ID))
	}
	tw := &textWriter{w: w}
	tw.line(fmt.Sprintf("%-*s  %-8s  %s", idW, "ID", "SEVERITY", "KINDS / KB / TITLE"))
	ind := strings.Repeat(" ", idW+12)
	for _, ri := range list {
		tw.line(truncate(fmt.Sprintf("%-*s  %-8s  %s", idW, ri.ID, ri.Severity, strings.Join(kindNames(ri), ", ")), width))
		if len(ri.KB) > 0 {
			tw.line(truncate(ind+"KB "+strings.Join(ri.KB, ", "), width))
		}
		for _, l := range wrap(ri.Title, max(width-len(ind), 20), "") {
			tw.line(ind + l)
		}
	}
	tw.line(fmt.Sprintf("%d rules", len(list)))
	return tw.err
}

type jsonRule struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	Kinds    []string `json:"kinds"`
	Keywords []string `json:"keywords"`
	KB       []string `json:"kb"`
	Needs    string   `json:"needs,omitempty"`
	Source   string   `json:"source"`
}

func renderRulesJSON(w io.Writer, list []rules.RuleInfo) error {
	out := make([]jsonRule, 0, len(list))
	for _, ri := range list {
		out = append(out, jsonRule{ID: ri.ID, Title: ri.Title, Severity: ri.Severity.String(), Kinds: kindNames(ri),
			Keywords: nonNil(ri.Keywords), KB: nonNil(ri.KB), Needs: ri.Needs, Source: ri.Source})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
