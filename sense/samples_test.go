package sense

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func parseHexField(t *testing.T, s string) int {
	if s == "-1" {
		return -1
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 8)
	require.NoError(t, err, s)
	return int(v)
}

// TestStatusSamples decodes every status-carrying example line of the
// reference material (testdata/status-samples.tsv) to the right fields.
func TestStatusSamples(t *testing.T) {
	b, err := os.ReadFile("testdata/status-samples.tsv")
	require.NoError(t, err)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "source\t") {
			continue
		}
		f := strings.SplitN(line, "\t", 13)
		require.Len(t, f, 13, line)
		text := f[12]
		var st Status
		require.True(t, ParseStatus([]byte(text), &st), text)
		want := Status{
			Opcode: parseHexField(t, f[2]),
			Host:   uint8(parseHexField(t, f[3])), Device: uint8(parseHexField(t, f[4])), Plugin: uint8(parseHexField(t, f[5])),
			Key: uint8(parseHexField(t, f[7])), ASC: uint8(parseHexField(t, f[8])), ASCQ: uint8(parseHexField(t, f[9])),
			PDL: f[10] == "true",
		}
		require.Equal(t, f[1], st.Form.String(), text)
		require.Equal(t, f[6], st.Validity.String(), text)
		want.Form, want.Validity, want.HasStatus = st.Form, st.Validity, st.Form != FormPDL
		require.Equal(t, want, st, text)
		require.Equal(t, f[11], Classify(st).ID, text)
		n++
	}
	require.GreaterOrEqual(t, n, 20)
}

// TestPublicSamplesNoFalsePositives: the real log lines in
// testdata/public-samples.txt (lnav samples) carry no SCSI status; the
// parser must not invent one.
func TestPublicSamplesNoFalsePositives(t *testing.T) {
	f, err := os.Open("testdata/public-samples.txt")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		var st Status
		require.False(t, ParseStatus(line, &st), "%s -> %+v", line, st)
		n++
	}
	require.NoError(t, sc.Err())
	require.Greater(t, n, 20)
}
