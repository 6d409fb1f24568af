package synth

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"
)

// WriteVCenterZip writes a vCenter support export: a .zip holding one host .tgz per
// config, named like the real export "<host>-vm<YYYY>-<D>-<MM>@<HH>-<MM>-<SS>.tgz"
// (formats.md §1.1 quotes "esxi-dell-m.rainpole.com-vm2021-8-03@14-49-26.tgz", sic).
// Damage modes apply to each inner .tgz.
func WriteVCenterZip(w io.Writer, cfgs []Config) error {
	_, err := GenerateVCenterZip(w, cfgs)
	return err
}

// GenerateVCenterZip is WriteVCenterZip returning one manifest per host.
func GenerateVCenterZip(w io.Writer, cfgs []Config) ([]*Manifest, error) {
	zw := zip.NewWriter(w)
	var out []*Manifest
	for i, cfg := range cfgs {
		c, err := cfg.normalize()
		if err != nil {
			return out, err
		}
		var buf bytes.Buffer
		m, err := Generate(&buf, c)
		if err != nil {
			return out, err
		}
		out = append(out, m)
		t := c.CollectedAt.Add(time.Duration(i+1) * time.Second)
		name := c.Host + "-vm" + strconv.Itoa(t.Year()) + "-" + strconv.Itoa(t.Day()) + "-" + t.Format("01@15-04-05") + ".tgz"
		hw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: t})
		if err != nil {
			return out, fmt.Errorf("synth: zip: %w", err)
		}
		if _, err := hw.Write(buf.Bytes()); err != nil {
			return out, err
		}
	}
	return out, zw.Close()
}

// VCenterZipName returns a realistic export name for a collection time.
func VCenterZipName(cfg Config) string {
	c, _ := cfg.normalize()
	return "VMware-vCenter-support-" + c.CollectedAt.Format("2006-01-02@15-04-05") + ".zip"
}

// WriteLog writes one log (no rotation, no archive) of the given kind for the
// generation: the current file a bundle would hold, TargetBytes long, with the
// problems of cfg that land in that log. Kinds: vmkernel, vmkwarning, hostd, vpxa,
// vobd (ESXi 5+), messages (ESX 3.5 / 4.x), hostd-probe (ESXi 8).
func WriteLog(w io.Writer, gen Generation, kind string, cfg Config) error {
	cfg.Generation = gen
	cfg.RotateBytes, cfg.FragBytes, cfg.Damage = 0, 0, nil
	c, err := cfg.normalize()
	if err != nil {
		return err
	}
	d := newDialect(&c)
	var spec *logSpec
	for _, s := range logSpecs(&c, d) {
		if s.kind == kind {
			s := s
			spec = &s
		}
	}
	if spec == nil {
		return fmt.Errorf("synth: no %q log on %s", kind, gen)
	}
	spec.share = 1
	events, _ := buildEvents(&c, d)
	files := planLog(&c, d, spec, events[kind], avgLineLen(kind, d, c.Seed))
	return files[0].writeContent(w)
}

// NoiseText returns about n bytes (exactly n when n ≥ 256) of noise-only vmkernel
// text of the generation (ESX 4.x: messages), for engine benchmarks. Deterministic.
func NoiseText(gen Generation, n int) []byte {
	cfg := Config{Generation: gen, TargetBytes: int64(n)}
	c, err := cfg.normalize()
	if err != nil {
		return nil
	}
	kind := "vmkernel"
	if gen == ESX4 {
		kind = "messages"
	}
	d := newDialect(&c)
	spec := logSpec{kind: kind, share: 1}
	files := planLog(&c, d, &spec, nil, avgLineLen(kind, d, c.Seed))
	var buf bytes.Buffer
	buf.Grow(n + 1024)
	_ = files[0].writeContent(&buf)
	return buf.Bytes()
}
