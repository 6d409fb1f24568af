package parser

import "testing"

func TestParseVdfRow(t *testing.T) {
	cases := []struct {
		line             string
		ok               bool
		name, mount      string
		size, used, free int64
		pct              int
	}{
		// vdf -h, CASE.md case 1 (ESXi 4.1)
		{"MAINSYS 32M 21M 10M 68% --", true, "MAINSYS", "", 32 << 20, 21 << 20, 10 << 20, 68},
		{"tmp 192M 60K 191M 0% --", true, "tmp", "", 192 << 20, 60 << 10, 191 << 20, 0},
		{"updatestg 750M 24K 749M 0% --", true, "updatestg", "", 750 << 20, 24 << 10, 749 << 20, 0},
		{"hostdstats 166M 166M 0B 100% --", true, "hostdstats", "", 166 << 20, 166 << 20, 0, 100},
		{"hostdstats      166M      166M        0B 100% --\r", true, "hostdstats", "", 166 << 20, 166 << 20, 0, 100},
		{"root 1.5G 512M 1G 33% /", true, "root", "/", 3 << 29, 512 << 20, 1 << 30, 33},
		{"Ramdisk Size Used Available Use% Mounted on", false, "", "", 0, 0, 0, 0},
		{"-----", false, "", "", 0, 0, 0, 0},
		{"tmp 192Q 60K 191M 0% --", false, "", "", 0, 0, 0, 0},
		// visorfs ramdisk list (column layout inferred, see ParseVdfRow)
		{"root            true                  true  32768 KiB     32768 KiB   2732 KiB   3088 KiB  91 %           91 %            8192              8192         5425  /", true, "root", "/", 32 << 20, 2732 << 10, (32768 - 2732) << 10, 9},
		{"hostdstats     false                 false      0 KiB    303104 KiB 303104 KiB 303104 KiB   0 %            0 %           8192                32            5  /var/lib/vmware/hostd/stats", true, "hostdstats", "/var/lib/vmware/hostd/stats", 303104 << 10, 303104 << 10, 0, 100},
		{"Ramdisk Name  System  Include in Coredumps   Reserved      Maximum       Used  Peak Used   Free  Reserved Free  Maximum Inodes  Allocated Inodes  Used Inodes  Mount Point", false, "", "", 0, 0, 0, 0},
	}
	for _, c := range cases {
		var r RamdiskRow
		ok := ParseVdfRow([]byte(c.line), &r)
		if ok != c.ok {
			t.Errorf("%q: ok %v", c.line, ok)
			continue
		}
		if !ok {
			continue
		}
		if string(r.Name) != c.name || string(r.Mount) != c.mount || r.Size != c.size || r.Used != c.used || r.Free != c.free || r.UsePct != c.pct {
			t.Errorf("%q: got %s %q %d %d %d %d%%", c.line, r.Name, r.Mount, r.Size, r.Used, r.Free, r.UsePct)
		}
	}
}

func TestParseEsxConfLock(t *testing.T) {
	cases := []struct {
		line   string
		ok     bool
		holder string
		pid    int
	}{
		// CASE.md case 1 (ESXi 4.1)
		{`Error running operation: Error interacting with configuration file /etc/vmware/esx.conf: Failed attempting to lock file.  Another process has locked the file for more than 20 seconds. The process holding the lock is hostd (1363758).  This operation will complete if it is run again after the lock is released.`, true, "hostd", 1363758},
		// CASE.md / ESXi 5.0 Update 1 Release Notes (ESXi 5.0)
		{`Error interacting with configuration file /etc/vmware/esx.conf: Timeout while waiting for lock, /etc/vmware/esx.conf.LOCK, to be released. Another process has kept this file locked for more than 20 seconds. The process currently holding the lock is hostd-worker(5055). This is likely a temporary condition. Please try your operation again.`, true, "hostd-worker", 5055},
		{`Error interacting with configuration file /etc/vmware/esx.conf: Failed attempting to lock file.`, true, "", -1},
		{`esx.conf written`, false, "", -1},
		{`The process holding the lock is foo (1).`, false, "", -1},
	}
	for _, c := range cases {
		var l EsxConfLock
		ok := ParseEsxConfLock([]byte(c.line), &l)
		if ok != c.ok || string(l.Holder) != c.holder || l.PID != c.pid {
			t.Errorf("%.60q: got %v %q %d", c.line, ok, l.Holder, l.PID)
		}
	}
}

