package bundles

import (
	"archive/tar"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestGolden walks a messy vCenter export (FRAG gap and reorder, links,
// corrupt nested gzip, unsafe names) and compares the full listing —
// bundles, members with their sizes and line counts, errors — with
// testdata/golden/*.txt (go test -update rewrites them).
func TestGolden(t *testing.T) {
	lines := strings.Repeat(vmk, 40)
	p := frags(gzs(t, lines), 3)
	bad := []byte(gzs(t, lines))
	bad[len(bad)/2] ^= 0xff
	host1 := gz(t, mkTar(t,
		ent{name: root1 + "/", typ: tar.TypeDir},
		ent{name: root1 + "/README", body: readme},
		ent{name: root1 + "/commands/uname_-a.txt", body: uname},
		ent{name: root1 + "/var/log/vmkernel.log", typ: tar.TypeSymlink, link: "/var/run/log/vmkernel.log"},
		ent{name: root1 + "/var/run/log/vmkernel.log.gz.FRAG-00001", body: p[1]},
		ent{name: root1 + "/var/run/log/vmkernel.log.gz.FRAG-00000", body: p[0]},
		ent{name: root1 + "/var/run/log/vmkernel.log.gz.FRAG-00002", body: p[2]},
		ent{name: root1 + "/commands/vsi.txt.FRAG-00000", body: "a\nb"},
		ent{name: root1 + "/commands/vsi.txt.FRAG-00002", body: "\nd\n"},
		ent{name: root1 + "/var/run/log/hostd.0.gz", body: string(bad)},
		ent{name: root1 + "/var/run/log/hostd.log", body: hostd},
		ent{name: root1 + "/../evil", body: "x"},
	))
	host2 := mkTar(t, ent{name: root2 + "/commands/vmware_-vl.txt", body: vl}, ent{name: root2 + "/var/run/log/vmkernel.log", body: vmk})
	z := mkZip(t,
		ent{name: "VMware-vCenter-support-2024-03-08@10-00-00/esxi-h1-vm2024-3-07@10-15-26.tgz", body: string(host1)},
		ent{name: "VMware-vCenter-support-2024-03-08@10-00-00/esxi-h2-vm2024-3-08@23-59-00.tar", body: string(host2)},
		ent{name: "VMware-vCenter-support-2024-03-08@10-00-00/manifest.txt", body: "two hosts\n"},
	)
	g := walkBytes(t, "vc.zip", z, Options{Workers: 3})
	var b strings.Builder
	for i, bi := range g.bundles {
		var src []string
		for k, v := range bi.Sources {
			src = append(src, k+"="+v)
		}
		sort.Strings(src)
		fmt.Fprintf(&b, "bundle %d %s kind=%s host=%q version=%q build=%q collected=%s sources=%v\n",
			i, bi.Path, bi.Kind, bi.Host, bi.Version, bi.Build, bi.CollectedAt.Format("2006-01-02T15:04:05.000000Z07:00"), src)
	}
	for _, m := range g.members {
		body := g.bodies[m.Path]
		fmt.Fprintf(&b, "member seq=%d bundle=%d rel=%s size=%d bytes=%d lines=%d path=%s\n",
			m.Seq, m.Bundle, m.Rel, m.Size, len(body), strings.Count(body, "\n"), m.Path)
	}
	for _, e := range g.errs {
		fmt.Fprintf(&b, "error seq=%d %v\n", e.Seq, e)
	}
	compareGolden(t, "vcenter.txt", b.String())
}

func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update to accept):\n--- got\n%s--- want\n%s", path, got, want)
	}
}
