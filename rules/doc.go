// Package rules is the esxdiag rule engine and its catalog: it picks the few
// lines that matter out of millions, aggregates them per host, and turns
// them into findings that name the problem, the fix and the KB.
//
// # Engine
//
// Analyze walks a bundles.Source. Every member is read in 1 MiB chunks cut
// at the last newline (the tail is carried into the next read; a line longer
// than a chunk keeps its first 1 MiB, the rest is skipped and counted in
// Report.ReadErrors, never buffered). Line numbers come from bytes.Count per
// chunk. The kind of a member comes from its path (parser.KindOf) or, failing
// that, its first bytes (parser.KindOfContent); members of unknown kind are
// listed but not inflated further.
//
// All keywords of all rules bound to a kind form one prefilter that scans the
// whole chunk; only lines with a hit are touched: their record is completed
// ("-->" continuation lines are attached; on vmkernel, ESXi 8 split
// "Failed:" records are joined with their status by parser.ScsiJoiner), the
// header is parsed once (parser.ParseHeader, year inferred from the bundle's
// collection time), Options.Since/Until are applied, and the record goes to
// every rule of the kind that owns a keyword present on it (Line.Keyword is
// the first such keyword of the rule). The first 256 lines of each file and
// the last line of each chunk are also parsed, for the time span of the host
// and the per-file Unparsed counter. Nothing on the path of a line without a
// hit allocates.
//
// Walk calls back concurrently. Each concurrent callback takes a private
// worker; a worker keeps one RuleState per rule per host bundle. At the end
// the states are merged (RuleState.Merge is order-independent by contract,
// EvidenceSet keeps the first N lines by member Seq and line number), so the
// report is identical whatever the number of workers. Every rule then
// reports fired, clear, or not-evaluable ("no vmkernel log in bundle": none
// of its kinds was seen), findings get their fingerprint
// (Fingerprint: sha256 of rule, host and object) and are sorted by severity,
// first time, rule and fingerprint.
//
// AnalyzeText analyzes pasted text: parser.NormalizeSnippet repairs it (its
// notes go to Report.Notes) and each run of lines of one kind (sniffed line
// by line) is analyzed as one file.
//
// # Prefilter: how the matcher was chosen
//
// BenchmarkPrefilterNoise, 1 MiB of generated vmkernel/hostd noise, 50
// catalog-shaped keywords, one core of the shared 2-core project machine
// (wall-clock numbers vary by a factor of two with the neighbours' load;
// the benchmark also reports MB per CPU second):
//
//	matcher                                    MB/s       allocs
//	hybrid q-gram sampling + anchors (chosen)  940-1480   0
//	github.com/coregx/ahocorasick v0.3.1        435       0
//	rare-anchor IndexByte passes only           305-390   0
//	github.com/BobuSumisu/aho-corasick v1.0.3   203       0
//	github.com/petar-dambovaliev/aho-corasick   200       3 per chunk
//	per-keyword bytes.Index                      80-95    0
//	Wu-Manber, q=4 shift table                  560       0 (latency-bound shift chain)
//
// BenchmarkEngineNoise (the whole engine path over 16 MiB of noise, one
// worker) with the built-in catalog: 1600-1830 MB/s, 5 allocations per
// member, none per line; with 50 more keywords, several of them 3-5 bytes
// long: 800-950 MB/s. Keywords of 8 bytes or more are the cheap ones.
//
// The chosen matcher splits the keywords by length. Long ones go to a
// sampled q-gram filter: the 4-byte block at every (m-3)-th position (m =
// the shortest long keyword) is hashed against an 8 KiB bit set of the
// q-grams of each keyword's rarest m-byte window; each occurrence of a
// keyword holds exactly one sampled block, and the samples do not depend on
// each other, so the loop runs at one load, multiply and bit test per
// sample. Short keywords get one SIMD bytes.IndexByte pass per anchor byte,
// the anchors chosen by a weighted greedy set cover over byteFreq (the byte
// frequencies of real log lines); a candidate is checked against the set of
// bytes that follow the anchor before any keyword is compared. The split
// length is chosen per keyword set by a cost model (prefilter.go). The
// Aho-Corasick libraries lost and are not dependencies.
//
// # Rules
//
// A Go rule implements GoRule (Info, NewState) and its RuleState (Observe,
// Merge, Finish). Declarative rules are TOML files, one or more [[rule]]
// tables each, loaded by LoadDir (user rules, --rules DIR) or embedded from
// builtin/*.toml:
//
//	[[rule]]
//	id = "apd-timeout"                 # lower-case letters, digits, '-'
//	severity = "error"                 # info | warning | error | critical
//	title = "All paths down timeout on a device"
//	kinds = ["vmkernel", "vobd"]       # parser.Kind names
//	keywords = ["APD timeout"]         # literal, case-sensitive, >= 3 bytes; at least one
//	regexp = '''device\s+(?P<object>\S+)'''  # optional, only on prefiltered lines
//	group_by = "object"                # optional: one finding per object
//	remediation = ["step 1", "step 2"]
//	kb = ["vmware:310620"]             # must be in the verified KB table
//	needs = "vmkernel or vobd log"     # wording of the not-evaluable reason
//	[[rule.sample]]                    # tested through the real prefilter (TestSamples)
//	line = "..."
//	match = true
//	kind = "vobd"                      # optional; default: the first kind
//
// A declarative rule counts matching lines, keeps first/last time, the first
// N evidence lines and per-object tallies (named group "object"). Loader
// errors name the file and line. Catalog.Merge lets a user rule replace a
// built-in rule with the same ID.
package rules