func TestParseMethodDisabled(t *testing.T) {
	cases := []struct {
		line            string
		ok              bool
		who, method, vm string
	}{
		// vmware/vic tests (formats.md §3)
		{`govc: ServerFaultCode: The method is disabled by 'VIC'`, true, "VIC", "", ""},
		// vpxd LRO error (shape inferred, formats.md §3)
		{`2022-06-02T11:58:12.193Z error vpxd[45715] [Originator@6876 sub=vpxLro opID=7e1280cf] [VpxLRO] -- ERROR task-768 -- vm-1234 -- vim.VirtualMachine.relocate: vim.fault.MethodDisabled:`, true, "", "vim.VirtualMachine.relocate", "vm-1234"},
		{`--> (vim.fault.MethodDisabled) { source = "com.vmware.backup", msg = "The method is disabled by 'com.vmware.backup'" } RelocateVM_Task on vim.VirtualMachine:vm-77`, true, "com.vmware.backup", "RelocateVM_Task", "vm-77"},
		{`Storage vMotion of VM 'exch01' failed: The method is disabled by "Veeam"`, true, "Veeam", "", "exch01"},
		{`vim.fault.NotFound`, false, "", "", ""},
	}
	for _, c := range cases {
		var m MethodDisabled
		ok := ParseMethodDisabled([]byte(c.line), &m)
		if ok != c.ok || string(m.Who) != c.who || string(m.Method) != c.method || string(m.VM) != c.vm {
			t.Errorf("%.60q: got %v who=%q method=%q vm=%q", c.line, ok, m.Who, m.Method, m.VM)
		}
	}
}

func TestParseCoreDump(t *testing.T) {
	cases := []struct {
		line       string
		ok         bool
		proc, file string
		pid, world int
	}{
		// CASE.md case 1
		{`Apr 7 17:41:03 esx_host vmkernel: 17:19:52:55.726 cpu6:3476319)UserDump: 1485: Dumping cartel 3476251 (from world 3476319) to file /var/core/hostd-worker-zdump.000 ...`, true, "hostd-worker", "/var/core/hostd-worker-zdump.000", 3476251, 3476319},
		// formats.md §3 (elatov)
		{`vmkernel: 17:19:52:55.700 cpu6:3476319)User: 2888: wantCoreDump : hostd-worker -enabled : 1`, true, "hostd-worker", "", -1, -1},
		{`vmkernel: 17:19:52:56.100 cpu6:3476319)UserDump: 1587: Userworld coredump complete.`, true, "", "", -1, -1},
		{`found /var/core/vpxa-zdump.003.`, true, "vpxa", "/var/core/vpxa-zdump.003", -1, -1},
		{`nothing here`, false, "", "", -1, -1},
	}
	for _, c := range cases {
		var d CoreDump
		ok := ParseCoreDump([]byte(c.line), &d)
		if ok != c.ok || string(d.Process) != c.proc || string(d.File) != c.file || d.PID != c.pid || d.World != c.world {
			t.Errorf("%.60q: got %v %q %q %d %d", c.line, ok, d.Process, d.File, d.PID, d.World)
		}
	}
}

func TestParseVob(t *testing.T) {
	cases := []struct {
		line    string
		ok      bool
		id, msg string
	}{
		{`2012-08-01T10:10:10.123Z: [APDCorrelator] 1234567us: [esx.problem.storage.apd.timeout] Device or filesystem with identifier [naa.x] has entered the All Paths Down Timeout state`, true, "esx.problem.storage.apd.timeout", "Device or filesystem"},
		{`2023-01-01T10:10:10.123Z In(14) vobd[2097800]:  [APDCorrelator] 1234567us: [vob.storage.apd.start] Device or filesystem`, true, "vob.storage.apd.start", "Device or filesystem"},
		{`[UserLevelCorrelator] 1us: [vob.user.esximage.install.error] Could not install image profile`, true, "vob.user.esximage.install.error", "Could not install"},
		{`eventTypeId = esx.clear.bootdevice.apd.exit`, true, "esx.clear.bootdevice.apd.exit", ""},
		{`[esx.] x`, false, "", ""},
		{`nothing`, false, "", ""},
	}
	for _, c := range cases {
		var v Vob
		ok := ParseVob([]byte(c.line), &v)
		if ok != c.ok || string(v.ID) != c.id || !hasPrefix(v.Message, c.msg) {
			t.Errorf("%.60q: got %v %q %q", c.line, ok, v.ID, v.Message)
		}
	}
}
