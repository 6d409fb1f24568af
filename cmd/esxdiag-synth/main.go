// Command esxdiag-synth writes synthetic ESXi vm-support bundles (see package
// bundles/synth) for benchmarks and end-to-end tests.
//
//	esxdiag-synth -o out.tgz -size 1GB -gen esxi7 -problems ua-storm,hostdstats-full
//	esxdiag-synth -dir /tmp/bundle -gen esxi8 -problems all
//	esxdiag-synth -o vc.zip -vcenter h1,h2 -size 64MB
//	esxdiag-synth -o one.log -log vmkernel -gen esx4 -problems ua-storm
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/esxdiag/esxdiag/bundles/synth"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "esxdiag-synth:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("esxdiag-synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (.tgz, or .zip with -vcenter, or a log with -log); \"-\" = stdout")
	size := fs.String("size", "64MB", "uncompressed log content per host (K/M/G/T = powers of 1024)")
	gen := fs.String("gen", "esxi7", "generation: esx35, esx4, esxi5, esxi6, esxi7, esxi8")
	problems := fs.String("problems", "", "comma-separated problems, or \"all\" ("+problemList()+")")
	seed := fs.Int64("seed", 1, "seed (same seed, same bytes)")
	rotate := fs.String("rotate", "0", "rotate logs into .N.gz pieces of this uncompressed size (0 = no rotation)")
	frag := fs.String("frag", "0", "split archive members larger than this into .FRAG-NNNNN pieces (0 = never)")
	damage := fs.String("damage", "", "comma-separated damage: truncated, corrupt-gz, missing-frag, frag-reversed")
	dir := fs.String("dir", "", "write an extracted bundle folder below this directory instead of a .tgz")
	vcenter := fs.String("vcenter", "", "comma-separated host names: write a vCenter export .zip with one .tgz per host")
	host := fs.String("host", "esx01.lab.local", "host name")
	logKind := fs.String("log", "", "write only this log (vmkernel, hostd, vpxa, vobd, vmkwarning, messages, hostd-probe)")
	collected := fs.String("collected", "2024-03-07T10:15:00Z", "collection time (RFC 3339)")
	span := fs.Duration("span", 72*time.Hour, "time covered by the logs, ending at -collected")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := synth.Config{Host: *host, Seed: *seed, Span: *span}
	var err error
	if cfg.Generation, err = synth.ParseGeneration(*gen); err != nil {
		return err
	}
	if cfg.TargetBytes, err = synth.ParseSize(*size); err != nil {
		return err
	}
	if cfg.RotateBytes, err = synth.ParseSize(*rotate); err != nil {
		return err
	}
	if cfg.FragBytes, err = synth.ParseSize(*frag); err != nil {
		return err
	}
	if cfg.Problems, err = synth.ParseProblems(*problems); err != nil {
		return err
	}
	if cfg.Damage, err = synth.ParseDamage(*damage); err != nil {
		return err
	}
	if cfg.CollectedAt, err = time.Parse(time.RFC3339, *collected); err != nil {
		return fmt.Errorf("-collected: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()

	if *dir != "" {
		m, err := synth.GenerateDir(ctx, *dir, cfg)
		if err != nil {
			return err
		}
		report(stderr, m, start)
		return nil
	}
	if *out == "" {
		return errors.New("-o or -dir is required")
	}
	w, closeOut, err := openOut(*out, stdout)
	if err != nil {
		return err
	}
	var cw countW
	cw.w = w
	switch {
	case *logKind != "":
		err = synth.WriteLog(&cw, cfg.Generation, *logKind, cfg)
		if err == nil {
			fmt.Fprintf(stderr, "wrote %s: %s log, %s in %s\n", *out, *logKind, human(cw.n), time.Since(start).Round(time.Millisecond))
		}
	case *vcenter != "":
		var cfgs []synth.Config
		for i, h := range strings.Split(*vcenter, ",") {
			c := cfg
			c.Host = strings.TrimSpace(h)
			c.Seed = cfg.Seed + int64(i)
			cfgs = append(cfgs, c)
		}
		var ms []*synth.Manifest
		ms, err = synth.GenerateVCenterZip(&cw, cfgs)
		if err == nil {
			for _, m := range ms {
				report(stderr, m, start)
			}
			fmt.Fprintf(stderr, "wrote %s: vCenter zip of %d hosts, %s in %s\n", *out, len(ms), human(cw.n), time.Since(start).Round(time.Millisecond))
		}
	default:
		var m *synth.Manifest
		m, err = synth.GenerateContext(ctx, &cw, cfg)
		if err == nil {
			report(stderr, m, start)
			fmt.Fprintf(stderr, "wrote %s\n", *out)
		}
	}
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	return err
}

func problemList() string {
	var s []string
	for _, p := range synth.AllProblems() {
		s = append(s, string(p))
	}
	return strings.Join(s, ", ")
}

func openOut(name string, stdout io.Writer) (io.Writer, func() error, error) {
	if name == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

type countW struct {
	w io.Writer
	n int64
}

func (c *countW) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func report(w io.Writer, m *synth.Manifest, start time.Time) {
	el := time.Since(start)
	mbps := float64(m.ContentBytes) / 1e6 / el.Seconds()
	fmt.Fprintf(w, "%s (%s %s build %s): %d members, content %s, output %s, %s (%.0f MB/s content)\n",
		m.Root, m.Generation, m.Version, m.Build, len(m.Members), human(m.ContentBytes), human(m.OutBytes), el.Round(time.Millisecond), mbps)
	for _, p := range m.Problems {
		fmt.Fprintf(w, "  problem %-20s object=%s lines=%v\n", p.Problem, p.Object, p.Lines)
	}
	for _, mi := range m.Members {
		if mi.Missing || mi.Corrupt || mi.Truncated || mi.Reversed && mi.Piece == mi.Pieces-1 {
			fmt.Fprintf(w, "  damage: %s missing=%v corrupt=%v truncated=%v reversed=%v\n", mi.Name, mi.Missing, mi.Corrupt, mi.Truncated, mi.Reversed)
		}
	}
	for _, n := range m.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
