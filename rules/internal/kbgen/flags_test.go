package main

import "flag"

// update is accepted so that the README's `go test ./... -update` (which
// passes -update to every package) works; this package has no golden files.
var _ = flag.Bool("update", false, "rewrite golden files (none in this package)")
