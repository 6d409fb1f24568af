package main

import "flag"

// update rewrites golden files: go test ./cmd/esxdiag -update
var update = flag.Bool("update", false, "rewrite golden files")
