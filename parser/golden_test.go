package parser

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestGolden parses one short excerpt per ESX/ESXi generation and compares
// every extracted field with testdata/golden/<gen>/want.txt.
func TestGolden(t *testing.T) {
	for _, gen := range []string{"esx35", "esx4", "esx5", "esx6", "esx7", "esx8"} {
		t.Run(gen, func(t *testing.T) {
			dir := filepath.Join("testdata", "golden", gen)
			in, err := os.ReadFile(filepath.Join(dir, "input.log"))
			if err != nil {
				t.Fatal(err)
			}
			got := describe(in, refTime)
			wantPath := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from golden; got:\n%s", wantPath, got)
			}
		})
	}
}

// describe renders everything the parser extracts from a text, line by line.
func describe(in []byte, ref time.Time) []byte {
	var out bytes.Buffer
	fmt.Fprintf(&out, "kind-of-content: %s\n", KindOfContent(in))
	var (
		h   Header
		j   ScsiJoiner
		u   Unparsed
		num int
	)
	emit := func(rec []byte) {
		var ev ScsiEvent
		if ParseScsi(rec, &ev) {
			fmt.Fprintf(&out, "  scsi[L%d]: %s\n", num, fmtScsi(&ev))
		}
	}
	forEachLine(in, func(l []byte) {
		num++
		if !ParseHeader(l, ref, &h) {
			u.Observe(l, int64(num))
			fmt.Fprintf(&out, "L%d: no header\n", num)
		} else {
			fmt.Fprintf(&out, "L%d: %s\n", num, fmtHeader(&h))
		}
		j.Feed(&h, l, emit)
		var r RamdiskRow
		if ParseVdfRow(l, &r) {
			fmt.Fprintf(&out, "  ramdisk: name=%s mount=%q size=%d used=%d free=%d use=%d%%\n", r.Name, r.Mount, r.Size, r.Used, r.Free, r.UsePct)
		}
		var lk EsxConfLock
		if ParseEsxConfLock(l, &lk) {
			fmt.Fprintf(&out, "  esxconf-lock: holder=%q pid=%d\n", lk.Holder, lk.PID)
		}
		var md MethodDisabled
		if ParseMethodDisabled(l, &md) {
			fmt.Fprintf(&out, "  method-disabled: who=%q method=%q vm=%q\n", md.Who, md.Method, md.VM)
		}
		var cd CoreDump
		if ParseCoreDump(l, &cd) {
			fmt.Fprintf(&out, "  coredump: process=%q file=%q pid=%d world=%d\n", cd.Process, cd.File, cd.PID, cd.World)
		}
		var v Vob
		if ParseVob(l, &v) {
			fmt.Fprintf(&out, "  vob: id=%s message=%.60q\n", v.ID, v.Message)
		}
	})
	j.Flush(emit)
	fmt.Fprintf(&out, "unparsed: %d", u.Count)
	if u.Count > 0 {
		fmt.Fprintf(&out, " first L%d %q", u.SampleLine, u.Sample)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func fmtHeader(h *Header) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "grammar=%s", h.Grammar)
	if h.HasTime {
		fmt.Fprintf(&b, " time=%s", h.Time.Format(time.RFC3339Nano))
		if h.TimeInferred {
			b.WriteString(" (year inferred)")
		}
	}
	if h.Continuation {
		b.WriteString(" continuation")
	}
	if h.PRI >= 0 {
		fmt.Fprintf(&b, " pri=%d", h.PRI)
	}
	if h.Host != nil {
		fmt.Fprintf(&b, " host=%s", h.Host)
	}
	if h.Proc != nil {
		fmt.Fprintf(&b, " proc=%s", h.Proc)
	}
	if h.PID >= 0 {
		fmt.Fprintf(&b, " pid=%d", h.PID)
	}
	if h.CPU >= 0 {
		fmt.Fprintf(&b, " cpu=%d world=%d", h.CPU, h.World)
	}
	if h.HasUptime {
		fmt.Fprintf(&b, " uptime=%s", h.Uptime)
	}
	if h.Level != nil {
		fmt.Fprintf(&b, " level=%s", h.Level)
	}
	if h.Component != nil {
		fmt.Fprintf(&b, " component=%q", h.Component)
	}
	if h.OpID != nil {
		fmt.Fprintf(&b, " opID=%s", h.OpID)
	}
	fmt.Fprintf(&b, "\n  body=%.70q", h.Body)
	return b.String()
}

func fmtScsi(ev *ScsiEvent) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "op=%#x dev=%s path=%s world=%d", ev.Opcode, ev.Device, ev.Path, ev.World)
	if ev.CmdSN != nil {
		fmt.Fprintf(&b, " cmdsn=%s", ev.CmdSN)
	}
	if ev.HasStatus {
		fmt.Fprintf(&b, " H:%#x D:%#x P:%#x form=%s", ev.Host, ev.Dev, ev.Plugin, ev.Form)
	}
	fmt.Fprintf(&b, " sense=%s %#x/%#x/%#x", ev.Validity, ev.Key, ev.ASC, ev.ASCQ)
	if ev.Action != nil {
		fmt.Fprintf(&b, " act=%s", ev.Action)
	}
	if ev.PDL {
		b.WriteString(" PDL")
	}
	if ev.Split {
		b.WriteString(" split(unjoined)")
	}
	if ev.Summary {
		b.WriteString(" summary")
	}
	fmt.Fprintf(&b, " repeat=%d", ev.Repeat)
	return b.String()
}
