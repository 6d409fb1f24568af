package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunTgz(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "b.tgz")
	var stderr bytes.Buffer
	err := run([]string{"-o", out, "-size", "1MB", "-gen", "esxi8", "-problems", "ua-storm,hostdstats-full", "-rotate", "128KB", "-frag", "200KB", "-host", "h1.lab"}, io.Discard, &stderr)
	if err != nil {
		t.Fatal(err, stderr.String())
	}
	for _, want := range []string{"esx-h1.lab-2024-03-07--10.15-", "esxi8 8.0.2", "problem ua-storm", "wrote " + out} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, zr); err != nil || n < 200<<10 {
		t.Fatalf("read %d bytes: %v", n, err)
	}
}

func TestRunOtherOutputs(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if err := run([]string{"-dir", dir, "-size", "256KB", "-gen", "esx4", "-problems", "all"}, io.Discard, &stderr); err == nil {
		t.Error("esx4 with all problems (latency, pdl unsupported) should fail")
	}
	if err := run([]string{"-dir", dir, "-size", "256KB", "-gen", "esx4", "-problems", "ua-storm,esxconf-lock"}, io.Discard, &stderr); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "esx-*", "var", "log", "messages")); len(m) != 1 {
		t.Errorf("no var/log/messages in folder: %v", m)
	}
	zipPath := filepath.Join(dir, "vc.zip")
	if err := run([]string{"-o", zipPath, "-vcenter", "a.lab,b.lab", "-size", "128KB"}, io.Discard, &stderr); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 2 {
		t.Errorf("%d zip entries", len(zr.File))
	}
	var stdout bytes.Buffer
	if err := run([]string{"-o", "-", "-log", "vmkernel", "-gen", "esx35", "-size", "64KB", "-problems", "queue-full"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "status = 40/0 0x0 0x0 0x0") {
		t.Error("ESX 3.5 queue full line missing from -log output")
	}
	for _, bad := range [][]string{{"-size", "x", "-o", "-"}, {"-gen", "esxi9", "-o", "-"}, {"-damage", "lost", "-o", "-"}, {}} {
		if err := run(bad, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
