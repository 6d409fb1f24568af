// Package bundles streams the members of a VMware vm-support bundle, in any
// of its shapes, without extracting it to disk.
//
// # Inputs
//
// Open and OpenReader detect the input by content (magic bytes), never by
// extension: a gzip'd tar (.tgz, .tar.gz), a plain tar, a zip (a vCenter
// export: each inner tar/tgz is its own host bundle), an extracted bundle
// folder (its top-level *.tgz/*.tar/*.tar.gz files that are archives by
// content are walked as host bundles of their own), a single log (plain or
// gzip) and stdin ("-"). The outer gzip stream, nested .gz members and zip
// deflate entries are inflated with github.com/klauspost/compress. Random
// bytes are rejected with ErrUnknownFormat.
//
// # Members and paths
//
// Walk calls a function once per logical member. Member.Path names the
// chain of containers separated by "!", each element exactly as stored:
// "x.zip!esx-h1-2024-03-07--10.15-1234.tgz!esx-h1-2024-03-07--10.15-1234/var/run/log/vmkernel.0.gz".
// Folder members use their file system path. Member.Rel is relative to the
// bundle root folder, with the FRAG suffix and ".gz" removed
// ("var/run/log/vmkernel.0"). A member whose first bytes are the gzip magic
// is inflated transparently (concatenated gzip streams included), whatever
// its name.
//
// # Concurrency and memory
//
// One goroutine (the walker) reads the container sequentially. It copies the
// bytes of each member into buffers taken from a fixed pool (4×Workers+4
// buffers of 256 KiB, at most 64) and hands the member to a pool of
// Options.Workers goroutines, which sniff and inflate it and call the
// callback. So the outer gzip stream is inflated by the walker while nested
// .gz members inflate in parallel on the workers, and the memory in flight is
// bounded by the pool whatever the bundle size: when every buffer is in use
// the walker waits. Members of random-access containers (folder, zip) are
// opened and read by the workers themselves. The callback runs on at most
// Options.Workers goroutines at once; cancelling the context stops the walk.
//
// # FRAG pieces
//
// vm-support splits big files into name.FRAG-00000, name.FRAG-00001, …
// (formats.md §1.3): the logical file is the byte concatenation of the pieces
// in numeric order; a piece may cut a line or a gzip stream anywhere, so the
// joined raw bytes are sniffed and inflated as one stream.
//
// Design, for a tar (sequential) container:
//
//   - Live streaming (the normal case). When piece 00000 of a set arrives,
//     a member is started and the piece is streamed into it; while the next
//     tar entries are pieces 00001, 00002, … of the same set they are
//     appended to the same stream. The first entry that is not the next
//     piece ends the member. No piece is ever held in memory.
//   - Stored pieces. A piece that cannot be streamed live (its set did not
//     start with 00000, or 00000 came after another piece of the set) is
//     kept in a store: in memory while the store holds at most
//     Options.FragSpill bytes, beyond that appended to one temporary file in
//     Options.TempDir (removed when Walk returns). At the end of the tar the
//     stored sets are delivered: runs of consecutive pieces are joined.
//   - Gaps are never joined around. The run before a missing piece is
//     delivered as one member and an ErrFragGap MemberError names the first
//     missing piece, at the offset where the joined bytes stop; the pieces
//     after the gap are delivered as a separate member (the newest lines of a
//     log are often in the last pieces) — except for a gzip'd file (name
//     ending in .gz), whose later pieces are the middle of a deflate stream
//     and cannot be decoded: they are reported, not delivered. A missing last
//     piece cannot be detected: FRAG names carry no piece count.
//   - Pieces that arrive after their set was streamed live (e.g. 00000,
//     00001, other file, 00002) are delivered as a separate member with an
//     ErrFragOrder error, so no byte is lost and the split is visible (same
//     gzip exception as above). Duplicate pieces are skipped with ErrFragOrder.
//
// Folders and zips are random access: every piece is known before delivery,
// so sets are joined in numeric order with the same gap rules, no store needed.
//
// # Bad input
//
// Nothing in the input makes Walk fail or panic. Each problem is recorded as
// a *MemberError (Source.Errors) naming the virtual path, the offset and an
// operation, wrapping one of the Err* sentinels: truncated or corrupt gzip
// and tar data (the members before it are delivered, the member being read
// ends early), unsafe entry names ("../", absolute; skipped), links and
// device entries (skipped; links are never followed), decompression bombs
// (a stream expanding more than MaxRatio times after its first MiB, or more
// than MaxTotal member bytes in all: the member is cut there, and MaxTotal
// stops the walk). A zip whose central directory cannot be read (a
// download cut short) is read from its local headers, in file order, up to
// the first entry whose end cannot be found or that is cut: the host
// bundles before it are still walked. So is a zip of more than 50,000
// entries, whose central directory archive/zip would hold in memory whole. Member readers only ever return io.EOF; long lines are
// not special since members are byte streams. Errors keeps at most
// MaxErrorsPerOp problems of each Op, plus one saying how many more there
// were, so an archive of a million bad entries costs bounded memory.
//
// # Metadata
//
// Each host bundle gets a BundleInfo: host, ESXi version and build,
// collection time and kind, from the root folder name
// esx-<host>-<YYYY-MM-DD>--<HH.MM>-<pid> (known before the first member is
// delivered; Source.Bundle gives a snapshot during Walk), the root README
// "Captured on:" line, commands/vmware_-vl.txt, commands/uname_-a.txt and the
// "Section for VMware ESX, pid=…, version=…, build=…" header of logs
// (first 64 KiB of each log read by the callback). Precedence: host from the
// folder name over uname; time from README over the folder name (both read
// as UTC, the bundle records no zone); version and build from vmware -vl over
// uname over log headers. BundleInfo.Sources says where each value came from.
//
// # Performance
//
// bundles/bench.sh generates a 1 GiB-uncompressed bundle with
// cmd/esxdiag-synth (esxi7, 16 MiB rotations, 8 MiB FRAG pieces, all
// problems: 175 MB .tgz) and measures in one run gzip -dc, the full-inflate
// baseline (bundles/internal/inflatebaseline: every gzip layer inflated in
// one goroutine with klauspost) and Walk with line counting
// (bundles/internal/walkcount), best of 3. On the shared 2-core box (load 5):
// gzip -dc 1.31 s; baseline 2.62 s (410 MB/s, 4.7 MB RSS); Walk 1.47 s
// (731 MB/s, 11.2 MB peak RSS), i.e. 0.56× the baseline, because nested
// members inflate on the workers while the walker inflates the outer stream.
// BenchmarkWalk and BenchmarkBaseline compare the two on a small in-memory
// bundle.
package bundles
