package rules

// goRules returns the built-in rules written in Go, one file each
// (rule_*.go). The declarative rules are in builtin/*.toml.
func goRules() []GoRule {
	return []GoRule{
		scsiSenseRule{},
		hostdstatsRule{},
		ramdiskFullRule{},
		esxconfLockRule{},
		relocateRule{},
		hostdCrashRule{},
		quiesceRule{},
	}
}
