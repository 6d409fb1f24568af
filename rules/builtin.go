package rules

// goRules returns the built-in rules written in Go, one file each
// (rule_*.go). The declarative rules are in builtin/*.toml.
func goRules() []GoRule {
	return append([]GoRule{
		scsiSenseRule{},
		hostdstatsRule{},
		ramdiskFullRule{},
		esxconfLockRule{},
		relocateRule{},
		hostdCrashRule{},
		quiesceRule{},
	}, ontapRules()...) // ONTAP EMS + ESXi↔ONTAP correlation (rule_ontap*.go)
}
