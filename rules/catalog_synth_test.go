package rules

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/bundles/synth"
)

// synthExpect says which finding proves that the catalog recognised an
// injected synth problem. Each returns "" when satisfied, else what is missing.
var synthExpect = map[synth.Problem]func(fs []Finding, pi synth.ProblemInfo) string{
	synth.UAStorm:             wantClass("lun-inventory-changed"),
	synth.HostdStatsFull:      wantRule("hostdstats-exhausted", SeverityCritical),
	synth.EsxConfLock:         wantEsxConfHolder,
	synth.RelocateVMDisabled:  wantRule("relocatevm-disabled", SeverityWarning),
	synth.HostdCrash:          wantRule("hostd-crash", SeverityError),
	synth.SnapshotQuiesce:     wantRule("snapshot-quiesce-failure", SeverityWarning),
	synth.APD:                 wantAll(wantAny("apd-start"), wantAny("apd-timeout")),
	synth.PDL:                 wantAnyOr(wantAny("pdl"), wantClass("pdl")),
	synth.Latency:             wantRule("io-latency-deteriorated", SeverityWarning),
	synth.ReservationConflict: wantAnyOr(wantAny("scsi-reservation-conflict"), wantClass("reservation-conflict")),
	synth.QueueFull:           wantAny("queue-full-throttling"),
	synth.ThinProvNoSpace:     wantClass("out-of-space"),
	synth.DeadPath:            wantAny("path-redundancy-lost", "path-failover", "storage-connectivity-lost"),
}

// synthExpectESX4 overrides synthExpect where ESX/ESXi 4.x logs only the
// symptom: no APD handler and no vobd before ESXi 5, so lost paths show as
// H:0x1 NO_CONNECT failures (KB 1029039) on the device.
var synthExpectESX4 = map[synth.Problem]func(fs []Finding, pi synth.ProblemInfo) string{
	synth.APD:      wantClass("host-no-connect"),
	synth.DeadPath: wantClass("host-no-connect"),
}

func wantAll(a, b func([]Finding, synth.ProblemInfo) string) func([]Finding, synth.ProblemInfo) string {
	return func(fs []Finding, pi synth.ProblemInfo) string {
		if m := a(fs, pi); m != "" {
			return m
		}
		return b(fs, pi)
	}
}

func wantRule(id string, min Severity) func([]Finding, synth.ProblemInfo) string {
	return func(fs []Finding, _ synth.ProblemInfo) string {
		for _, f := range fs {
			if f.RuleID == id && f.Severity >= min {
				return ""
			}
		}
		return fmt.Sprintf("no %s finding at %v or above", id, min)
	}
}

func wantAny(ids ...string) func([]Finding, synth.ProblemInfo) string {
	return func(fs []Finding, _ synth.ProblemInfo) string {
		for _, f := range fs {
			for _, id := range ids {
				if f.RuleID == id {
					return ""
				}
			}
		}
		return "none of " + strings.Join(ids, ", ") + " fired"
	}
}

func wantAnyOr(a, b func([]Finding, synth.ProblemInfo) string) func([]Finding, synth.ProblemInfo) string {
	return func(fs []Finding, pi synth.ProblemInfo) string {
		if a(fs, pi) == "" || b(fs, pi) == "" {
			return ""
		}
		return a(fs, pi) + " and " + b(fs, pi)
	}
}

// wantClass: a scsi-sense finding of that class, on the problem's device when it names one.
func wantClass(class string) func([]Finding, synth.ProblemInfo) string {
	return func(fs []Finding, pi synth.ProblemInfo) string {
		for _, f := range fs {
			if f.RuleID == scsiSenseID && f.Facts["class"] == class && (pi.Device == "" || f.Object == pi.Device || strings.HasPrefix(f.Object, "vmhba")) {
				return ""
			}
		}
		return "no scsi-sense finding of class " + class + " on " + pi.Device
	}
}

