package synth

import (
	"io"
	"strconv"
)

const (
	minFill   = 256       // a file's noise is 0 or at least this, so the filler record fits
	chunkSize = 256 << 10 // write granularity
)

// logSpec is one logical log of a bundle (e.g. vmkernel), before rotation.
type logSpec struct {
	kind  string  // event/noise kind: vmkernel, vmkwarning, hostd, vpxa, vobd, messages, hostd-probe
	dir   string  // "var/run/log/"
	base  string  // "vmkernel"
	ext   string  // ".log" or "" (4.x/3.5 var/log/messages, var/log/vmkernel)
	share float64 // fraction of TargetBytes
	pid   int     // for section headers
}

func logSpecs(cfg *Config, d *dialect) []logSpec {
	switch cfg.Generation {
	case ESX35:
		return []logSpec{
			{kind: "vmkernel", dir: "var/log/", base: "vmkernel", share: 0.45},
			{kind: "vmkwarning", dir: "var/log/", base: "vmkwarning", share: 0.04},
			{kind: "messages", dir: "var/log/", base: "messages", share: 0.08},
			{kind: "hostd", dir: "var/log/vmware/", base: "hostd", ext: ".log", share: 0.31},
			{kind: "vpxa", dir: "var/log/vmware/vpx/", base: "vpxa", ext: ".log", share: 0.12},
		}
	case ESX4:
		return []logSpec{
			{kind: "messages", dir: "var/log/", base: "messages", share: 0.58},
			{kind: "hostd", dir: "var/log/vmware/", base: "hostd", ext: ".log", share: 0.30},
			{kind: "vpxa", dir: "var/log/vmware/vpx/", base: "vpxa", ext: ".log", share: 0.12},
		}
	}
	s := []logSpec{
		{kind: "vmkernel", dir: "var/run/log/", base: "vmkernel", ext: ".log", share: 0.46},
		{kind: "vmkwarning", dir: "var/run/log/", base: "vmkwarning", ext: ".log", share: 0.03},
		{kind: "hostd", dir: "var/run/log/", base: "hostd", ext: ".log", share: 0.32, pid: d.hostdPID},
		{kind: "vpxa", dir: "var/run/log/", base: "vpxa", ext: ".log", share: 0.13, pid: d.vpxaPID},
		{kind: "vobd", dir: "var/run/log/", base: "vobd", ext: ".log", share: 0.06},
	}
	if cfg.Generation == ESXi8 {
		for _, p := range cfg.Problems {
			if p == HostdCrash {
				s = append(s, logSpec{kind: "hostd-probe", dir: "var/run/log/", base: "hostd-probe", ext: ".log"})
			}
		}
	}
	return s
}

// logFile is one member holding (part of) a log: the current file or one rotation.
type logFile struct {
	spec   *logSpec
	name   string // path relative to the bundle root, e.g. var/run/log/vmkernel.0.gz
	index  int    // -1 current, else rotation number
	gz     bool
	start  int64 // ms
	end    int64
	header []byte
	events []event
	noise  int64
	size   int64 // exact uncompressed content size
	seed   int64
	d      *dialect
	avg    int // estimated average noise line length
}

// name of rotation k of spec: 4.x/3.5 and 5+ alike use name.N.gz (formats.md §1.4).
func rotName(s *logSpec, k int) string {
	if k < 0 {
		return s.dir + s.base + s.ext
	}
	return s.dir + s.base + "." + strconv.Itoa(k) + ".gz"
}

