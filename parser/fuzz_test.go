package parser

import (
	"bytes"
	"testing"
	"time"
)

// Each grammar and extractor has its own fuzz target, seeded with its real
// lines. Invariants: no panic, every view lies inside the input, times are UTC.

func headerSeeds(f *testing.F, gs ...Grammar) {
	for _, c := range headerCases {
		for _, g := range gs {
			if c.want.g == g {
				f.Add(c.line)
			}
		}
	}
}

func fuzzHeader(t *testing.T, line string) {
	b := []byte(line)
	var h Header
	ok := ParseHeader(b, refTime, &h)
	if !ok {
		return
	}
	for _, v := range [][]byte{h.Level, h.Component, h.OpID, h.Body, h.Proc, h.Host} {
		if len(v) > 0 && !bytes.Contains(b, v) {
			t.Fatalf("view %q not in line", v)
		}
	}
	if h.HasTime && h.Time.Location() != time.UTC {
		t.Fatal("time not UTC")
	}
	if h.Grammar == GrammarNone {
		t.Fatal("ok without grammar")
	}
	var h2 Header
	ParseHeader(b, time.Time{}, &h2) // zero ref must not panic
}

func FuzzHeaderVmkernel(f *testing.F) {
	headerSeeds(f, GrammarVmk5, GrammarVmkUptime, GrammarVmkBare)
	f.Fuzz(fuzzHeader)
}

func FuzzHeaderESXi8(f *testing.F) {
	headerSeeds(f, GrammarESXi8)
	f.Fuzz(fuzzHeader)
}

func FuzzHeaderSyslog(f *testing.F) {
	headerSeeds(f, GrammarSyslog)
	f.Fuzz(fuzzHeader)
}

func FuzzHeaderHostd(f *testing.F) {
	headerSeeds(f, GrammarHostdPre5, GrammarHostd5, GrammarOriginator, GrammarVpxdQuoted)
	f.Fuzz(fuzzHeader)
}

func FuzzHeaderVobd(f *testing.F) {
	headerSeeds(f, GrammarVobd)
	f.Fuzz(fuzzHeader)
}

func FuzzHeaderForwarded(f *testing.F) {
	headerSeeds(f, GrammarRFC5424, GrammarISO, GrammarContinuation)
	f.Add("<166>1 2024-03-07T10:15:01Z h app 1 - [a b=\"c\\]\"] msg")
	f.Fuzz(fuzzHeader)
}

func within(t *testing.T, b []byte, vs ...[]byte) {
	t.Helper()
	for _, v := range vs {
		if len(v) > 0 && !bytes.Contains(b, v) {
			t.Fatalf("view %q not in input", v)
		}
	}
}

func FuzzParseVdfRow(f *testing.F) {
	for _, s := range []string{"hostdstats 166M 166M 0B 100% --", "tmp 192M 60K 191M 0% --",
		"root            true                  true  32768 KiB     32768 KiB   2732 KiB   3088 KiB  91 %           91 %            8192              8192         5425  /"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var r RamdiskRow
		if ParseVdfRow([]byte(s), &r) {
			within(t, []byte(s), r.Name, r.Mount)
			if r.Size < 0 || r.Used < 0 || r.Free < 0 {
				t.Fatalf("negative size %+v", r)
			}
		}
	})
}

func FuzzParseEsxConfLock(f *testing.F) {
	f.Add(`Error interacting with configuration file /etc/vmware/esx.conf: Failed attempting to lock file.  Another process has locked the file for more than 20 seconds. The process holding the lock is hostd (1363758).`)
	f.Add(`/etc/vmware/esx.conf.LOCK ... The process currently holding the lock is hostd-worker(5055).`)
	f.Fuzz(func(t *testing.T, s string) {
		var l EsxConfLock
		if ParseEsxConfLock([]byte(s), &l) {
			within(t, []byte(s), l.Holder)
		}
	})
}

func FuzzParseMethodDisabled(f *testing.F) {
	f.Add(`govc: ServerFaultCode: The method is disabled by 'VIC'`)
	f.Add(`[VpxLRO] -- ERROR task-768 -- vm-1234 -- vim.VirtualMachine.relocate: vim.fault.MethodDisabled:`)
	f.Fuzz(func(t *testing.T, s string) {
		var m MethodDisabled
		if ParseMethodDisabled([]byte(s), &m) {
			within(t, []byte(s), m.Who, m.Method, m.VM)
		}
	})
}

func FuzzParseCoreDump(f *testing.F) {
	f.Add(`cpu6:3476319)UserDump: 1485: Dumping cartel 3476251 (from world 3476319) to file /var/core/hostd-worker-zdump.000 ...`)
	f.Add(`User: 2888: wantCoreDump : hostd-worker -enabled : 1`)
	f.Fuzz(func(t *testing.T, s string) {
		var c CoreDump
		if ParseCoreDump([]byte(s), &c) {
			within(t, []byte(s), c.Process, c.File)
		}
	})
}

func FuzzParseVob(f *testing.F) {
	f.Add(`2012-08-01T10:10:10.123Z: [APDCorrelator] 1234567us: [esx.problem.storage.apd.timeout] Device`)
	f.Add(`eventTypeId = esx.clear.bootdevice.apd.exit`)
	f.Fuzz(func(t *testing.T, s string) {
		var v Vob
		if ParseVob([]byte(s), &v) {
			within(t, []byte(s), v.ID, v.Message)
		}
	})
}

func FuzzNormalizeSnippet(f *testing.F) {
	f.Add("    Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)x: Command 0×28 to device „naa.xxxxxxxxxxxxx“ failed\r\n")
	f.Add("\r\r\n\u00a0\u201c")
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := NormalizeSnippet([]byte(s))
		again, notes := NormalizeSnippet(out)
		if !bytes.Equal(out, again) && len(notes) == 0 {
			t.Fatalf("changed without notes")
		}
	})
}

func FuzzKindOf(f *testing.F) {
	for _, s := range []string{"var/run/log/vmkernel.12.gz.FRAG-00001", "x.tgz!a/var/log/hostd.log.3", "vpxd-12.log", "commands/vdf_-h.txt", ".gz", "..FRAG-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = KindOf(s).String()
		_ = KindOfContent([]byte(s))
	})
}

func FuzzUnparsed(f *testing.F) {
	f.Add("2024-03-07T10:15:01.123Z cpu3:)broken")
	f.Add("<13")
	f.Fuzz(func(t *testing.T, s string) {
		var u Unparsed
		u.Observe([]byte(s), 1)
		if len(u.Sample) > MaxSample {
			t.Fatal("sample too long")
		}
	})
}
