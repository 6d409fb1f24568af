package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestGeneratedUpToDate fails when rules/kb_gen.go was not regenerated after
// an edit of rules/data/kb.tsv (run go generate ./rules).
func TestGeneratedUpToDate(t *testing.T) {
	want, err := Run("../../data/kb.tsv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../kb_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("rules/kb_gen.go is stale: run `go generate ./rules`")
	}
}

func TestParseRejects(t *testing.T) {
	const hdr = "vendor\tnumber\tbroadcom_id\ttitle\turl\tstatus\tsource\n"
	tests := []struct{ name, in, want string }{
		{"no header", "vmware\t1\t\tt\tu\tverified\ts\n", "header"},
		{"columns", hdr + "vmware\t1\tt\tu\tverified\ts\n", "columns"},
		{"vendor", hdr + "acme\t1\t\tt\tu\tverified\ts\n", "vendor"},
		{"status", hdr + "vmware\t1\t\tt\tu\tmaybe\ts\n", "status"},
		{"verified needs url", hdr + "vmware\t1\t\tt\t\tverified\ts\n", "URL"},
		{"source", hdr + "vmware\t1\t\tt\tu\tverified\t\n", "source"},
		{"no key", hdr + "vmware\t\t\tt\tu\tverified\ts\n", "neither"},
		{"dup", hdr + "vmware\t1\t2\tt\tu\tverified\ts\nvmware\t2\t\tt\tu\tverified\ts\n", "already"},
		{"empty", "# only a comment\n", "no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestParseAndGenerate(t *testing.T) {
	in := "# c\nvendor\tnumber\tbroadcom_id\ttitle\turl\tstatus\tsource\n" +
		"vmware\t1008113\t311232\tQueue depth\thttps://x/1\tverified\tkb.md\n" +
		"vmware\t\t305118\tLock\thttps://x/2\tverified\tkb.md\n" +
		"netapp\tTR-1\t\t(x)\t\tunverified\tkb.md\n"
	rows, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1].Broadcom != "305118" || rows[2].Vendor != "netapp" {
		t.Fatalf("rows = %+v", rows)
	}
	src, err := Generate(rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`case "1008113", "311232":`, `Number: "305118"`, `Status: KBUnverified`, `case "netapp":`} {
		if !bytes.Contains(src, []byte(want)) {
			t.Errorf("generated source lacks %s", want)
		}
	}
}