// planLog splits one log into its current file and rotations and assigns events.
func planLog(cfg *Config, d *dialect, s *logSpec, evs []event, avg int) []*logFile {
	total := int64(float64(cfg.TargetBytes) * s.share)
	n := 1
	if cfg.RotateBytes > 0 && total > cfg.RotateBytes {
		n = int((total + cfg.RotateBytes - 1) / cfg.RotateBytes)
	}
	endMs := cfg.CollectedAt.UnixMilli()
	startMs := cfg.CollectedAt.Add(-cfg.Span).UnixMilli()
	// sizes: rotations of RotateBytes each (oldest first), current gets the rest
	sizes := make([]int64, n)
	for i := range sizes {
		if n == 1 {
			sizes[i] = total
		} else if i < n-1 {
			sizes[i] = cfg.RotateBytes
		} else {
			sizes[i] = total - cfg.RotateBytes*int64(n-1)
		}
	}
	files := make([]*logFile, n)
	var acc int64
	for i := 0; i < n; i++ {
		f := &logFile{spec: s, d: d, avg: avg}
		// oldest file is rotation n-2 … current is the last
		if i == n-1 {
			f.index = -1
		} else {
			f.index = n - 2 - i
			f.gz = true
		}
		f.name = rotName(s, f.index)
		f.start = startMs + (endMs-startMs)*acc/max(total, 1)
		acc += sizes[i]
		f.end = startMs + (endMs-startMs)*acc/max(total, 1)
		f.seed = cfg.Seed
		if s.kind == "hostd-probe" {
			f.start, f.end = startMs, endMs
		}
		files[i] = f
	}
	// events by time
	for _, ev := range evs {
		k := 0
		for k < n-1 && ev.ms >= files[k].end {
			k++
		}
		files[k].events = append(files[k].events, ev)
	}
	for i, f := range files {
		if s.pid > 0 || cfg.Generation == ESXi8 {
			pid := s.pid
			if pid == 0 {
				pid = d.vobdPID
			}
			f.header = d.clone().sectionHeader(nil, f.start, cfg, pid)
		}
		var evBytes int64
		for _, e := range f.events {
			evBytes += int64(len(e.text))
		}
		fixed := evBytes + int64(len(f.header))
		noise := sizes[i] - fixed
		if s.kind == "hostd-probe" {
			noise = 0
		}
		if noise > 0 && noise < minFill {
			noise = minFill
		}
		if noise < 0 {
			noise = 0
		}
		f.noise = noise
		f.size = fixed + noise
	}
	return files
}

// writeContent streams the exact f.size bytes of the file to w.
func (f *logFile) writeContent(w io.Writer) error {
	d := f.d.clone()
	src := newNoiseSrc(f.spec.kind, d, f.seed, f.name)
	buf := make([]byte, 0, chunkSize+64<<10)
	buf = append(buf, f.header...)
	left := f.noise
	ms := f.start
	var stepUs int64 = 1000
	if f.avg > 0 && f.noise > 0 {
		lines := f.noise / int64(f.avg)
		if lines < 1 {
			lines = 1
		}
		stepUs = (f.end - f.start) * 1000 / lines
	}
	var accUs int64
	ei := 0
	evs := f.events
	for left > 0 {
		for ei < len(evs) && evs[ei].ms <= ms {
			buf = append(buf, evs[ei].text...)
			ei++
		}
		mark := len(buf)
		buf = src.line(buf, ms)
		n := int64(len(buf) - mark)
		if left-n < minFill {
			buf = src.filler(buf[:mark], ms, int(left))
			left = 0
			break
		}
		left -= n
		// advance time: step with ±50% jitter, never past the end
		accUs += stepUs/2 + int64(src.r.intn(int(max(stepUs, 1))))
		if accUs >= 1000 {
			ms += accUs / 1000
			accUs %= 1000
		}
		if ms > f.end {
			ms = f.end
		}
		if len(buf) >= chunkSize {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	for ; ei < len(evs); ei++ {
		buf = append(buf, evs[ei].text...)
	}
	_, err := w.Write(buf)
	return err
}

// avgLineLen samples the noise of a kind.
func avgLineLen(kind string, d *dialect, seed int64) int {
	src := newNoiseSrc(kind, d.clone(), seed, "avg/"+kind)
	var b []byte
	const n = 400
	total := 0
	ms := int64(1700000000000)
	for i := 0; i < n; i++ {
		b = src.line(b[:0], ms)
		total += len(b)
	}
	return total / n
}
