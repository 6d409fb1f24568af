package synth

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Grammars transcribed from formats.md §2 (the reference the parser also follows).
// The test checks every physical line the generator writes against them, so a
// generator change that drifts from the real formats fails here.
const (
	isoMs  = `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`
	sysTS  = `[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d`
	pre50H = `\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \w+ (?:verbose|info|warning|error) '[^']+'(?: opID=[^ \]]+)?\] `
	frame  = `\[\d\d\] rip [0-9a-f]+`
)

var (
	// §2.3 ESXi 5.0–7.x vmkernel.log / vmkwarning.log
	reVmk57 = regexp.MustCompile(`^` + isoMs + ` cpu\d+:\d+(?: opID=[^)]+)?\)(?:(?:WARNING|ALERT): )?[^:]+: .*$`)
	// §2.4 ESXi 8 vmkernel/vmkwarning, and the generic 8.x record
	reVmk8 = regexp.MustCompile(`^` + isoMs + ` (?:Db|In|No|Wa|Er|Cr|Al|Em)\(\d+\)(?:\[\+\]|\+)? (?:vmkernel|vmkwarning): (?:cpu\d+:\d+(?: opID=[^)]+)?\))?.*$`)
	reGen8 = regexp.MustCompile(`^` + isoMs + ` (?:Db|In|No|Wa|Er|Cr|Al|Em)\((\d+)\)(?:\[\+\]|\+)? ([^\[:]+)(?:\[(\d+)\])?: (.*)$`)
	// §2.5 hostd/vpxa 5.x, 6.0–7.x, continuation, section header
	reMgmt5  = regexp.MustCompile(`^` + isoMs + ` \[[0-9A-F]+ (?:verbose|info|warning|error) '[^']+'(?: opID=[^ \]]+)?(?: user=[^ \]]+)?\] .*$`)
	reMgmt67 = regexp.MustCompile(`^` + isoMs + ` (?:verbose|info|warning|error) [\w-]+\[\w+\] \[Originator@6876 sub=.+?(?: opID=[^\]]+)?\] .*$`)
	reCont   = regexp.MustCompile(`^--> .*$`)
	reSect   = regexp.MustCompile(`^` + isoMs + ` - last log rotation time, ` + isoMs + ` - time the service was last started, Section for VMware ESX, pid=\d+, version=\d+\.\d+\.\d+, build=\d+, option=\w+$`)
	reSect8  = regexp.MustCompile(`Logs rotated\. .*Section for VMware ESX, pid=\d+, version=\d+\.\d+\.\d+, build=\d+, option=\w+$`)
	// §2.6 vobd 5–7 (8 is reGen8 with two spaces after "]:")
	reVobd57   = regexp.MustCompile(`^` + isoMs + `: \[\w+Correlator\] \d+us: \[(?:vob|esx)\.[\w.]+\] .*$`)
	reVobdBody = regexp.MustCompile(`^ \[\w+Correlator\] \d+us: \[(?:vob|esx)\.[\w.]+\] .*$`)
	// §2.2 4.x syslog wrapper and the vmkernel uptime rest; pre-5.0 hostd.log
	reSyslog  = regexp.MustCompile(`^` + sysTS + ` (?:\S+ )?(vmkernel|Hostd|[\w-]+)(?:\[\d+\])?: (.*)$`)
	reUptime  = regexp.MustCompile(`^\d+:\d\d:\d\d:\d\d\.\d{3} cpu\d+:\d+\)(?:(?:WARNING|ALERT): )?[^:]+: .*$`)
	reHostdIn = regexp.MustCompile(`^(?:` + pre50H + `.*|` + frame + `)$`)
	rePre50   = regexp.MustCompile(`^(?:` + pre50H + `.*|` + frame + `)$`)
)

