package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVersionCommand(t *testing.T) {
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"version"})
	require.NoError(t, root.Execute())
	require.True(t, strings.HasPrefix(out.String(), "esxdiag "), out.String())
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	require.Equal(t, exitUsage, run([]string{"no-such-command"}))
}
