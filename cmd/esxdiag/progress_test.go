package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/esxdiag/esxdiag/rules"
)

func TestFormatProgress(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    rules.Progress
		want string
	}{
		{"known size", rules.Progress{BytesRead: 50 << 20, Size: 200 << 20, Files: 1234, Lines: 5678901, Elapsed: 2 * time.Second},
			"case1.tgz [=====               ]  25% 50.0/200.0 MB  1,234 members  5,678,901 lines  25.0 MB/s"},
		{"unknown size", rules.Progress{BytesRead: 1 << 20, Bytes: 10 << 20, Size: -1, Files: 3, Lines: 10, Elapsed: time.Second},
			"case1.tgz 10.0 MB scanned  3 members  10 lines  10.0 MB/s"},
		{"start", rules.Progress{Size: 100},
			"case1.tgz [                    ]   0% 0.0/0.0 MB  0 members  0 lines  0.0 MB/s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, formatProgress(tc.p, "case1.tgz", 200))
		})
	}
	long := formatProgress(rules.Progress{BytesRead: 1, Size: 2, Elapsed: time.Second}, strings.Repeat("x", 100), 60)
	require.LessOrEqual(t, utf8.RuneCountInString(long), 60)
}

func TestProgressBarClearsWhenDone(t *testing.T) {
	var buf bytes.Buffer
	p := &progressBar{w: &buf, name: "x", width: 80}
	p.update(rules.Progress{BytesRead: 1, Size: 2, Elapsed: time.Second})
	p.update(rules.Progress{Done: true})
	require.True(t, strings.HasSuffix(buf.String(), "\r\x1b[K"))
	require.Contains(t, buf.String(), " 50%")
}
