package synth

import (
	"strconv"
	"strings"
)

// staticFiles returns the small non-log members (README, command outputs, config,
// core files) in archive order.
func staticFiles(cfg *Config, d *dialect) []staticFile {
	g := cfg.Generation
	_, _, friendly := g.defaults()
	var out []staticFile
	add := func(name, content string) { out = append(out, staticFile{name: name, data: []byte(content)}) }
	captured := cfg.CollectedAt.Format("2006-01-02 15:04:05.000000")
	add("README", "Captured on: "+captured+"\n"+
		"Host: "+cfg.Host+"\n"+
		"Version: "+cfg.Version+"\n"+
		"Build: "+cfg.Build+"\n"+
		"Options: {'manifests': 'System:Base Storage:base Network:base Logs:System', 'performance': False, 'interval': 10, 'duration': 300}\n"+
		"\nThis is a synthetic vm-support bundle written by esxdiag-synth (bundles/synth) for tests and benchmarks.\n")
	if g >= ESXi5 {
		r := newRNG(cfg.Seed, "incident")
		add("vm-support-incident-key", string(appendHexN(appendHexN(nil, r.next(), 16, false), r.next(), 16, false))+"\n")
	}
	product := "VMware ESXi"
	if g == ESX35 {
		product = "VMware ESX Server"
	}
	add("commands/vmware_-vl.txt", product+" "+cfg.Version+" build-"+cfg.Build+"\n"+friendly+"\n")
	if g == ESX35 {
		add("commands/uname_-a.txt", "Linux "+cfg.Host+" 2.4.21-57.ELvmnix #1 Tue Aug 12 17:28:03 PDT 2008 i686 i686 i386 GNU/Linux\n")
	} else {
		add("commands/uname_-a.txt", "VMkernel "+cfg.Host+" "+cfg.Version+" #1 SMP Release build-"+cfg.Build+" Mar 17 2023 20:12:47 x86_64 x86_64 x86_64 ESXi\n")
	}
	full := hasProblem(cfg, HostdStatsFull)
	if g >= ESX4 {
		add("commands/vdf_-h.txt", vdf(g, full))
	}
	if g >= ESXi5 {
		add("commands/localcli_system-visorfs-ramdisk-list.txt", ramdiskList(full))
	}
	if g >= ESX4 { // esxcfg-scsidevs and naa ids arrive with ESX 4.0
		add("commands/esxcfg-scsidevs_-m.txt", scsidevs())
	}
	add("etc/vmware/esx.conf", esxConf(cfg))
	if full {
		out = append(out, staticFile{name: "var/core/hostd-worker-zdump.000", data: coreFile(cfg.Seed, "hostd-worker")})
	}
	if hasProblem(cfg, HostdCrash) {
		out = append(out, staticFile{name: "var/core/hostd-zdump.001", data: coreFile(cfg.Seed, "hostd")})
	}
	return out
}

type staticFile struct {
	name string
	data []byte
}

func hasProblem(cfg *Config, p Problem) bool {
	for _, q := range cfg.Problems {
		if q == p {
			return true
		}
	}
	return false
}

// vdf renders `vdf -h` (header "Ramdisk Size Used Available Use% Mounted on", formats.md §1.2).
func vdf(g Generation, full bool) string {
	var b strings.Builder
	b.WriteString("Tardisk                  Space      Used\n")
	b.WriteString("s.v00                     394M      394M\n")
	b.WriteString("misc_cni.v00               24K       22K\n")
	b.WriteString("-----\n")
	b.WriteString("Ramdisk                   Size      Used Available Use% Mounted on\n")
	row := func(name, size, used, avail string, pct int) {
		b.WriteString(padR(name, 22))
		b.WriteString(padL(size, 8))
		b.WriteString(padL(used, 10))
		b.WriteString(padL(avail, 10))
		b.WriteString(padL(strconv.Itoa(pct)+"%", 5))
		b.WriteString(" --\n")
	}
	if g == ESX4 {
		row("MAINSYS", "32M", "21M", "10M", 68)
		row("tmp", "192M", "60K", "191M", 0)
		row("updatestg", "750M", "24K", "749M", 0)
		if full {
			row("hostdstats", "166M", "166M", "0B", 100)
		} else {
			row("hostdstats", "166M", "41M", "124M", 25)
		}
		return b.String()
	}
	row("root", "32M", "2M", "29M", 7)
	row("etc", "28M", "460K", "27M", 1)
	row("opt", "32M", "0B", "32M", 0)
	row("var", "48M", "836K", "47M", 1)
	row("tmp", "256M", "12K", "255M", 0)
	row("iofilters", "32M", "0B", "32M", 0)
	row("shm", "1024M", "0B", "1024M", 0)
	if full {
		row("hostdstats", "1303M", "1303M", "0B", 100)
	} else {
		row("hostdstats", "1303M", "6M", "1296M", 0)
	}
	return b.String()
}

