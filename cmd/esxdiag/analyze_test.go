package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/rules"
)

func engineReport(input string, hosts ...rules.HostReport) *rules.Report {
	return &rules.Report{Schema: rules.ReportSchema, Input: input, Hosts: hosts}
}

func TestBuildJSONReportMapsEverything(t *testing.T) {
	t0 := time.Date(2024, 3, 7, 10, 15, 1, 123e6, time.UTC)
	h := rules.HostReport{
		Bundle: bundles.BundleInfo{Path: "b.tgz", Kind: "esxi-vm-support", Host: "esxi-01", Version: "8.0.2", Build: "22380479",
			CollectedAt: t0.Add(time.Hour), Sources: map[string]string{"host": "folder-name"}},
		Files: 2, Bytes: 300, Lines: 4, First: t0, Last: t0.Add(time.Minute),
		Unparsed: []rules.UnparsedFile{{Path: "var/run/log/vmkernel.log", Kind: "vmkernel", Count: 1, Sample: "x"}},
		Findings: []rules.Finding{
			{RuleID: "b-info", Severity: rules.SeverityInfo, Title: "i", Count: 1, First: t0},
			{RuleID: "a-crit", Severity: rules.SeverityCritical, Title: "c", Object: "naa.1", Fingerprint: "ff", Count: 2, First: t0, Last: t0.Add(time.Second),
				Evidence:    []rules.Evidence{{Path: "p", Line: 3, Time: t0, Text: "line"}, {Path: "vdf", Line: 1, Text: "untimed"}},
				Remediation: []string{"do"}, KB: []rules.KBRef{{Vendor: "vmware", Number: "1", Title: "t", URL: "u"}},
				Facts: map[string]string{"k": "v"}},
		},
		Statuses: []rules.RuleStatus{{RuleID: "a-crit", State: rules.StateFired}, {RuleID: "z", State: rules.StateNotEvaluable, Reason: "no vdf"}},
		Devices:  []rules.DeviceRow{{Device: "naa.1", Class: "pdl", ClassTitle: "PDL", Count: 2, First: t0, Last: t0}},
	}
	r := engineReport("b.tgz", h)
	r.ReadErrors = []rules.ReadError{{Path: "b.tgz!x.gz", Offset: 7, Message: "gzip: corrupt data"}}
	r.Notes = []string{"n"}
	jr := buildJSONReport(nil, r, jsonFilters{})
	require.Equal(t, []string{"b.tgz"}, jr.Inputs)
	require.Equal(t, "info", jr.Filters.MinSeverity)
	require.Equal(t, "error", jr.Filters.FailOn)
	require.True(t, jr.Summary.Recognised)
	require.Equal(t, "critical", jr.Summary.Highest)
	require.Equal(t, 1, jr.unreadable)
	jh := jr.Hosts[0]
	require.Equal(t, "2024-03-07T11:15:01.123Z", jh.Bundle.CollectedAt)
	require.Equal(t, []string{"a-crit", "b-info"}, []string{jh.Findings[0].RuleID, jh.Findings[1].RuleID}, "severity first")
	f := jh.Findings[0]
	require.Equal(t, "critical", f.Severity)
	require.Equal(t, "", f.Evidence[1].Time, "an untimed line has no time")
	require.Equal(t, map[string]string{"k": "v"}, f.Facts)
	require.Equal(t, "no vdf", jh.Rules[1].Reason)

	var buf bytes.Buffer
	require.NoError(t, renderJSON(&buf, jr))
	validateReportJSON(t, buf.Bytes())
	// Empty lists are [] and empty maps {}, never null.
	require.NotContains(t, buf.String(), "null")
}

func TestMergeReportsSeveralInputs(t *testing.T) {
	a := engineReport("a.tgz", rules.HostReport{Bundle: bundles.BundleInfo{Host: "h1"}, Lines: 1,
		Statuses: []rules.RuleStatus{{RuleID: "x", State: rules.StateClear}}})
	b := engineReport("stdin", rules.HostReport{Bundle: bundles.BundleInfo{Host: "h2"}})
	b.Notes = []string{"replaced 1 quote"}
	jr := mergeReports([]analysis{{input: "a.tgz", report: a}, {input: "stdin", report: b}}, jsonFilters{})
	require.Equal(t, []string{"a.tgz", "stdin"}, jr.Inputs)
	require.Len(t, jr.Hosts, 2)
	require.Equal(t, "stdin", jr.Hosts[1].Input)
	require.Equal(t, []string{"replaced 1 quote"}, jr.Notes)
	require.True(t, jr.Summary.Recognised, "one recognised host is enough")
}

