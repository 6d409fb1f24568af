package main

import "flag"

// update rewrites golden files under testdata/ instead of comparing:
// go test ./cmd/esxdiag -update. Shared by every test in package main.
var update = flag.Bool("update", false, "rewrite golden files")
