package synth

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Generation selects the ESX/ESXi release line whose log formats are written.
type Generation int

// Generations, oldest first.
const (
	ESX35 Generation = iota + 1 // classic ESX 3.5: syslog wrapper, "status = D/H" SCSI lines
	ESX4                        // ESXi 4.x: everything in var/log/messages, pre-5.0 hostd.log
	ESXi5                       // ISO vmkernel, bracketed hostd "[TID level 'comp']"
	ESXi6                       // hostd "level hostd[TID] [Originator@6876 sub=...]", "from world" SCSI lines
	ESXi7                       // as 6 plus cmdId.initiator, decimal hostd tids
	ESXi8                       // syslog severity prefix "In(182) vmkernel:", split "Failed:" records
)

var genNames = [...]string{"", "esx35", "esx4", "esxi5", "esxi6", "esxi7", "esxi8"}

// String returns the stable short name ("esx35", "esx4", "esxi5" … "esxi8").
func (g Generation) String() string {
	if g < ESX35 || g > ESXi8 {
		return "gen(" + strconv.Itoa(int(g)) + ")"
	}
	return genNames[g]
}

// Generations lists every supported generation, oldest first.
func Generations() []Generation { return []Generation{ESX35, ESX4, ESXi5, ESXi6, ESXi7, ESXi8} }

// ParseGeneration accepts the String form and a few aliases ("3.5", "4", "7", "esxi7.0").
func ParseGeneration(s string) (Generation, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.TrimPrefix(k, "esxi")
	k = strings.TrimPrefix(k, "esx")
	k = strings.TrimPrefix(k, "-")
	switch {
	case k == "35" || k == "3.5" || strings.HasPrefix(k, "3"):
		return ESX35, nil
	case strings.HasPrefix(k, "4"):
		return ESX4, nil
	case strings.HasPrefix(k, "5"):
		return ESXi5, nil
	case strings.HasPrefix(k, "6"):
		return ESXi6, nil
	case strings.HasPrefix(k, "7"):
		return ESXi7, nil
	case strings.HasPrefix(k, "8"):
		return ESXi8, nil
	}
	return 0, fmt.Errorf("synth: unknown generation %q (want esx35, esx4, esxi5, esxi6, esxi7, esxi8)", s)
}

// defaultVersion returns a plausible version, build and friendly name per generation.
func (g Generation) defaults() (version, build, friendly string) {
	switch g {
	case ESX35:
		return "3.5.0", "207095", "VMware ESX 3.5.0 Update 4"
	case ESX4:
		return "4.1.0", "348481", "VMware ESXi 4.1.0 Update 1"
	case ESXi5:
		return "5.5.0", "3248547", "VMware ESXi 5.5.0 Update 3"
	case ESXi6:
		return "6.7.0", "15160138", "VMware ESXi 6.7.0 Update 3"
	case ESXi7:
		return "7.0.3", "21424296", "VMware ESXi 7.0 Update 3"
	default:
		return "8.0.2", "22380479", "VMware ESXi 8.0 Update 2"
	}
}

// Problem is a stable identifier of a fault scenario the generator can inject.
type Problem string

// Problems. The string values are stable: tests and the CLI use them.
const (
	UAStorm             Problem = "ua-storm"             // UNIT ATTENTION 0x6/0x3f/0xe storm while backup verification maps snapshot LUNs
	HostdStatsFull      Problem = "hostdstats-full"      // hostdstats ramdisk 100%, No space left, No free memory for file data, hostd core dump
	EsxConfLock         Problem = "esxconf-lock"         // esx.conf lock held by hostd PID 1363758 (both message forms)
	RelocateVMDisabled  Problem = "relocatevm-disabled"  // RelocateVM_Task disabled by a backup product (vim.fault.MethodDisabled)
	HostdCrash          Problem = "hostd-crash"          // hostd crash: core dump, backtrace, restart (ESXi 8: hostd-probe)
	SnapshotQuiesce     Problem = "snapshot-quiesce"     // quiesced snapshot failures (ApplicationQuiesceFault, VSS errors)
	APD                 Problem = "apd"                  // all paths down on a device, then APD timeout
	PDL                 Problem = "pdl"                  // permanent device loss (0x5/0x25/0x0 on all paths)
	Latency             Problem = "latency"              // "performance has deteriorated" I/O latency warnings
	ReservationConflict Problem = "reservation-conflict" // D:0x18 reservation conflicts
	QueueFull           Problem = "queue-full"           // D:0x28 TASK SET FULL and D:0x8 BUSY
	ThinProvNoSpace     Problem = "thinprov-nospace"     // 0x7/0x27/0x7 space allocation failed write protect
	DeadPath            Problem = "dead-path"            // a path goes dead, path redundancy lost
)