func ramdiskList(full bool) string {
	var b strings.Builder
	b.WriteString("Ramdisk Name  System  Include in Coredumps    Reserved      Maximum      Used  Peak Used  Free  Reserved Free  Maximum Inodes  Allocated Inodes  Used Inodes  Mount Point\n")
	b.WriteString("------------  ------  --------------------  ----------  -----------  --------  ---------  ----  -------------  --------------  ----------------  -----------  ---------------------------\n")
	b.WriteString("root            true                  true   32768 KiB    32768 KiB   2280 KiB   2404 KiB  93 %           93 %            8192              8192         5453  /\n")
	b.WriteString("etc             true                  true   28672 KiB    28672 KiB    460 KiB    552 KiB  98 %           98 %            4096              1024          524  /etc\n")
	b.WriteString("tmp            false                 false    2048 KiB   262144 KiB     12 KiB    356 KiB  99 %           99 %            8192              8192            8  /tmp\n")
	if full {
		b.WriteString("hostdstats     false                 false       0 KiB  1334272 KiB 1334272 KiB 1334272 KiB   0 %            0 %            8192                32           17  /var/lib/vmware/hostd/stats\n")
	} else {
		b.WriteString("hostdstats     false                 false       0 KiB  1334272 KiB   6144 KiB   6144 KiB  99 %           99 %            8192                32           17  /var/lib/vmware/hostd/stats\n")
	}
	return b.String()
}

func scsidevs() string {
	var b strings.Builder
	for i := 0; i < firstClone; i++ {
		b.WriteString(DeviceID(i))
		b.WriteString(":1                                         /vmfs/devices/disks/")
		b.WriteString(DeviceID(i))
		b.WriteString(":1 5f3a9c21-")
		b.WriteString(string(appendHexN(nil, uint64(i*0x1111111), 8, false)))
		b.WriteString("-1c42-0025b5a0001e  0  ")
		b.WriteString(datastoreNames[i%len(datastoreNames)])
		b.WriteString("\n")
	}
	return b.String()
}

func esxConf(cfg *Config) string {
	r := newRNG(cfg.Seed, "esxconf")
	var b strings.Builder
	kv := func(k, v string) { b.WriteString(k + " = \"" + v + "\"\n") }
	short, _, _ := strings.Cut(cfg.Host, ".")
	kv("/adv/Misc/HostName", short)
	kv("/adv/Misc/HostIPAddr", "10.20.1.11")
	kv("/adv/Disk/QFullSampleSize", "0")
	kv("/adv/Disk/QFullThreshold", "8")
	kv("/adv/Misc/APDTimeout", "140")
	kv("/system/uuid", string(appendHexN(nil, r.next(), 8, false))+"-"+string(appendHexN(nil, r.next(), 8, false))+"-"+string(appendHexN(nil, r.next(), 4, false))+"-"+string(appendHexN(nil, r.next(), 12, false)))
	kv("/resourceGroups/version", cfg.Version)
	kv("/net/pnic/child[0000]/name", "vmnic0")
	kv("/net/pnic/child[0001]/name", "vmnic1")
	kv("/net/vmkernelnic/child[0000]/name", "vmk0")
	kv("/net/vmkernelnic/child[0000]/ipv4address", "10.20.1.11")
	for i := 0; i < firstClone; i++ {
		kv("/storage/lun/"+DeviceID(i)+"/displayName", "NETAPP Fibre Channel Disk ("+DeviceID(i)+")")
	}
	return b.String()
}

// coreFile is a small ELF-looking userworld core.
func coreFile(seed int64, proc string) []byte {
	r := newRNG(seed, "core/"+proc)
	b := []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x3e\x00")
	b = append(b, []byte("CORE\x00"+proc+"\x00")...)
	for len(b) < 48<<10 {
		v := r.next()
		for k := 0; k < 8; k++ {
			b = append(b, byte(v>>(8*k)))
		}
	}
	return b
}

func padR(s string, n int) string {
	for len(s) < n {
		s += " "
	}
	return s
}

func padL(s string, n int) string {
	for len(s) < n {
		s = " " + s
	}
	return s
}