// checkLine returns "" if line fits the grammar of kind on gen.
func checkLine(gen Generation, kind, line string) string {
	switch gen {
	case ESX35, ESX4:
		switch kind {
		case "hostd", "vpxa":
			if rePre50.MatchString(line) {
				return ""
			}
			return "pre-5.0 hostd/vpxa"
		}
		m := reSyslog.FindStringSubmatch(line)
		if m == nil {
			return "4.x syslog wrapper"
		}
		switch m[1] {
		case "vmkernel":
			if !reUptime.MatchString(m[2]) {
				return "vmkernel uptime rest"
			}
		case "Hostd":
			if !reHostdIn.MatchString(m[2]) {
				return "Hostd in messages"
			}
		}
		return ""
	case ESXi8:
		if kind == "vmkernel" || kind == "vmkwarning" {
			if reVmk8.MatchString(line) || reSect8.MatchString(line) && reGen8.MatchString(line) {
				return ""
			}
			return "8.x vmkernel"
		}
		m := reGen8.FindStringSubmatch(line)
		if m == nil {
			return "8.x syslog record"
		}
		switch kind {
		case "hostd", "vpxa":
			if m[2] == "vmsyslogd" && reSect8.MatchString(line) {
				return ""
			}
			want := map[string]string{"hostd": "Hostd", "vpxa": "Vpxa"}[kind]
			if m[2] != want || !(strings.HasPrefix(m[4], "[Originator@6876 sub=") || strings.HasPrefix(m[4], "--> ") ||
				kind == "hostd" && strings.HasPrefix(m[4], "info -[")) {
				return "8.x " + kind
			}
		case "vobd":
			if m[2] == "vmsyslogd" {
				return ""
			}
			if m[2] != "vobd" || !reVobdBody.MatchString(m[4]) {
				return "8.x vobd"
			}
		}
		return ""
	}
	switch kind {
	case "vmkernel", "vmkwarning":
		if reVmk57.MatchString(line) {
			return ""
		}
		return "5-7 vmkernel"
	case "hostd", "vpxa":
		re := reMgmt67
		if gen == ESXi5 {
			re = reMgmt5
		}
		if re.MatchString(line) || reCont.MatchString(line) || reSect.MatchString(line) {
			return ""
		}
		return "hostd/vpxa"
	case "vobd":
		if reVobd57.MatchString(line) {
			return ""
		}
		return "5-7 vobd"
	}
	return ""
}

func kindOfPath(rel string) string {
	base := rel[strings.LastIndexByte(rel, '/')+1:]
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	return base
}

func TestGrammarEveryLine(t *testing.T) {
	for _, g := range Generations() {
		t.Run(g.String(), func(t *testing.T) {
			var ps []Problem
			for _, p := range AllProblems() {
				if Supported(g, p) {
					ps = append(ps, p)
				}
			}
			b, m := genBundle(t, Config{Generation: g, TargetBytes: 3 << 20, RotateBytes: 512 << 10, Problems: ps, Seed: 7})
			es, err := readTgz(t, b)
			if err != nil {
				t.Fatal(err)
			}
			files := logical(t, es)
			nlogs := 0
			for rel, data := range files {
				if !strings.HasPrefix(rel, "var/log/") && !strings.HasPrefix(rel, "var/run/log/") {
					continue
				}
				nlogs++
				kind := kindOfPath(rel)
				bad := 0
				for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
					if why := checkLine(g, kind, line); why != "" {
						if bad < 3 {
							t.Errorf("%s:%d does not fit %s grammar: %q", rel, i+1, why, line)
						}
						bad++
					}
				}
				if !bytes.HasSuffix(data, []byte("\n")) {
					t.Errorf("%s does not end with a newline", rel)
				}
			}
			if nlogs < 3 {
				t.Fatalf("only %d logs in %s bundle", nlogs, g)
			}
			// every member's declared size matches what was read
			sizes := map[string]int64{}
			for _, mi := range m.Members {
				sizes[mi.Name] = mi.Size
			}
			for _, e := range es {
				if want, ok := sizes[e.name]; ok && int64(len(e.data)) != want {
					t.Errorf("%s: %d bytes, manifest says %d", e.name, len(e.data), want)
				}
			}
		})
	}
}

// TestExactContentSize: each logical file has exactly the planned content size.
func TestExactContentSize(t *testing.T) {
	b, m := genBundle(t, Config{Generation: ESXi8, TargetBytes: 2 << 20, RotateBytes: 300 << 10, FragBytes: 200 << 10, Problems: AllProblems()})
	es, err := readTgz(t, b)
	if err != nil {
		t.Fatal(err)
	}
	files := logical(t, es)
	var total int64
	seen := map[string]bool{}
	for _, mi := range m.Members {
		if seen[mi.Rel] {
			continue
		}
		seen[mi.Rel] = true
		got, ok := files[mi.Rel]
		if !ok {
			t.Errorf("%s missing", mi.Rel)
			continue
		}
		if int64(len(got)) != mi.Content {
			t.Errorf("%s: %d bytes, want %d", mi.Rel, len(got), mi.Content)
		}
		total += mi.Content
	}
	if total != m.ContentBytes {
		t.Errorf("content %d, manifest %d", total, m.ContentBytes)
	}
	if m.ContentBytes < 2<<20 || m.ContentBytes > 3<<20 {
		t.Errorf("content %d far from target %d", m.ContentBytes, 2<<20)
	}
}