// AllProblems lists every problem in a stable order.
func AllProblems() []Problem {
	return []Problem{UAStorm, HostdStatsFull, EsxConfLock, RelocateVMDisabled, HostdCrash, SnapshotQuiesce,
		APD, PDL, Latency, ReservationConflict, QueueFull, ThinProvNoSpace, DeadPath}
}

// ParseProblems parses a comma-separated list; "all" means AllProblems, "" or "none" means none.
func ParseProblems(s string) ([]Problem, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return nil, nil
	}
	if s == "all" {
		return AllProblems(), nil
	}
	var out []Problem
	for _, f := range strings.Split(s, ",") {
		p := Problem(strings.TrimSpace(f))
		if p == "" {
			continue
		}
		if !isKnownProblem(p) {
			return nil, fmt.Errorf("synth: unknown problem %q", p)
		}
		out = append(out, p)
	}
	return out, nil
}

func isKnownProblem(p Problem) bool {
	for _, q := range AllProblems() {
		if q == p {
			return true
		}
	}
	return false
}

// Supported reports whether problem p can be injected for generation g. Facts that
// did not exist on a release are not invented: vobd.log, the "performance has
// deteriorated" warning and PDL handling start with ESXi 5 (latency, pdl need 5+);
// visorfs ramdisks, APD/dead-path NMP lines, thin provisioning sense and VDDK's
// PrepareForAccess need ESX/ESXi 4 (hostdstats-full, apd, dead-path,
// thinprov-nospace, relocatevm-disabled). ESX 3.5 keeps ua-storm, esxconf-lock,
// hostd-crash, snapshot-quiesce, reservation-conflict and queue-full.
func Supported(g Generation, p Problem) bool {
	if !isKnownProblem(p) || g < ESX35 || g > ESXi8 {
		return false
	}
	switch p {
	case Latency:
		return g >= ESXi5
	case PDL:
		return g >= ESXi5
	case HostdStatsFull:
		return g >= ESX4 // visorfs ramdisks are an ESXi thing
	case RelocateVMDisabled:
		return g >= ESX4 // VixDiskLib_PrepareForAccess arrived with vSphere 4
	case DeadPath, APD, ThinProvNoSpace:
		return g >= ESX4
	}
	return true
}

// Damage is a stable identifier of a way to break the container on purpose.
type Damage string

// Damage modes.
const (
	Truncated    Damage = "truncated"     // the outer gzip stream is cut in the middle of a member
	CorruptGz    Damage = "corrupt-gz"    // bytes in the middle of one nested .gz member are flipped
	MissingFrag  Damage = "missing-frag"  // piece FRAG-00001 of the first fragmented member is left out
	FragReversed Damage = "frag-reversed" // the pieces of the first fragmented member are stored last-to-first
)

// AllDamage lists every damage mode.
func AllDamage() []Damage { return []Damage{Truncated, CorruptGz, MissingFrag, FragReversed} }

// ParseDamage parses a comma-separated list of damage modes.
func ParseDamage(s string) ([]Damage, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return nil, nil
	}
	var out []Damage
	for _, f := range strings.Split(s, ",") {
		d := Damage(strings.TrimSpace(f))
		ok := false
		for _, k := range AllDamage() {
			ok = ok || k == d
		}
		if !ok {
			return nil, fmt.Errorf("synth: unknown damage %q (want truncated, corrupt-gz, missing-frag, frag-reversed)", d)
		}
		out = append(out, d)
	}
	return out, nil
}