func wantEsxConfHolder(fs []Finding, _ synth.ProblemInfo) string {
	for _, f := range fs {
		if f.RuleID == esxconfLockID && f.Facts["holder"] != "" && f.Facts["pid"] != "" {
			return ""
		}
	}
	return "no esxconf-lock-contention finding naming holder and PID"
}

func analyzeSynth(t *testing.T, cfg synth.Config) (*Report, *synth.Manifest) {
	t.Helper()
	var buf bytes.Buffer
	man, err := synth.Generate(&buf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	src, err := bundles.OpenReader(ctx, man.Root+".tgz", &buf, bundles.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(ctx, src, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Hosts) != 1 {
		t.Fatalf("%d hosts", len(rep.Hosts))
	}
	return rep, man
}

// TestSynthProblems: for every problem the generator can inject, on every
// ESX/ESXi generation that supports it, a generated bundle yields the rule
// that names it.
func TestSynthProblems(t *testing.T) {
	for _, p := range synth.AllProblems() {
		if synthExpect[p] == nil {
			t.Errorf("no expectation for synth problem %q: add it to synthExpect", p)
		}
	}
	for _, g := range synth.Generations() {
		for _, p := range synth.AllProblems() {
			if !synth.Supported(g, p) {
				continue
			}
			g, p := g, p
			t.Run(g.String()+"/"+string(p), func(t *testing.T) {
				rep, man := analyzeSynth(t, synth.Config{Generation: g, Problems: []synth.Problem{p}, TargetBytes: 256 << 10, Seed: 7})
				var pi synth.ProblemInfo
				for _, x := range man.Problems {
					if x.Problem == p {
						pi = x
					}
				}
				fs := rep.Hosts[0].Findings
				want := synthExpect[p]
				if g <= synth.ESX4 && synthExpectESX4[p] != nil {
					want = synthExpectESX4[p]
				}
				if msg := want(fs, pi); msg != "" {
					var got []string
					for _, f := range fs {
						got = append(got, f.RuleID+"/"+f.Object+"/"+f.Facts["class"])
					}
					t.Errorf("%s on %s: %s; findings: %v", p, g, msg, got)
				}
			})
		}
	}
}

// TestCatalogQuietOnNoise: a clean generated bundle (noise only) yields no
// finding above info, on every generation.
func TestCatalogQuietOnNoise(t *testing.T) {
	for _, g := range synth.Generations() {
		rep, _ := analyzeSynth(t, synth.Config{Generation: g, TargetBytes: 2 << 20, Seed: 11})
		for _, f := range rep.Hosts[0].Findings {
			if f.Severity > SeverityInfo {
				t.Errorf("%s: %s (%v) fired on a clean bundle: %s\n%+v", g, f.RuleID, f.Severity, f.Summary, f.Evidence)
			}
		}
	}
}

// TestSynthAllProblemsTogether: every problem injected into one bundle is
// still recognised next to all the others.
func TestSynthAllProblemsTogether(t *testing.T) {
	for _, g := range []synth.Generation{synth.ESX35, synth.ESX4, synth.ESXi6, synth.ESXi8} {
		var ps []synth.Problem
		for _, p := range synth.AllProblems() {
			if synth.Supported(g, p) {
				ps = append(ps, p)
			}
		}
		rep, man := analyzeSynth(t, synth.Config{Generation: g, Problems: ps, TargetBytes: 1 << 20, Seed: 3})
		fs := rep.Hosts[0].Findings
		for _, pi := range man.Problems {
			want := synthExpect[pi.Problem]
			if g <= synth.ESX4 && synthExpectESX4[pi.Problem] != nil {
				want = synthExpectESX4[pi.Problem]
			}
			if msg := want(fs, pi); msg != "" {
				t.Errorf("%s, all problems: %s: %s", g, pi.Problem, msg)
			}
		}
		if len(rep.Hosts[0].Devices) == 0 {
			t.Errorf("%s: no per-device SCSI rows", g)
		}
	}
}