func TestExitFor(t *testing.T) {
	clear := rules.HostReport{Lines: 3, Statuses: []rules.RuleStatus{{RuleID: "x", State: rules.StateClear}}}
	nothing := rules.HostReport{Statuses: []rules.RuleStatus{{RuleID: "x", State: rules.StateNotEvaluable}}}
	withFinding := func(sev rules.Severity) rules.HostReport {
		h := clear
		h.Findings = []rules.Finding{{RuleID: "x", Severity: sev, Count: 1}}
		return h
	}
	readErr := func(msg string) []rules.ReadError { return []rules.ReadError{{Path: "x", Message: msg}} }
	for _, tc := range []struct {
		name   string
		r      *rules.Report
		failOn string
		want   int
	}{
		{"clear", engineReport("x", clear), "error", exitOK},
		{"warning below fail-on", engineReport("x", withFinding(rules.SeverityWarning)), "error", exitOK},
		{"error at fail-on", engineReport("x", withFinding(rules.SeverityError)), "error", exitFindings},
		{"warning with fail-on warning", engineReport("x", withFinding(rules.SeverityWarning)), "warning", exitFindings},
		{"fail-on none", engineReport("x", withFinding(rules.SeverityCritical)), "none", exitOK},
		{"no host", engineReport("x"), "error", exitUnrecognised},
		{"nothing evaluable", engineReport("x", nothing), "error", exitUnrecognised},
		{"empty input", &rules.Report{Input: "x", ReadErrors: readErr("detect: " + bundles.ErrEmpty.Error())}, "error", exitUnrecognised},
		{"unknown format", &rules.Report{Input: "x", ReadErrors: readErr("detect: " + bundles.ErrUnknownFormat.Error())}, "error", exitUnrecognised},
		{"corrupt", &rules.Report{Input: "x", ReadErrors: readErr("gzip: corrupt data: flate")}, "error", exitUsage},
		{"corrupt member but findings", func() *rules.Report {
			r := engineReport("x", withFinding(rules.SeverityError))
			r.ReadErrors = readErr("gzip: corrupt data")
			return r
		}(), "error", exitFindings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := exitFor(buildJSONReport(nil, tc.r, jsonFilters{}), tc.failOn)
			code := exitOK
			var ee *exitError
			if errors.As(err, &ee) {
				code = ee.code
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, code)
		})
	}
}

func TestIsArchive(t *testing.T) {
	tarHead := make([]byte, 512)
	copy(tarHead[257:], "ustar")
	for _, tc := range []struct {
		head []byte
		want bool
	}{
		{[]byte{0x1f, 0x8b, 8}, true},
		{[]byte("PK\x03\x04rest"), true},
		{[]byte{0x28, 0xb5, 0x2f, 0xfd}, true},
		{tarHead, true},
		{[]byte("2024-03-07T10:15:01Z cpu3:2097)ScsiDeviceIO"), false},
		{nil, false},
	} {
		require.Equal(t, tc.want, isArchive(tc.head), "%q", tc.head)
	}
}

// The JSON field names are the contract: a rename must be deliberate.
func TestJSONFieldNamesStable(t *testing.T) {
	var m map[string]any
	var buf bytes.Buffer
	require.NoError(t, renderJSON(&buf, sampleReport()))
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
	host := m["hosts"].([]any)[0].(map[string]any)
	finding := host["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"rule_id", "severity", "title", "summary", "object", "fingerprint", "count", "first", "last", "evidence", "remediation", "kb", "facts"} {
		require.Contains(t, finding, k)
	}
	for _, k := range []string{"input", "bundle", "files", "bytes", "lines", "first", "last", "unparsed", "findings", "rule_statuses", "devices"} {
		require.Contains(t, host, k)
	}
}
