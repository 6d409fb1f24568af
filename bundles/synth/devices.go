package synth

import "strconv"

// Devices. Every problem that concerns a LUN uses a fixed device index so tests can
// assert on the device id without reading a manifest:
//
//	0 ua-storm, 1 apd, 2 pdl, 3 latency, 4 reservation-conflict, 5 queue-full,
//	6 thinprov-nospace, 7 dead-path; 8-11 healthy LUNs carrying noise I/O;
//	12-15 snapshot LUN clones mapped during ua-storm backup verification.
//
// Ids are NetApp ONTAP style: "naa.60a98000" followed by the hex of a 12-character
// ASCII LUN serial (the layout of the rules-catalog.md ESX-PDL-001 sample naa.60a98000572d54724a34642d71325763,
// whose serial reads "W-TrJ4d-q2Wc").
const (
	NumDevices   = 16
	localDevice  = "mpx.vmhba32:C0:T0:L0"
	firstHealthy = 8
	numHealthy   = 4
	firstClone   = 12
)

var problemDevice = map[Problem]int{
	UAStorm: 0, APD: 1, PDL: 2, Latency: 3, ReservationConflict: 4, QueueFull: 5, ThinProvNoSpace: 6, DeadPath: 7,
}

// DeviceID returns the naa id of device i (0 ≤ i < NumDevices).
func DeviceID(i int) string {
	serial := "sYnTh-LUN" + pad3(i)
	b := make([]byte, 0, 36)
	b = append(b, "naa.60a98000"...)
	for j := 0; j < len(serial); j++ {
		b = appendHexN(b, uint64(serial[j]), 2, false)
	}
	return string(b)
}

func pad3(i int) string {
	s := strconv.Itoa(i % 1000)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

// ProblemDevice returns the device id a problem is injected on, if the problem is
// about one device.
func ProblemDevice(p Problem) (string, bool) {
	i, ok := problemDevice[p]
	if !ok {
		return "", false
	}
	return DeviceID(i), true
}

// DevicePath returns the runtime name of path k (0 or 1) to device i, e.g. "vmhba2:C0:T1:L3".
// ESX 3.5 names paths "vmhbaA:T:L:P" ("vmhba1:0:3:0", "vmhba2:0:3:0").
func DevicePath(g Generation, i, k int) string {
	if g == ESX35 {
		return "vmhba" + strconv.Itoa(1+k) + ":0:" + strconv.Itoa(i) + ":0"
	}
	if k == 0 {
		return "vmhba2:C0:T1:L" + strconv.Itoa(i)
	}
	return "vmhba3:C0:T0:L" + strconv.Itoa(i)
}

// Problem VM names (relocatevm-disabled, snapshot-quiesce) and noise VM names.
var (
	vmNames        = []string{"SQL01", "EXCH01", "WEB01", "WEB02", "APP01", "DC01", "FILE01", "PRINT01", "BKP-PROXY01", "JUMP01"}
	datastoreNames = []string{"NA_DS01", "NA_DS02", "NA_DS03", "NA_EXCH_DB", "datastore1"}
	// MethodDisabledVMs are the VMs whose RelocateVM_Task is disabled, with the
	// source that disabled it (the string a backup product passed to
	// VixDiskLib_PrepareForAccess; "SYMC-FULL" is the case write-up's example,
	// "com.vmware.vcDr" is vSphere Replication's extension key).
	MethodDisabledVMs = []struct{ VM, By string }{
		{"SQL01", "SYMC-FULL"}, {"EXCH01", "SYMC-FULL"}, {"FILE01", "SYMC-FULL"}, {"APP01", "com.vmware.vcDr"},
	}
)

// EsxConfLockHolder and EsxConfLockPID name the process holding /etc/vmware/esx.conf
// in the esxconf-lock problem (case write-up: "hostd (1363758)").
const (
	EsxConfLockHolder = "hostd"
	EsxConfLockPID    = 1363758
)
