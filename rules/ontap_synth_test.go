package rules

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/esxdiag/esxdiag/bundles"
	"github.com/esxdiag/esxdiag/bundles/synth"
	"github.com/esxdiag/esxdiag/parser"
)

// End to end over generated inputs: an in-memory synth vm-support .tgz with
// the ua-storm and thinprov-nospace problems, plus the filer's log generated
// from its manifest (synth.ONTAPForManifest) in both ONTAP shapes.
func TestE2EOntapSynth(t *testing.T) {
	for _, form := range []synth.ONTAPForm{synth.ONTAP7Mode, synth.ONTAPEventLog} {
		t.Run([]string{"7mode", "eventlog"}[form], func(t *testing.T) {
			cfg := synth.Config{Host: "esx07", Generation: synth.ESXi7, TargetBytes: 1 << 20, Seed: 7,
				Problems: []synth.Problem{synth.UAStorm, synth.ThinProvNoSpace}}
			var tgz bytes.Buffer
			man, err := synth.Generate(&tgz, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			if err := synth.WriteONTAP(&log, synth.ONTAPForManifest(man, form)); err != nil {
				t.Fatal(err)
			}
			if k := parser.KindOfContent(log.Bytes()); k != parser.KindONTAP {
				t.Fatalf("generated ONTAP log sniffed as %v", k)
			}
			ctx := context.Background()
			esx, err := bundles.OpenReader(ctx, man.Root+".tgz", &tgz, bundles.Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			filer, err := bundles.OpenReader(ctx, "filer1-messages.log", bytes.NewReader(log.Bytes()), bundles.Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := AnalyzeSources(ctx, []*bundles.Source{esx, filer}, Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			uaDev, _ := synth.ProblemDevice(synth.UAStorm)
			spDev, _ := synth.ProblemDevice(synth.ThinProvNoSpace)
			f, h := findRule(rep, lunMapUAID)
			if f == nil {
				t.Fatalf("no %s finding: %s", lunMapUAID, rep)
			}
			if h.Bundle.Host != "esx07" || f.Object != uaDev || !strings.HasPrefix(f.Facts["lun_path"], "/vol/") {
				t.Errorf("finding %s on %s: %v", f.Object, h.Bundle.Host, f.Facts)
			}
			wantConf := "high"
			if form == synth.ONTAPEventLog {
				wantConf = "medium" // no zone in event log rows
			}
			if f.Facts["confidence"] != wantConf || f.Facts["serial"] != synth.DeviceSerial(0) {
				t.Errorf("confidence %q serial %q", f.Facts["confidence"], f.Facts["serial"])
			}
			s, _ := findRule(rep, spaceHostID)
			if s == nil {
				t.Fatalf("no %s finding", spaceHostID)
			}
			if s.Facts["host_device"] != spDev || s.Facts["host_symptom"] != "out-of-space" || !strings.Contains(s.Summary, "wafl.vol.full") {
				t.Errorf("space finding %s: %v", s.Summary, s.Facts)
			}
			// Times line up: the array event precedes the host symptom within the window.
			at, _ := time.Parse(time.RFC3339, f.Facts["array_time"])
			if d := f.First.Sub(at); d > 0 || d < -ontapSkew {
				t.Errorf("first %v array %v", f.First, at)
			}
		})
	}
}
