package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/esxdiag/esxdiag/parser"
)

// discoverOptions tunes how folders are searched.
type discoverOptions struct {
	exclude string      // results folder: never triage our own output
	cache   *sniffCache // --watch: remembers the sniff verdict of unchanged files between polls
}

// sniffCache keeps classifyFile verdicts by path and file state, so a
// watched folder with many files is not re-read at every poll. Not safe for
// concurrent use (the watcher polls from one goroutine).
type sniffCache struct {
	m map[string]sniffVerdict
}

type sniffVerdict struct {
	sig  fileSig
	kind fileKind
}

func (c *sniffCache) kindOf(path string, st os.FileInfo) fileKind {
	sig := fileSig{size: st.Size(), mtime: st.ModTime()}
	if v, ok := c.m[path]; ok && v.sig == sig {
		return v.kind
	}
	if c.m == nil {
		c.m = map[string]sniffVerdict{}
	}
	k := classifyFile(path)
	c.m[path] = sniffVerdict{sig: sig, kind: k}
	return k
}

// discover expands the PATH arguments of `triage` into bundles:
//   - a file named explicitly is always a bundle, whatever its content (so an
//     unreadable one is reported, not skipped);
//   - a glob is expanded, then each match is handled like an argument;
//   - a folder that looks like an extracted vm-support bundle (it holds
//     commands/ next to etc/ or var/) is one bundle;
//   - any other folder is searched recursively for bundles by content
//     (gzip, zip or tar magic), plus files whose names end in an archive
//     extension (so a corrupt upload is reported rather than ignored).
//     Hidden files and folders (".name", e.g. partial uploads) are skipped.
//
// The result is sorted by path and free of duplicates.
func discover(args []string, opt discoverOptions) ([]triageInput, error) {
	seen := map[string]bool{}
	var out []triageInput
	add := func(in triageInput) {
		if seen[in.Path] {
			return
		}
		seen[in.Path] = true
		out = append(out, in)
	}
	for _, arg := range args {
		paths := []string{arg}
		if _, err := os.Stat(arg); err != nil && hasGlobMeta(arg) {
			m, gerr := filepath.Glob(arg)
			if gerr != nil {
				return nil, usageErrorf("triage: bad pattern %q: %v", arg, gerr)
			}
			if len(m) == 0 {
				return nil, usageErrorf("triage: %s: no file matches", arg)
			}
			paths = m
		}
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				// Reported as an unreadable bundle, the others still run.
				add(triageInput{Path: p, Size: -1})
				continue
			}
			if !st.IsDir() {
				// Named explicitly: a bundle whatever it holds, unless
				// its content is an ONTAP log.
				add(triageInput{Path: p, Size: st.Size(), ONTAP: classifyFile(p) == fileONTAP})
				continue
			}
			if looksLikeExtractedBundle(p) {
				add(triageInput{Path: p, IsDir: true, Size: dirSize(p)})
				continue
			}
			found, err := searchFolder(p, opt)
			if err != nil {
				return nil, err
			}
			for _, in := range found {
				add(in)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// searchFolder walks root for bundles.
func searchFolder(root string, opt discoverOptions) ([]triageInput, error) {
	var out []triageInput
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return fmt.Errorf("triage: %w", err)
			}
			return nil // unreadable subfolder: skip it, keep searching
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if isInside(p, opt.exclude) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && looksLikeExtractedBundle(p) {
				out = append(out, triageInput{Path: p, IsDir: true, Size: dirSize(p)})
				return filepath.SkipDir
			}
			return nil
		}
		st, err := os.Stat(p) // follows symlinks
		if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
			return nil
		}
		var k fileKind
		if opt.cache != nil {
			k = opt.cache.kindOf(p, st)
		} else {
			k = classifyFile(p)
		}
		if k != fileOther {
			out = append(out, triageInput{Path: p, Size: st.Size(), ONTAP: k == fileONTAP})
		}
		return nil
	})
	return out, err
}

// archiveExts are names that make a file a candidate even when its content
// does not sniff as an archive (it is then reported as unreadable).
var archiveExts = []string{".tgz", ".tar", ".gz", ".zip"}

// fileKind is what discovery makes of a file.
type fileKind uint8

const (
	fileOther  fileKind = iota // neither: not triaged
	fileBundle                 // an archive (or a file named like one)
	fileONTAP                  // an ONTAP log, plain or gzip (parser.KindOfContent)
)

// ontapSniffBytes is how much of a file is read to recognise an ONTAP log
// by content (parser.KindOfContent looks at its first 64 lines).
const ontapSniffBytes = 32 << 10

// classifyFile sniffs the head of a file: an ONTAP log (7-Mode messages,
// event log show output, EMS log; also gzip-compressed) is fileONTAP; gzip,
// zip or tar magic, or an archive extension, is fileBundle.
func classifyFile(path string) fileKind {
	f, err := os.Open(path)
	if err != nil {
		return fileOther
	}
	defer f.Close()
	head := make([]byte, ontapSniffBytes)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if isONTAPHead(head) {
		return fileONTAP
	}
	if sniffArchive(head) {
		return fileBundle
	}
	lower := strings.ToLower(path)
	for _, ext := range archiveExts {
		if strings.HasSuffix(lower, ext) {
			return fileBundle
		}
	}
	return fileOther
}

// isONTAPHead reports whether head (the first bytes of a file) is an ONTAP
// log; a gzip stream is inflated as far as head allows, and a tar inside it
// is an archive, never a log.
func isONTAPHead(head []byte) bool {
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return false
		}
		zr.Multistream(false)
		plain := make([]byte, ontapSniffBytes)
		// A tar header first (a .tgz bundle: the common case) ends it.
		n, _ := io.ReadFull(zr, plain[:512])
		if sniffArchive(plain[:n]) {
			return false
		}
		if n == 512 {
			m, _ := io.ReadFull(zr, plain[512:])
			n += m
		}
		head = plain[:n]
	} else if sniffArchive(head) {
		return false
	}
	return parser.KindOfContent(head) == parser.KindONTAP
}

func sniffArchive(head []byte) bool {
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b: // gzip
		return true
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")): // zip
		return true
	case len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar")): // tar
		return true
	}
	return false
}

// looksLikeExtractedBundle reports whether dir is an unpacked vm-support
// bundle: a commands/ folder next to etc/ or var/.
func looksLikeExtractedBundle(dir string) bool {
	isDir := func(name string) bool {
		st, err := os.Stat(filepath.Join(dir, name))
		return err == nil && st.IsDir()
	}
	return isDir("commands") && (isDir("etc") || isDir("var"))
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
