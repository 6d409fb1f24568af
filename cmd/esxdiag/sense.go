package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/spf13/cobra"

	"github.com/esxdiag/esxdiag/sense"
)

// senseSchema names the JSON document `esxdiag sense --json` writes; see
// docs/sense-json.md. Bump the version on incompatible changes.
const senseSchema = "esxdiag.sense/v1"

const senseExpect = `want a sense triple (0x6 0x3f 0xe), an ESXi status fragment or log line ` +
	`('H:0x0 D:0x2 P:0x0 Valid sense data: 0x6 0x3f 0xe', 'status = 2/0 0x5 0x24 0x0', ` +
	`'PDL error (0x5/0x25/0x0)'), --raw HEX, or - to read text from stdin`

func newSenseCmd() *cobra.Command {
	var raw string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sense [TRIPLE | TEXT... | -]",
		Short: "Decode SCSI sense data and ESXi H:/D:/P: status",
		Long: `Decode a SCSI status the way ESX/ESXi logs it.

Accepts a sense key / ASC / ASCQ triple, a status fragment or a whole log line
(every form ESX 3.5 to ESXi 8 used, also text damaged by web pages), a raw
sense buffer (--raw, fixed or descriptor format, hex spaced or packed), or
with "-" or no arguments the text on stdin, decoding every status found line
by line.`,
		Example: `  esxdiag sense 0x6 0x3f 0xe
  esxdiag sense 'Command 0x28 to device "naa.6" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x25 0x0.'
  esxdiag sense --raw "70 00 06 00 00 00 00 0a 00 00 00 00 3f 0e 00 00 00 00"
  esxdiag sense --json - < vmkernel.log`,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			var res []senseResult
			switch {
			case cmd.Flags().Changed("raw"):
				if len(args) > 0 {
					return usageErrorf("sense: --raw takes the hex bytes as its value; unexpected arguments %q", args)
				}
				r, err := decodeRaw(raw)
				if err != nil {
					return err
				}
				res = append(res, r)
			case len(args) == 0 || len(args) == 1 && args[0] == "-":
				var err error
				res, err = decodeReader(cmd.InOrStdin())
				if err != nil {
					return &exitError{code: exitUsage, err: fmt.Errorf("sense: reading stdin: %w", err)}
				}
				if len(res) == 0 {
					return &exitError{code: exitUnrecognised, err: fmt.Errorf("sense: no SCSI status found on stdin; %s", senseExpect)}
				}
			default:
				text := strings.Join(args, " ")
				res = decodeText(text, 0)
				if len(res) == 0 {
					return usageErrorf("sense: no SCSI status in %q; %s", text, senseExpect)
				}
			}
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(senseDoc{Schema: senseSchema, Results: res})
			}
			renderSenseText(out, newSenseStyles(out), res)
			return nil
		},
	}
	cmd.Flags().StringVar(&raw, "raw", "", `decode a raw sense buffer given as hex ("70 00 06 ..." or "700006...")`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "write JSON ("+senseSchema+", see docs/sense-json.md)")
	return cmd
}

// senseDoc is the --json document (docs/sense-json.md).
type senseDoc struct {
	Schema  string        `json:"schema"`
	Results []senseResult `json:"results"`
}

type codeJSON struct {
	Value   int    `json:"value"`
	Hex     string `json:"hex"`
	Name    string `json:"name"`
	Meaning string `json:"meaning,omitempty"`
}

func codeOf(c sense.Code) *codeJSON {
	return &codeJSON{Value: c.Value, Hex: fmt.Sprintf("0x%x", c.Value), Name: c.Name, Meaning: c.Meaning}
}

type senseJSON struct {
	Validity    string    `json:"validity"`
	Key         *codeJSON `json:"key"`
	ASC         int       `json:"asc"`
	ASCQ        int       `json:"ascq"`
	ASCHex      string    `json:"asc_hex"`
	ASCQHex     string    `json:"ascq_hex"`
	ASCText     string    `json:"asc_text"`
	ASCKind     string    `json:"asc_kind"`
	Description string    `json:"description"`
}

type classJSON struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Guidance string `json:"guidance"`
	Source   string `json:"source"`
}

type senseResult struct {
	Input  string      `json:"input"`
	Line   int         `json:"line,omitempty"`
	Form   string      `json:"form"`
	Opcode *codeJSON   `json:"opcode"`
	Host   *codeJSON   `json:"host"`
	Device *codeJSON   `json:"device"`
	Plugin *codeJSON   `json:"plugin"`
	Sense  *senseJSON  `json:"sense"`
	PDL    bool        `json:"pdl"`
	Class  classJSON   `json:"class"`
	Buffer *bufferJSON `json:"buffer,omitempty"`
}

