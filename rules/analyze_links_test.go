package rules

import (
	"archive/tar"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/esxdiag/esxdiag/bundles"
)

// A vm-support tarball holds links such as var/log/vmkernel.log ->
// /var/run/log/vmkernel.log; they are counted in a note, not listed as read
// errors, while a real problem in the same tar still is.
func TestAnalyzeLinksAreNotReadErrors(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	root := "esx-h1-2024-03-07--10.15-1234/"
	body := "2024-03-07T10:00:00.000Z cpu1:2097)ScsiDeviceIO: 3449: Cmd(0x28) to dev \"naa.600a098038303053453f463045727278\" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.\n"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tw.WriteHeader(&tar.Header{Name: root + "var/run/log/vmkernel.log", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}))
	_, err := tw.Write([]byte(body))
	must(err)
	for _, name := range []string{"var/log/vmkernel.log", "var/log/hostd.log"} {
		must(tw.WriteHeader(&tar.Header{Name: root + name, Linkname: "/var/run/log/" + name[len("var/log/"):], Typeflag: tar.TypeSymlink}))
	}
	must(tw.WriteHeader(&tar.Header{Name: "../escape.log", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg}))
	_, err = tw.Write([]byte("x"))
	must(err)
	must(tw.Close())

	ctx := context.Background()
	src, err := bundles.OpenReader(ctx, "links.tar", &buf, bundles.Options{Workers: 1})
	must(err)
	rep, err := Analyze(ctx, src, Options{Workers: 1})
	must(err)
	for _, re := range rep.ReadErrors {
		if strings.Contains(re.Message, "link") {
			t.Errorf("link reported as a read error: %+v", re)
		}
	}
	if len(rep.ReadErrors) != 1 || !strings.Contains(rep.ReadErrors[0].Path, "escape.log") {
		t.Errorf("read errors = %+v, want exactly the unsafe path", rep.ReadErrors)
	}
	found := false
	for _, n := range rep.Notes {
		if strings.HasPrefix(n, "2 link entries skipped") {
			found = true
		}
	}
	if !found {
		t.Errorf("notes = %q, want the count of skipped links", rep.Notes)
	}
}
