package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestOutcomeFromReport(t *testing.T) {
	jr := &jsonReport{
		Schema:  reportSchemaID,
		Inputs:  []string{"vc.zip"},
		Summary: jsonSummary{Hosts: 2, Recognised: true},
		Hosts: []jsonHost{
			{Bundle: jsonBundle{Path: "vc.zip!esx-a.tgz", Host: "esx-a", Version: "7.0.3", Build: "21930508", CollectedAt: "2024-03-07T10:00:00Z"},
				Findings: []jsonFinding{
					{RuleID: "scsi-sense", Severity: "warning", Title: "SCSI", Object: "naa.1", Count: 4},
					{RuleID: "apd-timeout", Severity: "error", Title: "APD", Object: "naa.1", Count: 2},
					{RuleID: "scsi-sense", Severity: "error", Title: "SCSI", Object: "naa.2", Count: 1},
				}},
			{Bundle: jsonBundle{Path: "vc.zip!esx-b.tgz"}},
		},
		ReadErrors: []jsonReadError{
			{Path: "vc.zip!esx-b.tgz!var/log/x.gz", Message: "bundles: vc.zip!esx-b.tgz!var/log/x.gz at offset 10: inflate: unexpected EOF"},
		},
	}
	out, err := outcomeFromReport(jr, -1, "")
	require.NoError(t, err)
	var want bytes.Buffer
	require.NoError(t, renderJSON(&want, jr))
	require.Equal(t, want.String(), string(out.Report), "report bytes are analyze's")
	require.Equal(t, []triageHost{
		{Host: "esx-a", Version: "7.0.3", Build: "21930508", CollectedAt: time.Date(2024, 3, 7, 10, 0, 0, 0, time.UTC),
			Worst: "error", Findings: []triageFinding{
				{RuleID: "apd-timeout", Severity: "error", Title: "APD", Objects: 1, Count: 2},
				{RuleID: "scsi-sense", Severity: "error", Title: "SCSI", Objects: 2, Count: 5},
			}},
		{Host: "unknown", ReadErrors: 1},
	}, out.Hosts)
	require.Len(t, out.ReadErrors, 1)

	// An error of the container itself (no host's path) counts on every row.
	jr.ReadErrors = append(jr.ReadErrors, jsonReadError{Path: "vc.zip", Offset: 99, Message: "zip: truncated"})
	out, err = outcomeFromReport(jr, -1, "")
	require.NoError(t, err)
	require.Equal(t, 1, out.Hosts[0].ReadErrors)
	require.Equal(t, 2, out.Hosts[1].ReadErrors)
	require.Contains(t, out.ReadErrors, "vc.zip at offset 99: zip: truncated")

	jr.Summary.Recognised = false
	out, err = outcomeFromReport(jr, -1, "")
	require.NoError(t, err)
	require.Empty(t, out.Hosts, "nothing recognised: the bundle is reported unreadable")
}
