package bundles

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by MemberError.Err; test them with errors.Is.
var (
	// ErrUnknownFormat: the input is neither gzip, tar, zip nor text.
	ErrUnknownFormat = errors.New("unrecognised input format")
	// ErrEmpty: the input holds no bytes.
	ErrEmpty = errors.New("empty input")
	// ErrTruncated: a stream ended before its declared end.
	ErrTruncated = errors.New("truncated")
	// ErrCorrupt: compressed or archive data could not be decoded.
	ErrCorrupt = errors.New("corrupt data")
	// ErrUnsafePath: an archive entry name is absolute or climbs out with "..".
	ErrUnsafePath = errors.New("unsafe entry path")
	// ErrSymlink: a symbolic or hard link entry; links are never followed.
	ErrSymlink = errors.New("link entry skipped")
	// ErrSpecial: a device, fifo or other non-regular entry.
	ErrSpecial = errors.New("special file skipped")
	// ErrRatio: a stream expanded beyond Options.MaxRatio.
	ErrRatio = errors.New("expansion ratio cap exceeded")
	// ErrTotal: the walk produced more than Options.MaxTotal bytes.
	ErrTotal = errors.New("total size cap exceeded")
	// ErrFragGap: a FRAG piece is missing; the pieces before it were delivered.
	ErrFragGap = errors.New("FRAG piece missing")
	// ErrFragOrder: a FRAG piece arrived after its set had been delivered, or twice.
	ErrFragOrder = errors.New("FRAG piece out of order")
)

// MemberError is one per-member (or per-container) problem. Walk keeps going
// after it; Source.Errors lists them after Walk.
//
// Offset is the byte offset where the problem was seen: for member data it is
// the number of member bytes delivered before the problem (decompressed for
// gzip members; raw joined bytes for FRAG gaps), for container problems it is
// the offset in the container stream (decompressed tar stream, zip file).
type MemberError struct {
	Path   string // virtual path naming the chain
	Offset int64
	Op     string // "detect", "gzip", "tar", "zip", "read", "link", "special", "path", "ratio", "total", "frag-gap", "frag-order", "dir"
	Err    error
	Seq    int // walk position, for ordering (SPEC change: added)
}

func (e *MemberError) Error() string {
	return fmt.Sprintf("bundles: %s at offset %d: %s: %v", e.Path, e.Offset, e.Op, e.Err)
}

func (e *MemberError) Unwrap() error { return e.Err }