type fieldJSON struct {
	Valid bool   `json:"valid"`
	Value uint64 `json:"value"`
	Hex   string `json:"hex"`
}

type sksJSON struct {
	Valid           bool     `json:"valid"`
	Kind            string   `json:"kind"`
	Raw             string   `json:"raw"`
	InCDB           *bool    `json:"in_cdb,omitempty"`
	Byte            *int     `json:"byte,omitempty"`
	Bit             *int     `json:"bit,omitempty"`
	ProgressPercent *float64 `json:"progress_percent,omitempty"`
	RetryCount      *int     `json:"retry_count,omitempty"`
	Overflow        *bool    `json:"overflow,omitempty"`
}

type ataJSON struct {
	Extend bool   `json:"extend"`
	Error  int    `json:"error"`
	Count  int    `json:"count"`
	LBA    uint64 `json:"lba"`
	Device int    `json:"device"`
	Status int    `json:"status"`
}

type descJSON struct {
	Type   int    `json:"type"`
	Offset int    `json:"offset"`
	Hex    string `json:"hex"`
}

type bufferJSON struct {
	Format          string     `json:"format"` // "fixed" | "descriptor"
	ResponseCode    string     `json:"response_code"`
	Deferred        bool       `json:"deferred"`
	FileMark        bool       `json:"filemark"`
	EOM             bool       `json:"eom"`
	ILI             bool       `json:"ili"`
	Information     *fieldJSON `json:"information"`
	CommandSpecific *fieldJSON `json:"command_specific"`
	FRU             *int       `json:"fru"`
	SKS             *sksJSON   `json:"sense_key_specific"`
	ProgressPercent *float64   `json:"progress_percent"`
	ATA             *ataJSON   `json:"ata_status"`
	Descriptors     []descJSON `json:"descriptors"`
}

func ptr[T any](v T) *T { return &v }

// resultOf builds the result for one parsed status.
func resultOf(input string, line int, st sense.Status) senseResult {
	r := senseResult{Input: input, Line: line, Form: st.Form.String(), PDL: st.PDL}
	if st.Opcode >= 0 {
		r.Opcode = codeOf(sense.Opcode(uint8(st.Opcode), -1))
	}
	if st.HasStatus {
		r.Host = codeOf(sense.HostStatus(st.Host))
		r.Device = codeOf(sense.DeviceStatus(st.Device))
		if st.Form == sense.FormESXi5 {
			r.Plugin = codeOf(sense.PluginStatus(st.Plugin))
		}
	}
	if st.Validity != sense.SenseNone {
		d := sense.Decode(st.Key, st.ASC, st.ASCQ)
		r.Sense = &senseJSON{
			Validity: st.Validity.String(), Key: codeOf(sense.SenseKey(st.Key)),
			ASC: int(d.ASC), ASCQ: int(d.ASCQ),
			ASCHex: fmt.Sprintf("0x%02x", d.ASC), ASCQHex: fmt.Sprintf("0x%02x", d.ASCQ),
			ASCText: d.ASCText, ASCKind: d.ASCKind.String(), Description: d.Description(),
		}
	}
	c := sense.Classify(st)
	r.Class = classJSON{ID: c.ID, Title: c.Title, Severity: c.Severity, Guidance: c.Guidance, Source: c.Source}
	return r
}

// decodeText decodes every status in text; a bare triple is tried first.
func decodeText(text string, line int) []senseResult {
	var st sense.Status
	if sense.ParseTriple([]byte(text), &st) {
		return []senseResult{resultOf(strings.TrimSpace(text), line, st)}
	}
	var res []senseResult
	sense.Scan([]byte(text), func(s sense.Status) {
		res = append(res, resultOf(strings.TrimSpace(text), line, s))
	})
	return res
}

// decodeReader decodes pasted text line by line. ESXi 8 ends a
// throttled-failure record at "Failed:" and logs the status on the next
// record; the opcode of such a line is carried to the next status.
func decodeReader(r io.Reader) ([]senseResult, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var res []senseResult
	n, pending := 0, -1
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		got := decodeText(line, n)
		if len(got) == 0 {
			pending = -1
			if strings.HasSuffix(strings.TrimSpace(line), "Failed:") {
				pending = sense.OpcodeIn([]byte(line))
			}
			continue
		}
		if pending >= 0 && got[0].Opcode == nil {
			got[0].Opcode = codeOf(sense.Opcode(uint8(pending), -1))
		}
		pending = -1
		res = append(res, got...)
	}
	return res, sc.Err()
}