// Config describes one host bundle. The zero value of every field has a default
// (see normalize): host "esx01.lab.local", ESXi 7, 8 MiB, seed 1, collected 2024-03-07 10:15 UTC.
type Config struct {
	Host        string
	Generation  Generation
	Build       string // default per generation
	Version     string // default per generation, e.g. "7.0.3"
	CollectedAt time.Time
	Seed        int64
	TargetBytes int64 // uncompressed bytes of log content (command outputs and config files come on top)
	Problems    []Problem
	RotateBytes int64 // >0: logs rotate into name.0.gz, name.1.gz … of about this many uncompressed bytes
	FragBytes   int64 // >0: members larger than this are split into name.FRAG-00000, -00001 … pieces
	Damage      []Damage
	Span        time.Duration // time covered by the logs, ending at CollectedAt: default 72h, at least 24h
	PID         int           // pid in the top folder name, default derived from Seed
}

func (c *Config) has(d Damage) bool {
	for _, x := range c.Damage {
		if x == d {
			return true
		}
	}
	return false
}

// normalize fills defaults and validates.
func (c Config) normalize() (Config, error) {
	if c.Host == "" {
		c.Host = "esx01.lab.local"
	}
	if strings.ContainsAny(c.Host, "/ \t\n") {
		return c, fmt.Errorf("synth: bad host name %q", c.Host)
	}
	if c.Generation == 0 {
		c.Generation = ESXi7
	}
	if c.Generation < ESX35 || c.Generation > ESXi8 {
		return c, fmt.Errorf("synth: unknown generation %d", int(c.Generation))
	}
	v, b, _ := c.Generation.defaults()
	if c.Version == "" {
		c.Version = v
	}
	if c.Build == "" {
		c.Build = b
	}
	if c.CollectedAt.IsZero() {
		c.CollectedAt = time.Date(2024, 3, 7, 10, 15, 0, 0, time.UTC)
	}
	c.CollectedAt = c.CollectedAt.UTC().Truncate(time.Millisecond)
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.TargetBytes <= 0 {
		c.TargetBytes = 8 << 20
	}
	if c.Span <= 0 {
		c.Span = 72 * time.Hour
	}
	if c.Span < 24*time.Hour {
		c.Span = 24 * time.Hour // problems sit up to 23 h before collection
	}
	if c.PID <= 0 {
		c.PID = 100000 + int(uint64(c.Seed)*2654435761%9000000)
	}
	if c.RotateBytes < 0 || c.FragBytes < 0 {
		return c, fmt.Errorf("synth: negative RotateBytes/FragBytes")
	}
	seen := map[Problem]bool{}
	var ps []Problem
	for _, p := range c.Problems {
		if !isKnownProblem(p) {
			return c, fmt.Errorf("synth: unknown problem %q", p)
		}
		if !Supported(c.Generation, p) {
			return c, fmt.Errorf("synth: problem %q is not supported on %s", p, c.Generation)
		}
		if !seen[p] {
			seen[p] = true
			ps = append(ps, p)
		}
	}
	c.Problems = ps
	// Damage that needs a nested .gz or FRAG set gets one.
	if c.has(CorruptGz) && c.RotateBytes == 0 {
		c.RotateBytes = max(c.TargetBytes/8, 64<<10)
	}
	if (c.has(MissingFrag) || c.has(FragReversed)) && c.FragBytes == 0 {
		c.FragBytes = max(c.TargetBytes/16, 16<<10)
	}
	return c, nil
}

// ParseSize parses "1GB", "512MB", "64KiB", "100000" (bytes). K/M/G/T are powers of 1024.
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "B")
	t = strings.TrimSuffix(t, "I")
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:len(t)-1]
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || !(f >= 0) || f*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("synth: bad size %q", s)
	}
	return int64(f * float64(mult)), nil
}
