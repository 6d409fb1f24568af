// Command gentables writes sense/tables_gen.go from sense/data (run by
// `go generate ./sense`).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/esxdiag/esxdiag/sense/internal/gen"
)

func main() {
	data := flag.String("data", "data", "directory with the .tsv tables")
	out := flag.String("out", "tables_gen.go", "output Go file")
	flag.Parse()
	src, err := gen.Generate(*data)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gentables:", err)
		os.Exit(1)
	}
}
