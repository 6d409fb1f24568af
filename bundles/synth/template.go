package synth

import "strings"

// A tmpl is a line-body template compiled once: literal bytes interleaved with
// slots that render random but realistic values ({vm}, {dev}, {h8}, {d4} …).
// Rendering appends to a caller buffer and never allocates.
type tmpl struct{ parts []tpart }

type tpart struct {
	lit  string
	slot slotKind
	n    int
}

type slotKind uint8

const (
	slotLit    slotKind = iota
	slotDec             // up to n digits, no leading zero
	slotHex             // exactly n lower-case hex digits
	slotHexU            // exactly n upper-case hex digits
	slotAddr            // "0x" + 12 hex, a vmkernel heap address
	slotVM              // VM name
	slotDS              // datastore name
	slotDev             // healthy naa id
	slotPath            // path of a healthy device
	slotIP              // 10.x.y.z
	slotOp              // opID
	slotUUID            // 8-8-4-12 VMFS uuid
	slotWorld           // world id
	slotHost            // host name
	slotTicket          // "52 66 af … fd" session ticket with spaces
	slotSess            // session uuid 8-4-4-4-12
	slotSameVM          // the VM name last rendered by {vm} in this record
)

var slotNames = map[string]slotKind{
	"a": slotAddr, "vm": slotVM, "ds": slotDS, "dev": slotDev, "path": slotPath, "ip": slotIP,
	"op": slotOp, "uuid": slotUUID, "world": slotWorld, "host": slotHost, "tick": slotTicket, "sess": slotSess, "samevm": slotSameVM,
}

func compile(s string) *tmpl {
	t := &tmpl{}
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		name := s[i+1 : i+j]
		var p tpart
		switch {
		case slotNames[name] != 0:
			p.slot = slotNames[name]
		case len(name) >= 2 && name[0] == 'd':
			p.slot, p.n = slotDec, atoiSmall(name[1:])
		case len(name) >= 2 && name[0] == 'h':
			p.slot, p.n = slotHex, atoiSmall(name[1:])
		case len(name) >= 2 && name[0] == 'H':
			p.slot, p.n = slotHexU, atoiSmall(name[1:])
		default:
			panic("synth: bad template slot {" + name + "}") // programming error in a constant table
		}
		if i > 0 {
			t.parts = append(t.parts, tpart{lit: s[:i]})
		}
		t.parts = append(t.parts, p)
		s = s[i+j+1:]
	}
	if s != "" {
		t.parts = append(t.parts, tpart{lit: s})
	}
	return t
}

func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

var pow10 = [...]int{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

// renderCtx carries what slots need.
type renderCtx struct {
	r      *rng
	d      *dialect
	worlds []int
	lastVM int
}

func (t *tmpl) render(b []byte, c *renderCtx) []byte {
	for i := range t.parts {
		p := &t.parts[i]
		switch p.slot {
		case slotLit:
			b = append(b, p.lit...)
		case slotDec:
			if p.n > 9 {
				b = append(b, byte('1'+c.r.intn(9)))
				v := c.r.next()
				for k := 1; k < p.n; k++ {
					b = append(b, byte('0'+v%10))
					v /= 10
				}
				continue
			}
			lo := pow10[p.n-1]
			if p.n == 1 {
				lo = 0
			}
			b = appendInt(b, int64(lo+c.r.intn(pow10[p.n]-lo)))
		case slotHex:
			b = appendHexN(b, c.r.next(), p.n, false)
		case slotHexU:
			b = appendHexN(b, c.r.next(), p.n, true)
		case slotAddr:
			b = appendAddr(b, c.d.gen, c.r.next())
		case slotVM:
			c.lastVM = c.r.intn(len(vmNames))
			b = append(b, vmNames[c.lastVM]...)
		case slotSameVM:
			b = append(b, vmNames[c.lastVM]...)
		case slotDS:
			b = append(b, datastoreNames[c.r.intn(len(datastoreNames))]...)
		case slotDev:
			b = append(b, healthyIDs[c.r.intn(numHealthy)]...)
		case slotPath:
			i := firstHealthy + c.r.intn(numHealthy)
			b = append(b, pathNames[c.d.gen][i][c.r.intn(2)]...)
		case slotIP:
			b = append(b, "10.20."...)
			b = appendInt(b, int64(1+c.r.intn(4)))
			b = append(b, '.')
			b = appendInt(b, int64(2+c.r.intn(250)))
		case slotOp:
			b = appendHexN(b, c.r.next(), 8, false)
		case slotUUID:
			v := c.r.intn(len(datastoreUUIDs))
			b = append(b, datastoreUUIDs[v]...)
		case slotWorld:
			b = appendInt(b, int64(c.worlds[c.r.intn(len(c.worlds))]))
		case slotHost:
			b = append(b, c.d.host...)
		case slotTicket:
			v := c.r.next()
			for k := 0; k < 8; k++ {
				if k > 0 {
					b = append(b, ' ')
				}
				b = appendHexN(b, v>>(8*uint(k)), 2, false)
			}
			b = append(b, '-')
			v = c.r.next()
			for k := 0; k < 8; k++ {
				if k > 0 {
					b = append(b, ' ')
				}
				b = appendHexN(b, v>>(8*uint(k)), 2, false)
			}
		case slotSess:
			v, w := c.r.next(), c.r.next()
			b = appendHexN(b, v, 8, false)
			b = append(b, '-')
			b = appendHexN(b, v>>32, 4, false)
			b = append(b, '-')
			b = appendHexN(b, w, 4, false)
			b = append(b, '-')
			b = appendHexN(b, w>>16, 4, false)
			b = append(b, '-')
			b = appendHexN(b, w>>8^v, 12, false)
		}
	}
	return b
}

var (
	healthyIDs     [numHealthy]string
	pathNames      [ESXi8 + 1][NumDevices][2]string
	datastoreUUIDs = []string{"5f3a9c21-8be4d7a0-1c42-0025b5a0001e", "5f3a9c8e-1e0f5b31-9d10-0025b5a0001e",
		"60b1d2f4-77aa0c12-3b5e-0025b5a0001f", "61c0e0aa-0d4b9f27-6a81-0025b5a0001f", "5e1f0b3c-5a9d2e44-0f7b-0025b5a00020"}
)

func init() {
	for i := 0; i < numHealthy; i++ {
		healthyIDs[i] = DeviceID(firstHealthy + i)
	}
	for g := ESX35; g <= ESXi8; g++ {
		for i := 0; i < NumDevices; i++ {
			pathNames[g][i] = [2]string{DevicePath(g, i, 0), DevicePath(g, i, 1)}
		}
	}
}

// appendAddr appends a vmkernel heap address like the real ones of the release:
// 0x41… (4.x/5.x), 0x43… (6.x), 0x45… (7.x/8.x), 12 hex digits, 16-byte aligned.
func appendAddr(b []byte, g Generation, v uint64) []byte {
	switch {
	case g >= ESXi7:
		b = append(b, "0x45"...)
	case g == ESXi6:
		b = append(b, "0x43"...)
	default:
		b = append(b, "0x41"...)
	}
	return appendHexN(b, v&^0xf, 10, false)
}