func decodeRaw(hexText string) (senseResult, error) {
	b, err := sense.ParseHex(hexText)
	if err != nil {
		return senseResult{}, usageErrorf("--raw: %v (expected sense bytes in hex, e.g. \"70 00 06 00 00 00 00 0a 00 00 00 00 3f 0e 00 00 00 00\")", err)
	}
	buf, err := sense.DecodeBuffer(b)
	if err != nil {
		return senseResult{}, usageErrorf("--raw: %v (expected a complete fixed 0x70/0x71 or descriptor 0x72/0x73 sense buffer)", err)
	}
	st := sense.Status{Opcode: -1, Validity: sense.SenseValid, Key: buf.Key, ASC: buf.ASC, ASCQ: buf.ASCQ}
	r := resultOf(fmt.Sprintf("% x", b), 0, st)
	r.Form = "raw"
	r.Buffer = bufferOf(buf)
	return r, nil
}

func bufferOf(b sense.Buffer) *bufferJSON {
	j := &bufferJSON{
		Format: "fixed", ResponseCode: fmt.Sprintf("0x%02x", b.ResponseCode), Deferred: b.Deferred,
		FileMark: b.FileMark, EOM: b.EOM, ILI: b.ILI, Descriptors: []descJSON{},
	}
	if b.Descriptor {
		j.Format = "descriptor"
	}
	if b.HasInformation {
		j.Information = &fieldJSON{Valid: b.InfoValid, Value: b.Information, Hex: fmt.Sprintf("0x%x", b.Information)}
	}
	if b.HasCommandInfo {
		j.CommandSpecific = &fieldJSON{Valid: true, Value: b.CommandInfo, Hex: fmt.Sprintf("0x%x", b.CommandInfo)}
	}
	if b.HasFRU {
		j.FRU = ptr(int(b.FRU))
	}
	if b.SKS.Kind != sense.SKSNone {
		s := b.SKS
		k := &sksJSON{Valid: b.HasSKS, Kind: s.Kind.String(), Raw: fmt.Sprintf("%02x %02x %02x", s.Raw[0], s.Raw[1], s.Raw[2])}
		switch s.Kind {
		case sense.SKSFieldPointer, sense.SKSSegmentPointer:
			k.InCDB, k.Byte = ptr(s.InCDB), ptr(int(s.Field))
			if s.BitValid {
				k.Bit = ptr(int(s.Bit))
			}
		case sense.SKSProgress:
			k.ProgressPercent = ptr(s.ProgressPercent())
		case sense.SKSRetryCount:
			k.RetryCount = ptr(int(s.RetryCount))
		case sense.SKSUnitAttentionQueue:
			k.Overflow = ptr(s.Overflow)
		}
		j.SKS = k
	}
	if b.HasProgress {
		j.ProgressPercent = ptr(float64(b.Progress) * 100 / 65536)
	}
	if a := b.ATA; a != nil {
		j.ATA = &ataJSON{Extend: a.Extend, Error: int(a.Error), Count: int(a.Count), LBA: a.LBA, Device: int(a.Device), Status: int(a.Status)}
	}
	for _, d := range b.Descriptors {
		j.Descriptors = append(j.Descriptors, descJSON{Type: int(d.Type), Offset: d.Offset, Hex: fmt.Sprintf("% x", d.Data)})
	}
	return j
}

// senseStyles are the lipgloss styles of the text output; all plain when
// colour is off.
type senseStyles struct {
	head, label, name, dim lipgloss.Style
	sev                    map[string]lipgloss.Style
}

// useColor reports whether w is a terminal and NO_COLOR is unset.
func useColor(w io.Writer) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func newSenseStyles(w io.Writer) senseStyles {
	plain := lipgloss.NewStyle()
	s := senseStyles{head: plain, label: plain, name: plain, dim: plain, sev: map[string]lipgloss.Style{}}
	if !useColor(w) {
		return s
	}
	r := lipgloss.NewRenderer(w)
	s.head = r.NewStyle().Bold(true)
	s.label = r.NewStyle().Foreground(lipgloss.Color("8"))
	s.name = r.NewStyle().Bold(true)
	s.dim = r.NewStyle().Faint(true)
	s.sev = map[string]lipgloss.Style{
		"info":     r.NewStyle().Foreground(lipgloss.Color("6")),
		"warning":  r.NewStyle().Foreground(lipgloss.Color("3")).Bold(true),
		"error":    r.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
		"critical": r.NewStyle().Foreground(lipgloss.Color("15")).Background(lipgloss.Color("1")).Bold(true),
	}
	return s
}

