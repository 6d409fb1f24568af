// Command benchgen writes a synthetic vm-support .tgz of a given
// uncompressed size for bundles/bench.sh when the project generator
// (cmd/esxdiag-synth) is not available: README, commands/ output, a large
// command output split into 1 MiB FRAG pieces, current plain logs, rotated
// .gz logs and a gzip'd log split into FRAG pieces (cutting the gzip stream).
//
//	go run ./bundles/internal/benchgen -o bench.tgz -size 1024
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"time"

	"github.com/klauspost/compress/gzip"
)

const root = "esx-benchhost.example.com-2024-03-07--10.15-4242/"

type gen struct {
	tw  *tar.Writer
	r   *rand.Rand
	t   time.Time
	sum int64
}

func main() {
	out := flag.String("o", "bench.tgz", "output .tgz")
	sizeMB := flag.Int64("size", 1024, "uncompressed member bytes, in MiB")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := gzip.NewWriter(bw)
	g := &gen{tw: tar.NewWriter(zw), r: rand.New(rand.NewSource(*seed)), t: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}
	size := *sizeMB << 20
	g.file("README", []byte("Key: value\nCaptured on: 2024-03-07 10:15:42.123456\nOptions: {}\n"))
	g.file("commands/vmware_-vl.txt", []byte("VMware ESXi 7.0.3 build-20328353\nVMware ESXi 7.0 Update 3\n"))
	g.file("commands/uname_-a.txt", []byte("VMkernel benchhost 7.0.3 #1 SMP Release build-20328353 Mar 27 2022 x86_64 ESXi\n"))
	// 15 %: a big command output in 1 MiB FRAG pieces
	vsi := g.text(size*15/100, g.vsiLine)
	for i := 0; len(vsi) > 0; i++ {
		n := min(len(vsi), 1<<20)
		g.file(fmt.Sprintf("commands/vsi_traverse_-s.txt.FRAG-%05d", i), vsi[:n])
		vsi = vsi[n:]
	}
	// 3 %: a gzip'd log split into FRAG pieces
	wtext := g.text(size*3/100, g.vmkLine)
	g.sum += int64(len(wtext))
	wz := gz(wtext)
	for i := 0; len(wz) > 0; i++ {
		n := min(len(wz), 1<<20)
		g.fileCounted(fmt.Sprintf("var/run/log/vmkwarning.0.gz.FRAG-%05d", i), wz[:n], 0)
		wz = wz[n:]
	}
	// 17 %: current plain logs (64 MiB files at most)
	plain := size * 17 / 100
	for i := 0; plain > 0; i++ {
		n := min(plain, 64<<20)
		name := "var/run/log/vmkernel.log"
		line := g.vmkLine
		if i%2 == 1 {
			name, line = "var/run/log/hostd.log", g.hostdLine
		}
		if i > 1 {
			name = fmt.Sprintf("var/run/log/syslog%d.log", i)
		}
		g.file(name, g.text(n, line))
		plain -= n
	}
	// the rest: rotated .gz logs of 16 MiB
	for i := 0; g.sum < size; i++ {
		n := min(size-g.sum, 16<<20)
		name, line := fmt.Sprintf("var/run/log/vmkernel.%d.gz", i/2), g.vmkLine
		if i%2 == 1 {
			name, line = fmt.Sprintf("var/run/log/hostd.%d.gz", i/2), g.hostdLine
		}
		text := g.text(n, line)
		g.fileCounted(name, gz(text), int64(len(text)))
	}
	for _, c := range []func() error{g.tw.Close, zw.Close, bw.Flush, f.Close} {
		if err := c(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("benchgen: %s: %d uncompressed member bytes\n", *out, g.sum)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func (g *gen) file(name string, body []byte) { g.fileCounted(name, body, int64(len(body))) }

func (g *gen) fileCounted(name string, body []byte, plain int64) {
	h := &tar.Header{Name: root + name, Mode: 0o644, Size: int64(len(body)), ModTime: g.t, Typeflag: tar.TypeReg}
	if err := g.tw.WriteHeader(h); err != nil {
		panic(err)
	}
	if _, err := g.tw.Write(body); err != nil {
		panic(err)
	}
	g.sum += plain
}

// text makes n bytes of lines (the last one may be cut).
func (g *gen) text(n int64, line func([]byte) []byte) []byte {
	b := make([]byte, 0, n+512)
	for int64(len(b)) < n {
		b = line(b)
	}
	return b[:n]
}

func (g *gen) stamp(b []byte) []byte {
	g.t = g.t.Add(time.Duration(g.r.Intn(50)) * time.Millisecond)
	return g.t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
}

var senses = []string{"0x6 0x29 0x0", "0x2 0x4 0xa", "0x5 0x24 0x0", "0x6 0x3f 0xe", "0x0 0x0 0x0"}

func (g *gen) vmkLine(b []byte) []byte {
	b = g.stamp(b)
	b = append(b, " cpu"...)
	b = strconv.AppendInt(b, int64(g.r.Intn(64)), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(2097000+g.r.Intn(5000)), 10)
	switch g.r.Intn(4) {
	case 0:
		b = append(b, ")ScsiDeviceIO: 4325: Cmd(0x45d8c1"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(1<<20)), 16)
		b = append(b, ") 0x28, CmdSN 0x"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(1<<24)), 16)
		b = append(b, " from world 0 to dev \"naa.600508b1001c"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(1<<30)), 16)
		b = append(b, "\" failed H:0x0 D:0x2 P:0x0 Valid sense data: "...)
		b = append(b, senses[g.r.Intn(len(senses))]...)
		b = append(b, ".\n"...)
	case 1:
		b = append(b, ")NMP: nmp_ThrottleLogForDevice:3788: Cmd 0x2a (0x45d8c"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(1<<20)), 16)
		b = append(b, ", 2097"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(1000)), 10)
		b = append(b, ") to dev \"naa.600508b1001c"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(1<<30)), 16)
		b = append(b, "\" on path \"vmhba2:C0:T1:L"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(64)), 10)
		b = append(b, "\" Failed: H:0x0 D:0x28 P:0x0 Act:NONE\n"...)
	case 2:
		b = append(b, ")Vol3: 2125: Could not open file on vol 'datastore"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(40)), 10)
		b = append(b, "' (0x"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(1<<30)), 16)
		b = append(b, "): Not found\n"...)
	default:
		b = append(b, ")WARNING: NFS: 337: Lost connection to the server 192.168.1."...)
		b = strconv.AppendInt(b, int64(g.r.Intn(255)), 10)
		b = append(b, " mount point /vmfs/volumes/nfs"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(9)), 10)
		b = append(b, ", mounted as 5b7d6c4a-"...)
		b = strconv.AppendInt(b, int64(g.r.Intn(1<<30)), 16)
		b = append(b, "-00000000-0000 (\"nfs\")\n"...)
	}
	return b
}

