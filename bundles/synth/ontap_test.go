package synth

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestWriteONTAP(t *testing.T) {
	at := time.Date(2024, 3, 7, 10, 14, 58, 0, time.UTC)
	cfg := ONTAPConfig{Node: "filer1", Events: []ONTAPEvent{{Time: at, Name: "lun.map", Severity: "info",
		Message: "LUN /vol/v/l was mapped to initiator group g=0"}}, LUNs: []ONTAPLUN{{Path: "/vol/v/l", Serial: DeviceSerial(0)}}}
	var b bytes.Buffer
	if err := WriteONTAP(&b, cfg); err != nil {
		t.Fatal(err)
	}
	want := "Thu Mar  7 05:14:58 EST [filer1: lun.map:info]: LUN /vol/v/l was mapped to initiator group g=0\n" +
		"filer1> lun show -v\n        /vol/v/l   100g (107374182400)  (r/w, online, mapped)\n                Serial#: sYnTh-LUN000\n                Multiprotocol Type: vmware\n"
	if b.String() != want {
		t.Errorf("7-Mode:\n%s\nwant\n%s", b.String(), want)
	}
	cfg.Form, cfg.Events[0].Severity = ONTAPEventLog, "NOTICE"
	b.Reset()
	if err := WriteONTAP(&b, cfg); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "3/7/2024 10:14:58   filer1   NOTICE  lun.map: LUN /vol/v/l") || !strings.Contains(b.String(), "Serial Number: sYnTh-LUN000") {
		t.Errorf("event log:\n%s", b.String())
	}
	cfg.Events[0].Message = "a\nb"
	if err := WriteONTAP(&b, cfg); err == nil {
		t.Error("newline accepted")
	}
	if !strings.Contains(DeviceID(0), "73596e54682d4c554e303030") { // hex("sYnTh-LUN000")
		t.Errorf("DeviceSerial does not match DeviceID: %s", DeviceID(0))
	}
}

func TestONTAPForManifest(t *testing.T) {
	first := time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC)
	m := &Manifest{Problems: []ProblemInfo{
		{Problem: UAStorm, First: first, Last: first.Add(time.Minute)},
		{Problem: ThinProvNoSpace, First: first.Add(time.Hour), Last: first.Add(time.Hour + time.Minute)},
	}}
	c := ONTAPForManifest(m, ONTAP7Mode)
	names := map[string]time.Time{}
	for _, e := range c.Events {
		if _, ok := names[e.Name]; !ok {
			names[e.Name] = e.Time
		}
	}
	if got := names["lun.map"]; !got.Equal(first.Add(-2 * time.Second)) {
		t.Errorf("lun.map at %v", got)
	}
	if got := names["wafl.vol.full"]; !got.Equal(first.Add(time.Hour - 10*time.Second)) {
		t.Errorf("wafl.vol.full at %v", got)
	}
	if len(c.LUNs) != NumDevices {
		t.Errorf("%d LUNs", len(c.LUNs))
	}
	for i := 1; i < len(c.Events); i++ {
		if c.Events[i].Time.Before(c.Events[i-1].Time) {
			t.Fatal("events not in time order")
		}
	}
}
