package rules

// lookupKB resolves a KB article by vendor ("vmware", "netapp") and number.
// Stub: the catalog owns this file and replaces it with the verified KB table.
func lookupKB(vendor, number string) (KBRef, bool) { return KBRef{}, false }
