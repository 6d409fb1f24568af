package parser

// RamdiskRow is one row of the `vdf -h` ramdisk table or of
// `localcli system visorfs ramdisk list`. Sizes are bytes; Mount is nil for
// vdf rows ("--") and the mount point for visorfs rows.
type RamdiskRow struct {
	Name, Mount      []byte
	Size, Used, Free int64
	UsePct           int
}

// EsxConfLock is the holder of /etc/vmware/esx.conf in a lock-contention message.
type EsxConfLock struct {
	Holder []byte // process name, e.g. "hostd", "hostd-worker"
	PID    int
}

// MethodDisabled is a vim.fault.MethodDisabled occurrence.
type MethodDisabled struct {
	Who    []byte // source that disabled the method ("VIC", a backup product id); nil if absent
	Method []byte // e.g. "RelocateVM_Task" or "vim.VirtualMachine.relocate"; nil if absent
	VM     []byte // VM name or moref when present
}

// CoreDump is a userworld core dump (UserDump / zdump) message.
type CoreDump struct {
	Process []byte // process / world name, e.g. "hostd-worker"
	File    []byte // dump file, e.g. /var/core/hostd-worker-zdump.000
	PID     int    // cartel (or world when no cartel is given); -1 if absent
	World   int    // world that triggered the dump; -1 if absent
}

// Vob is one vobd event.
type Vob struct {
	ID, Message []byte // "esx.problem.storage.apd.timeout", text after the id
}
