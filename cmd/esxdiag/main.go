// Command esxdiag analyzes VMware ESXi support bundles (vm-support) and NetApp
// ONTAP logs and reports what went wrong, with evidence, remediation and KB
// references.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes shared by every subcommand; README.md documents them.
const (
	exitOK           = 0 // nothing at or above --fail-on
	exitFindings     = 1 // findings at or above --fail-on
	exitUsage        = 2 // usage error or unreadable input
	exitUnrecognised = 3 // nothing recognised in the input
)

// exitError carries an exit code out of a cobra RunE so that main decides
// the process status in one place.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "esxdiag",
		Short:         "Diagnose VMware ESXi support bundles and NetApp ONTAP logs",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newVersionCmd(),
		newAnalyzeCmd(), newRulesCmd(),
		newSenseCmd(),
		newTriageCmd(),
	)
	return root
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the CLI with args and returns the process exit code.
func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "esxdiag:", err)
	if ee, ok := err.(*exitError); ok {
		return ee.code
	}
	// cobra's own argument and flag errors are usage errors.
	return exitUsage
}
