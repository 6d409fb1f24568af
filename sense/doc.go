// Package sense is esxdiag's SCSI knowledge: it parses every textual form in
// which VMware ESX/ESXi has logged a SCSI command status, decodes sense key,
// ASC/ASCQ, SCSI status, ESXi host (H:) and plugin (P:) status and opcodes
// into their standard names, decodes raw fixed (0x70/0x71) and descriptor
// (0x72/0x73) sense buffers, and classifies each result into an action class
// a support engineer understands.
//
// All lookup tables are generated from the tab-separated data files under
// data/ (copied from T10, sg3_utils and VMware KB material, see
// data/README.md) by `go generate`; tables_gen.go is committed and a test
// fails when it is out of date with the data.
//
// The hot-path functions ParseStatus and Decode do not allocate.
package sense

//go:generate go run ./internal/gen/gentables -data data -out tables_gen.go
