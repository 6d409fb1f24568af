package rules

import "flag"

// update rewrites golden files under testdata/ (go test ./rules -update).
var update = flag.Bool("update", false, "rewrite golden files")