func ExampleDeviceID() {
	for _, p := range []Problem{UAStorm, APD, PDL, Latency, ReservationConflict, QueueFull, ThinProvNoSpace, DeadPath} {
		id, _ := ProblemDevice(p)
		fmt.Println(p, id)
	}
	// Output:
	// ua-storm naa.60a9800073596e54682d4c554e303030
	// apd naa.60a9800073596e54682d4c554e303031
	// pdl naa.60a9800073596e54682d4c554e303032
	// latency naa.60a9800073596e54682d4c554e303033
	// reservation-conflict naa.60a9800073596e54682d4c554e303034
	// queue-full naa.60a9800073596e54682d4c554e303035
	// thinprov-nospace naa.60a9800073596e54682d4c554e303036
	// dead-path naa.60a9800073596e54682d4c554e303037
}

// TestGrammarFixtures pins the test grammars to real lines (formats.md §2,
// public-samples.txt, CASE.md) so that checkLine cannot silently accept anything.
func TestGrammarFixtures(t *testing.T) {
	tests := []struct {
		gen  Generation
		kind string
		line string
		ok   bool
	}{
		{ESXi5, "vmkernel", `2011-04-04T21:07:30.257Z cpu2:2050)ScsiDeviceIO: 2315: Cmd(0x4124003edb00) 0x12, CmdSN 0x51 to dev "naa.600508XXXXXXXXXXXXX" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0`, true},
		{ESXi7, "vmkernel", `2022-06-02T02:16:57.414Z cpu31:1001392590 opID=827cfaf)<unk>: UWVMKSyscall: ForkExec:2408: hostd-worker: Found params <group=hostd-tmp,mem=10>`, true},
		{ESXi6, "vmkernel", `2015-04-01T22:22:35.038Z cpu22:44012977)ALERT: This is what an alert looks like.`, true},
		{ESXi8, "vmkwarning", `2023-08-08T15:08:36.834Z Wa(180) vmkwarning: cpu0:263421 opID=a03fc439)WARNING: Sched: vm 265285: 6404: could not create container group, status: Admission check failed for memory resource`, true},
		{ESXi8, "vmkernel", `2026-03-29T20:49:12.918Z In(182) vmkernel: cpu70:2098575)NMP: nmp_ThrottleLogForDevice:3893: Cmd 0x89 (0x45dd57ec84c0, 2097288) to dev "naa.1" on path "vmhba3:C0:T6:L17" Failed:`, true},
		{ESXi8, "hostd", `2024-03-26T04:31:17.959Z In(166) Hostd[2098914]: [Originator@6876 sub=Libs opID=539bc6dd-c7-c39c sid=52370179 user=vpxuser:VSPHERE.LOCAL\vpxd-extension-a86d81ba] notFound(403)`, true},
		{ESXi8, "hostd", `2022-06-02T02:56:51.640Z In(14) vmsyslogd[1001390391]: Logs rotated. 2022-06-02T02:54:42.721Z - time the service was last started 2022-06-02T02:54:42.708Z, Section for VMware ESX, pid=1001391976, version=8.0.0, build=19833347, option=BETA`, true},
		{ESXi5, "hostd", `2014-01-17T04:55:50.347Z [7F03ECE76700 verbose 'Default' opID=2140bc71] [VpxVmomi] Invoke done: vmodl.query.PropertyCollector.waitForUpdatesEx session: c580b3ef`, true},
		{ESXi5, "vpxa", `2010-10-10T22:53:31.077Z [45EEEB90 info 'Default' opID=D1D8F924-00002337-83] [VpxLRO] -- ERROR task-768 -- -- vpxapi.VpxaService.createSnapshot: vim.fault.ApplicationQuiesceFault:`, true},
		{ESXi7, "hostd", `2020-05-11T22:36:11.202Z verbose hostd[1000212678] [Originator@6876 sub=Vimsvc.Ticket 52 66 af 87 76 b0 ab 21-dd 2b 28 27 3a 39 fd fd opID=ec9d7fe8] Ticket issued for root`, true},
		{ESXi7, "hostd", `2021-05-24T20:31:05.671Z - last log rotation time, 2021-05-24T09:30:02.683Z - time the service was last started, Section for VMware ESX, pid=1000080910, version=7.0.3, build=0, option=DEBUG`, true},
		{ESXi7, "hostd", `--> )`, true},
		{ESX4, "messages", `Mar  1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: Command 0x28 to device "naa.xxxxxxxxxxxxx" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe.`, true},
		{ESX4, "messages", `Apr 7 17:33:20 esx_host Hostd: [2012-04-07 17:33:20.472 32AE9B90 error 'Statssvc'] Error: 'FileIO error: No space left : /var/lib/vmware/hostd/stats/hostAgentStats.idMap'; while adding stat`, true},
		{ESX4, "messages", `Jul 26 01:26:46 vmkernel: 7:21:06:31.191 cpu3:33421)WARNING: Heap: 1435: Heap_Align failed`, true},
		{ESX4, "hostd", `[2011-04-01 15:14:34.203 F5A5AB90 info 'vm:/vmfs/volumes/4d6579ec-23f981cb-465c-00237da0cfee/Vmotion-test/Vmotion-test.vmx' opID=F6FC49D5-000007E6-d] VMotionPrepare: dstMgmtIp=10.21.49.138`, true},
		{ESXi7, "vobd", `2019-06-12T08:14:01.000Z: [APDCorrelator] 1234567890us: [vob.storage.apd.start] Device or filesystem with identifier [naa.1] has entered the All Paths Down state.`, true},
		{ESXi8, "vobd", `2019-06-12T08:14:01.000Z In(14) vobd[2098141]:  [APDCorrelator] 1234567890us: [vob.storage.apd.start] Device or filesystem with identifier [naa.1] has entered the All Paths Down state.`, true},
		// negative: wrong generation's grammar, invented formats
		{ESXi8, "vmkernel", `2011-04-04T21:07:30.257Z cpu2:2050)ScsiDeviceIO: 2315: x`, false},
		{ESXi7, "hostd", `2022-06-02T02:15:22.987Z In(166) Hostd[1001392061]: info -[1001392061] [Originator@6876 sub=Default] Supported VMs 640`, false},
		{ESXi8, "hostd", `2022-06-02T02:15:22.987Z In(166) Hostd[1001392061]: info -[1001392061] [Originator@6876 sub=Default] Supported VMs 640`, true},
		{ESXi7, "hostd", `2020-05-11T22:32:22.736Z info -[1000212040] [Originator@6876 sub=Default] Successfully registered SIGHUP handler`, true},
		{ESXi7, "hostd", `2023-10-06T12:32:01Z [12345] error hostd[7F0ABCDEF123] invented`, false},
		{ESXi8, "vobd", `2019-06-12T08:14:01.000Z In(14) vobd[2098141]: [APDCorrelator] 1us: [vob.storage.apd.start] one space`, false},
		{ESX4, "messages", `2011-04-04T21:07:30.257Z cpu2:2050)ScsiDeviceIO: 2315: x`, false},
		{ESX4, "hostd", `2014-01-17T04:55:50.347Z [7F03ECE76700 verbose 'Default'] x`, false},
	}
	for _, tc := range tests {
		why := checkLine(tc.gen, tc.kind, tc.line)
		if (why == "") != tc.ok {
			t.Errorf("%s %s: ok=%v want %v (%s): %q", tc.gen, tc.kind, why == "", tc.ok, why, tc.line)
		}
	}
}

// TestVdfRows: the vdf -h ramdisk table has the header and row grammar of
// formats.md §1.2, and hostdstats is at 100% only with hostdstats-full.
func TestVdfRows(t *testing.T) {
	row := regexp.MustCompile(`^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)%\s+(\S+)$`)
	for _, g := range []Generation{ESX4, ESXi5, ESXi8} {
		for _, full := range []bool{false, true} {
			text := vdf(g, full)
			_, table, ok := strings.Cut(text, "Ramdisk                   Size      Used Available Use% Mounted on\n")
			if !ok {
				t.Fatalf("%s: no ramdisk header in\n%s", g, text)
			}
			var hostdstats string
			for _, line := range strings.Split(strings.TrimSuffix(table, "\n"), "\n") {
				m := row.FindStringSubmatch(line)
				if m == nil {
					t.Errorf("%s: row %q", g, line)
					continue
				}
				if m[1] == "hostdstats" {
					hostdstats = m[5]
				}
			}
			if want := map[bool]string{true: "100", false: ""}[full]; full && hostdstats != want || !full && hostdstats == "100" {
				t.Errorf("%s full=%v: hostdstats at %s%%", g, full, hostdstats)
			}
		}
	}
}