func (g *gen) hostdLine(b []byte) []byte {
	b = g.stamp(b)
	b = append(b, " info hostd["...)
	b = strconv.AppendInt(b, int64(2099000+g.r.Intn(500)), 10)
	b = append(b, "] [Originator@6876 sub=Vimsvc.TaskManager opID="...)
	b = strconv.AppendInt(b, int64(g.r.Intn(1<<30)), 36)
	b = append(b, "-"...)
	b = strconv.AppendInt(b, int64(g.r.Intn(1<<20)), 16)
	b = append(b, " user=vpxuser:VSPHERE.LOCAL\\Administrator] Task Created : haTask-"...)
	b = strconv.AppendInt(b, int64(g.r.Intn(500)), 10)
	b = append(b, "-vim.VirtualMachine.createSnapshot-"...)
	b = strconv.AppendInt(b, int64(g.r.Intn(1<<30)), 10)
	return append(b, '\n')
}

func (g *gen) vsiLine(b []byte) []byte {
	b = append(b, "   /storage/scsifw/devices/naa.600508b1001c"...)
	b = strconv.AppendInt(b, int64(g.r.Intn(1<<20)), 16)
	b = append(b, "/stats/ {\n      numReads:"...)
	b = strconv.AppendInt(b, int64(g.r.Intn(1<<30)), 10)
	b = append(b, "\n      latencyTotal:"...)
	b = strconv.AppendInt(b, int64(g.r.Intn(1<<24)), 10)
	return append(b, "\n   }\n"...)
}