func renderSenseText(w io.Writer, s senseStyles, res []senseResult) {
	row := func(label, value string) {
		fmt.Fprintf(w, "  %s %s\n", s.label.Render(fmt.Sprintf("%-10s", label)), value)
	}
	code := func(prefix string, c *codeJSON) string {
		v := s.name.Render(c.Name)
		if c.Meaning != "" {
			v += s.dim.Render(" - " + c.Meaning)
		}
		return prefix + c.Hex + "  " + v
	}
	for i, r := range res {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := r.Input
		if r.Line > 0 {
			head = fmt.Sprintf("line %d: %s", r.Line, head)
		}
		fmt.Fprintln(w, s.head.Render(head))
		if r.Opcode != nil {
			row("command", code("", r.Opcode))
		}
		if r.Host != nil {
			row("host", code("H:", r.Host))
			row("device", code("D:", r.Device))
		}
		if r.Plugin != nil {
			row("plugin", code("P:", r.Plugin))
		}
		if r.Sense != nil {
			row("sense key", code("", r.Sense.Key)+s.dim.Render(" ("+r.Sense.Validity+" sense data)"))
			row("asc/ascq", fmt.Sprintf("%s/%s  %s", r.Sense.ASCHex, r.Sense.ASCQHex, s.name.Render(r.Sense.Description)))
		}
		if r.PDL {
			row("pdl", "the log line itself reports permanent device loss")
		}
		if b := r.Buffer; b != nil {
			renderBufferText(row, b)
		}
		sev := s.sev[r.Class.Severity]
		row("class", fmt.Sprintf("%s  %s", sev.Render(r.Class.Severity), s.name.Render(r.Class.Title))+s.dim.Render(" ("+r.Class.ID+")"))
		row("action", r.Class.Guidance)
		row("source", s.dim.Render(r.Class.Source))
	}
}

func renderBufferText(row func(string, string), b *bufferJSON) {
	state := "current"
	if b.Deferred {
		state = "deferred"
	}
	row("format", fmt.Sprintf("%s (response code %s, %s)", b.Format, b.ResponseCode, state))
	var flags []string
	for _, f := range []struct {
		on   bool
		name string
	}{{b.FileMark, "FILEMARK"}, {b.EOM, "EOM"}, {b.ILI, "ILI"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	if len(flags) > 0 {
		row("flags", strings.Join(flags, " "))
	}
	if i := b.Information; i != nil {
		v := fmt.Sprintf("%s [%d]", i.Hex, i.Value)
		if !i.Valid {
			v += " (VALID bit clear: not defined)"
		}
		row("info", v)
	}
	if c := b.CommandSpecific; c != nil && c.Value != 0 {
		row("cmd info", fmt.Sprintf("%s [%d]", c.Hex, c.Value))
	}
	if b.FRU != nil && *b.FRU != 0 {
		row("fru", fmt.Sprintf("0x%02x", *b.FRU))
	}
	if k := b.SKS; k != nil && k.Valid {
		var v string
		switch {
		case k.Byte != nil:
			where := "parameter data"
			if *k.InCDB {
				where = "CDB"
			}
			v = fmt.Sprintf("%s: error in %s byte %d", k.Kind, where, *k.Byte)
			if k.Bit != nil {
				v += fmt.Sprintf(" bit %d", *k.Bit)
			}
		case k.ProgressPercent != nil:
			v = fmt.Sprintf("progress %.2f%%", *k.ProgressPercent)
		case k.RetryCount != nil:
			v = fmt.Sprintf("actual retry count %d", *k.RetryCount)
		case k.Overflow != nil:
			v = fmt.Sprintf("unit attention queue overflow: %v", *k.Overflow)
		default:
			v = k.Kind + " " + k.Raw
		}
		row("sks", v)
	}
	if b.ProgressPercent != nil && (b.SKS == nil || b.SKS.ProgressPercent == nil || !b.SKS.Valid) {
		row("progress", fmt.Sprintf("%.2f%%", *b.ProgressPercent))
	}
	if a := b.ATA; a != nil {
		row("ata", fmt.Sprintf("extend=%v error=0x%02x count=0x%x lba=0x%x device=0x%02x status=0x%02x", a.Extend, a.Error, a.Count, a.LBA, a.Device, a.Status))
	}
	for _, d := range b.Descriptors {
		row("descriptor", fmt.Sprintf("type 0x%02x at offset %d: %s", d.Type, d.Offset, d.Hex))
	}
}
