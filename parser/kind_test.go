package parser

import "testing"

func TestKindOf(t *testing.T) {
	cases := map[string]Kind{
		"var/run/log/vmkernel.log":                                     KindVmkernel,
		"var/run/log/vmkernel.0.gz":                                    KindVmkernel,
		"var/run/log/vmkernel.123.gz":                                  KindVmkernel,
		"var/run/log/vmkernel.log.FRAG-00000":                          KindVmkernel,
		"var/run/log/vmkernel.12.gz.FRAG-00003":                        KindVmkernel,
		"var/log/vmkernel":                                             KindVmkernel,
		"var/log/vmkernel.1":                                           KindVmkernel,
		"x.tgz!esx-h1-2024-03-07--10.15-1234/var/run/log/vmkwarning.0": KindVmkwarning,
		"var/run/log/hostd.log":                                        KindHostd,
		"var/log/hostd.log.12":                                         KindHostd,
		"var/run/log/hostd-probe.log":                                  KindHostdProbe,
		"var/run/log/hostd-probe.3.gz":                                 KindHostdProbe,
		"var/run/log/vobd.log":                                         KindVobd,
		"var/run/log/vpxa.9.gz":                                        KindVpxa,
		"var/run/log/fdm.log":                                          KindFdm,
		"var/run/log/syslog.log":                                       KindSyslog,
		"var/log/messages":                                             KindMessages,
		"var/log/messages.3.gz":                                        KindMessages,
		"var/log/vmware/vpxd/vpxd.log":                                 KindVpxd,
		"var/log/vmware/vpxd/vpxd-123.log.gz":                          KindVpxd,
		"commands/vdf_-h.txt":                                          KindVdf,
		"commands/vdf.txt":                                             KindVdf,
		"commands/localcli_system-visorfs-ramdisk-list.txt":            KindRamdiskList,
		"etc/vmware/esx.conf":                                          KindEsxConf,
		"etc/messages":                                                 KindONTAP,
		"mroot/etc/log/ems.0":                                          KindONTAP,
		"EMS-LOG-FILE.gz":                                              KindONTAP,
		"vmkernel.log":                                                 KindVmkernel,
		"commands/vmkernel.txt":                                        KindUnknown,
		"var/run/log/shell.log":                                        KindUnknown,
		"var/run/log/vpxd-profiler.log":                                KindUnknown,
		"":                                                             KindUnknown,
		"var/run/log/":                                                 KindUnknown,
	}
	for p, want := range cases {
		if got := KindOf(p); got != want {
			t.Errorf("KindOf(%q) = %s, want %s", p, got, want)
		}
	}
}

func TestKindString(t *testing.T) {
	for _, k := range Kinds() {
		back, ok := ParseKind(k.String())
		if !ok || back != k {
			t.Errorf("round trip %s", k)
		}
	}
	if Kind(200).String() != "unknown" {
		t.Error("out of range")
	}
}

func TestKindOfContent(t *testing.T) {
	cases := []struct {
		text string
		want Kind
	}{
		{"2014-11-14T19:19:51.559Z cpu7:35233)VC: 2002: Device rescan time 704 msec (total number of devices 91)\n", KindVmkernel},
		{"2023-08-08T14:13:55Z In(182) vmkernel: VMB: 65: Reserved 4 MPNs starting @ 0x4c1\n", KindVmkernel},
		{"2024-03-26T04:31:17.959Z In(166) Hostd[2098914]: [Originator@6876 sub=Libs opID=539bc6dd-c7-c39c] notFound(403)\n--> x\n", KindHostd},
		{"2014-01-17T04:55:50.347Z [7F03ECE76700 verbose 'Default' opID=2140bc71] [VpxVmomi] Invoke done\n", KindHostd},
		{"2022-06-02T11:58:12.194Z info vpxd[45715] [Originator@6876 sub=vpxLro opID=7e1280cf] [VpxLRO] -- FINISH lro-846063\n", KindVpxd},
		{"2025-06-04T17:06:21.349Z INFO vpxd 20973 [Originator@4413 sub=\"ServiceAccount\" opID=\"x\"] y\n", KindVpxd},
		{"2012-08-01T10:10:10.123Z: [APDCorrelator] 1234567us: [esx.problem.storage.apd.timeout] x\n", KindVobd},
		{"Apr 7 17:39:16 esx_host Hostd: [2012-04-07 17:39:16.938 FFCFEE80 warning 'HostsvcPlugin'] x\nApr 7 17:41:03 esx_host vmkernel: 17:19:52:55.580 cpu7:4182)BC: 3837: x\n", KindMessages},
		{"Mar 1 08:53:36 host.com vmkernel: 2:16:49:12.573 cpu3:4099)ScsiDeviceIO: 1672: x\n", KindVmkernel},
		{"Ramdisk                   Size      Used Available Use% Mounted on\nMAINSYS 32M 21M 10M 68% --\n", KindVdf},
		{"/adv/Misc/HostName = \"esx01\"\n/system/uuid = \"x\"\n", KindEsxConf},
		{"Mon Mar  5 10:00:00 EST [filer1:wafl.vol.full:notice]: file system on volume vol1 is full\n", KindONTAP},
		{"hello\nworld\n", KindUnknown},
		{"", KindUnknown},
	}
	for _, c := range cases {
		if got := KindOfContent([]byte(c.text)); got != c.want {
			t.Errorf("KindOfContent(%.50q) = %s, want %s", c.text, got, c.want)
		}
	}
}
