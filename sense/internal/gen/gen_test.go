package gen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// copyData copies ../../data into a temp dir and applies edit to one file.
func copyData(t *testing.T, file string, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir(filepath.Join("..", "..", "data"))
	require.NoError(t, err)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("..", "..", "data", e.Name()))
		require.NoError(t, err)
		s := string(b)
		if e.Name() == file {
			s = edit(s)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), []byte(s), 0o644))
	}
	return dir
}

func TestGenerateRejectsBadData(t *testing.T) {
	tests := []struct {
		file, old, new, want string
	}{
		{"classify.tsv", "\tqueue-full\n", "\tqueue-fool\n", `unknown class "queue-fool"`},
		{"classify.tsv", "device\t0x18", "devise\t0x18", `bad match "devise"`},
		{"classes.tsv", "\tcritical\t", "\tfatal\t", `bad severity "fatal"`},
		{"asc-ascq.tsv", "0x3F\t0x0E\t", "0x3F\t0xZZ\t", `bad hex "0xZZ"`},
		{"asc-ascq.tsv", "0x00\t0x01\tFILEMARK DETECTED", "0x00\t0x00\tFILEMARK DETECTED", "duplicate pair"},
		{"sense-keys.tsv", "0x9\tVENDOR SPECIFIC", "0x19\tVENDOR SPECIFIC", "bad key"},
	}
	for _, tc := range tests {
		dir := copyData(t, tc.file, func(s string) string {
			require.Contains(t, s, tc.old)
			return strings.Replace(s, tc.old, tc.new, 1)
		})
		_, err := Generate(dir)
		require.Error(t, err, tc.want)
		require.Contains(t, err.Error(), tc.want)
		require.Contains(t, err.Error(), tc.file)
	}
}

func TestRangeText(t *testing.T) {
	got, err := rangeText("Decompression exception short algorithm id of 0x%x", 5)
	require.NoError(t, err)
	require.Equal(t, "DECOMPRESSION EXCEPTION SHORT ALGORITHM ID OF 0x5", got)
	got, err = rangeText("Diagnostic failure on component [0x%x]", 0x85)
	require.NoError(t, err)
	require.Equal(t, "DIAGNOSTIC FAILURE ON COMPONENT [0x85]", got)
	_, err = rangeText("no verb", 1)
	require.Error(t, err)
}
