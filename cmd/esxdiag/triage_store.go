package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// resultStore is the results folder of `triage --out DIR`:
//
//	DIR/reports/<host>_<sha16>.json   one JSON report per bundle (analyze schema)
//	DIR/records/<key>.json            triage record: versions, hosts, errors
//	                                  (key: the sha256, or with ONTAP logs groupKey)
//	DIR/summary.json                  the summary of the last run
//
// Every file is written to a temporary file in the same folder and renamed
// into place, so a killed run leaves either the old file or the new one. The
// record is committed after the report: a record on disk means the report
// it names is complete.
type resultStore struct {
	dir string
}

const tmpPrefix = ".tmp-"

func openResultStore(dir string) (*resultStore, error) {
	for _, sub := range []string{"", "reports", "records"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("triage: results folder: %w", err)
		}
		// Leftovers of a run killed mid-write.
		tmps, _ := filepath.Glob(filepath.Join(dir, sub, tmpPrefix+"*"))
		for _, p := range tmps {
			os.Remove(p)
		}
	}
	return &resultStore{dir: dir}, nil
}

func (s *resultStore) recordPath(sum string) string {
	return filepath.Join(s.dir, "records", sum+".json")
}

// lookup returns the stored record of a bundle triaged with the same
// esxdiag and rules versions (and the same ONTAP logs: key), if its report
// is present.
func (s *resultStore) lookup(key, esxdiag, rules string) (*bundleRecord, bool) {
	b, err := os.ReadFile(s.recordPath(key))
	if err != nil {
		return nil, false
	}
	var rec bundleRecord
	if json.Unmarshal(b, &rec) != nil || rec.Schema != recordSchema ||
		rec.key() != key || rec.Esxdiag != esxdiag || rec.Rules != rules {
		return nil, false
	}
	if rec.Report != "" {
		if _, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(rec.Report))); err != nil {
			return nil, false
		}
	}
	return &rec, true
}

// commit writes the report (if any) then the record, both atomically.
func (s *resultStore) commit(rec *bundleRecord, report []byte) error {
	rec.Report = ""
	if report != nil {
		name := "reports/" + reportName(rec)
		if err := writeFileAtomic(filepath.Join(s.dir, filepath.FromSlash(name)), report); err != nil {
			return err
		}
		rec.Report = name
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("triage: record: %w", err)
	}
	return writeFileAtomic(s.recordPath(rec.key()), append(b, '\n'))
}

// reportName names a report by host and content hash: "esx-01_3f2a…16.json".
// A multi-host input (vCenter zip) is named by its first host and the count.
func reportName(rec *bundleRecord) string {
	host := "unknown"
	if len(rec.Hosts) > 0 && rec.Hosts[0].Host != "" {
		host = rec.Hosts[0].Host
	}
	if len(rec.Hosts) > 1 {
		host = fmt.Sprintf("%s+%d", host, len(rec.Hosts)-1)
	}
	sum := rec.key() // a bundle analyzed with other ONTAP logs is another report
	if len(sum) > 16 {
		sum = sum[:16]
	}
	return safeFileName(host) + "_" + sum + ".json"
}

// safeFileName keeps [A-Za-z0-9._+-] and replaces anything else by '-'.
func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '.', r == '_', r == '-', r == '+':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.TrimLeft(b.String(), ".")
	if out == "" {
		out = "unknown"
	}
	if len(out) > 100 {
		out = out[:100]
	}
	return out
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, fsynced, then renamed over path.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("triage: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("triage: %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("triage: %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("triage: %s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("triage: %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("triage: %s: %w", path, err)
	}
	return nil
}

// isInside reports whether path is inside the results folder dir, so
// that discovery never triages esxdiag's own output.
func isInside(path, dir string) bool {
	if dir == "" {
		return false
	}
	ap, err1 := filepath.Abs(path)
	ad, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ad, ap)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

var errNoBundles = errors.New("no bundle found")
