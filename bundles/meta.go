package bundles

import (
	"bytes"
	"strings"
	"time"
)

// metaKind says which bundle metadata a member may hold.
type metaKind uint8

const (
	metaNone   metaKind = iota
	metaReadme          // root README: "Captured on:"
	metaVL              // commands/vmware_-vl.txt: "VMware ESXi 7.0.3 build-20328353"
	metaUname           // commands/uname_-a.txt: "VMkernel <host> <version> ... build-NNN"
	metaLog             // a log: "Section for VMware ESX, pid=…, version=…, build=…" header
)

// Source names and priorities: a higher priority overrides a lower one.
const (
	srcFolder = "folder-name"
	srcReadme = "README"
	srcVL     = "commands/vmware_-vl.txt"
	srcUname  = "commands/uname_-a.txt"
	srcLog    = "log-header:" // + rel path
)

// prio ranks the sources of a field (0 = not a source of it): host from the
// folder name over uname; time from README over the folder name; version
// and build from vmware -vl over uname over log headers.
func prio(field, src string) int {
	if strings.HasPrefix(src, srcLog) {
		src = srcLog
	}
	switch field + "/" + src {
	case "host/" + srcFolder, "collected_at/" + srcReadme, "version/" + srcVL, "build/" + srcVL:
		return 3
	case "host/" + srcUname, "collected_at/" + srcFolder, "version/" + srcUname, "build/" + srcUname:
		return 2
	case "version/" + srcLog, "build/" + srcLog:
		return 1
	}
	return 0
}

func metaOf(rel string) metaKind {
	switch rel {
	case "README":
		return metaReadme
	case "commands/vmware_-vl.txt":
		return metaVL
	case "commands/uname_-a.txt":
		return metaUname
	}
	if strings.HasPrefix(rel, "var/run/log/") || strings.HasPrefix(rel, "var/log/") {
		return metaLog
	}
	return metaNone
}

// parseFolder reads "esx-<host>-<YYYY-MM-DD>--<HH.MM>-<pid>" (formats.md §1.1),
// anchored on the date because host names contain dashes and dots. The time
// has no zone in the name; it is taken as UTC.
func parseFolder(name string) (host string, t time.Time, ok bool) {
	if !strings.HasPrefix(name, "esx-") {
		return "", t, false
	}
	i := strings.LastIndexByte(name, '-')
	if i < 0 || i == len(name)-1 {
		return "", t, false
	}
	for _, c := range name[i+1:] {
		if c < '0' || c > '9' {
			return "", t, false
		}
	}
	rest := name[:i]
	const stamp = len("2006-01-02--15.04")
	if len(rest) < len("esx-")+1+1+stamp || rest[len(rest)-stamp-1] != '-' {
		return "", t, false
	}
	t, err := time.Parse("2006-01-02--15.04", rest[len(rest)-stamp:])
	if err != nil {
		return "", time.Time{}, false
	}
	host = rest[len("esx-") : len(rest)-stamp-1]
	if host == "" {
		return "", time.Time{}, false
	}
	return host, t, true
}

// newBundle registers a host bundle and fills what its root folder name says.
func (w *walk) newBundle(p string, kind BundleKind, root string) int {
	b := w.s.addBundle(p, kind)
	if host, t, ok := parseFolder(root); ok {
		w.s.mu.Lock()
		w.s.setField(b, "host", host, srcFolder)
		w.s.setTime(b, t, srcFolder)
		w.s.mu.Unlock()
	}
	return b
}

// setField stores a value unless a higher-priority source already set it.
// Caller holds s.mu.
func (s *Source) setField(b int, field, val, src string) {
	if val == "" {
		return
	}
	bs := s.bundles[b]
	p := prio(field, src)
	if old, ok := bs.prio[field]; ok && old >= p {
		return
	}
	bs.prio[field] = p
	bs.info.Sources[field] = src
	switch field {
	case "host":
		bs.info.Host = val
	case "version":
		bs.info.Version = val
	case "build":
		bs.info.Build = val
	}
}

func (s *Source) setTime(b int, t time.Time, src string) {
	bs := s.bundles[b]
	p := prio("collected_at", src)
	if old, ok := bs.prio["collected_at"]; ok && old >= p {
		return
	}
	bs.prio["collected_at"] = p
	bs.info.Sources["collected_at"] = src
	bs.info.CollectedAt = t
}

// noteMeta parses the first bytes of a metadata member.
func (s *Source) noteMeta(b int, k metaKind, rel string, data []byte) {
	if len(data) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b < 0 || b >= len(s.bundles) {
		return
	}
	switch k {
	case metaReadme:
		for _, line := range bytes.Split(data, []byte("\n")) {
			v, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("Captured on:"))
			if !ok {
				continue
			}
			v = bytes.TrimSpace(v)
			for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05"} {
				if t, err := time.Parse(layout, string(v)); err == nil {
					s.setTime(b, t, srcReadme)
					break
				}
			}
			break
		}
	case metaVL:
		line, _, _ := bytes.Cut(data, []byte("\n"))
		ver, build := versionBuild(bytes.Fields(line))
		s.setField(b, "version", ver, srcVL)
		s.setField(b, "build", build, srcVL)
	case metaUname:
		line, _, _ := bytes.Cut(data, []byte("\n"))
		f := bytes.Fields(line)
		if len(f) >= 2 && string(f[0]) == "VMkernel" {
			s.setField(b, "host", string(f[1]), srcUname)
			ver, build := versionBuild(f)
			s.setField(b, "version", ver, srcUname)
			s.setField(b, "build", build, srcUname)
		}
	case metaLog:
		if p := s.bundles[b].prio["version"]; p > 1 {
			return
		}
		i := bytes.Index(data, []byte("Section for VMware ESX,"))
		if i < 0 {
			return
		}
		line := data[i:]
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		src := srcLog + rel
		s.setField(b, "version", kv(line, "version="), src)
		s.setField(b, "build", kv(line, "build="), src)
	}
}

// versionBuild finds "X.Y.Z build-NNN" in a field list.
func versionBuild(f [][]byte) (ver, build string) {
	for i, w := range f {
		if b, ok := bytes.CutPrefix(w, []byte("build-")); ok && len(b) > 0 {
			build = string(b)
			for k := i - 1; k >= 0; k-- {
				if c := f[k][0]; c >= '0' && c <= '9' && bytes.IndexByte(f[k], '.') > 0 {
					ver = string(f[k])
					break
				}
			}
			return ver, build
		}
	}
	return "", ""
}

func kv(line []byte, key string) string {
	i := bytes.Index(line, []byte(key))
	if i < 0 {
		return ""
	}
	v := line[i+len(key):]
	if j := bytes.IndexAny(v, ", \r"); j >= 0 {
		v = v[:j]
	}
	return string(v)
}
