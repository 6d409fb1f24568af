package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSanitizeStrings(t *testing.T) {
	jr := &jsonReport{
		Inputs:     []string{"a\x1b[31m.tgz"},
		Hosts:      []jsonHost{{Bundle: jsonBundle{Host: "h\x07", Sources: map[string]string{"host\x1b": "folder\u009bname"}}}},
		ReadErrors: []jsonReadError{{Path: "p\rq", Offset: 3, Message: "tab\tand\nnewline stay"}},
	}
	sanitizeStrings(jr)
	require.Equal(t, []string{"a?[31m.tgz"}, jr.Inputs)
	require.Equal(t, "h?", jr.Hosts[0].Bundle.Host)
	require.Equal(t, map[string]string{"host?": "folder?name"}, jr.Hosts[0].Bundle.Sources)
	require.Equal(t, jsonReadError{Path: "p?q", Offset: 3, Message: "tab\tand\nnewline stay"}, jr.ReadErrors[0])
	require.Equal(t, "plain ünïcode ×", cleanTerm("plain ünïcode ×"))
}
