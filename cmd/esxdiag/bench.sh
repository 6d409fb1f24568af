#!/usr/bin/env bash
# End-to-end benchmark of esxdiag analyze against the tools an engineer would
# otherwise use (gzip, zgrep, ripgrep) on one synthetic vm-support bundle.
# See docs/benchmarks.md for the method and the last recorded numbers.
#
# Not part of `go test`: run it by hand (it works from the repository root,
# wherever it is called from; BUNDLE and TMPDIR may be relative to the caller).
#
#	cmd/esxdiag/bench.sh                       # 1 GiB ESXi 7, all problems, rotated logs
#	SIZE=256MB GEN=esxi8 cmd/esxdiag/bench.sh  # smaller, another generation
#	BUNDLE=x.tgz cmd/esxdiag/bench.sh          # measure an existing bundle instead
#	RUNS=3 cmd/esxdiag/bench.sh                # esxdiag rows via hyperfine, 3 runs each
#
# Settings (environment):
#	SIZE      uncompressed log content of the host            (default 1GB = 1 GiB)
#	GEN       esx35 esx4 esxi5 esxi6 esxi7 esxi8               (default esxi7)
#	PROBLEMS  problem list for esxdiag-synth, or "all"         (default all)
#	ROTATE    rotate logs into .N.gz pieces of this size       (default 16MB)
#	FRAG      split members larger than this into FRAG pieces  (default 0 = never)
#	SEED      generator seed                                   (default 1)
#	BUNDLE    existing .tgz to measure (SIZE..SEED ignored)
#	RUNS      hyperfine runs of the esxdiag rows when >= 2     (default 1: /usr/bin/time only)
#	TMPDIR    where the bundle and its extracted copy go       (removed on exit)
#
# Every row runs under /usr/bin/time -v: wall seconds, CPU seconds (user+sys),
# peak RSS of the largest process, and MB/s = uncompressed content bytes
# (every member inflated, nested .gz included; 1 MB = 10^6 bytes) / wall
# seconds. The table is Markdown, on stdout; progress goes to stderr.
set -euo pipefail

SIZE=${SIZE:-1GB}
GEN=${GEN:-esxi7}
PROBLEMS=${PROBLEMS:-all}
ROTATE=${ROTATE:-16MB}
FRAG=${FRAG:-0}
SEED=${SEED:-1}
BUNDLE=${BUNDLE:-}
RUNS=${RUNS:-1}

die() { echo "bench.sh: $*" >&2; exit 1; }
log() { echo "bench.sh: $*" >&2; }

if [[ -n $BUNDLE ]]; then
	[[ -f $BUNDLE ]] || die "BUNDLE=$BUNDLE: no such file"
	BUNDLE=$(realpath -- "$BUNDLE")
fi
[[ -z ${TMPDIR:-} ]] || TMPDIR=$(realpath -- "$TMPDIR")
cd "$(dirname -- "${BASH_SOURCE[0]}")/../.."
[[ -f go.mod && -d cmd/esxdiag-synth ]] || die "$(pwd) is not the esxdiag repository"
[[ -x /usr/bin/time ]] || die "/usr/bin/time missing (GNU time; apt-get install -y time)"
command -v go >/dev/null || die "go not in PATH"
command -v gzip >/dev/null || die "gzip missing"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS=$RUNS: want a positive integer"

work=$(mktemp -d "${TMPDIR:-/tmp}/esxdiag-bench.XXXXXX")
cleanup() { rm -rf -- "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- inputs -----------------------------------------------------------------
cut -d' ' -f1-3 /proc/loadavg >"$work/load-start"
log "building esxdiag"
go build -o "$work/esxdiag" ./cmd/esxdiag
# The full-inflate floor of package bundles (klauspost, one goroutine), when present.
inflate=
if [[ -d bundles/internal/inflatebaseline ]]; then
	go build -o "$work/inflatebaseline" ./bundles/internal/inflatebaseline
	inflate=$work/inflatebaseline
fi

if [[ -n $BUNDLE ]]; then
	bundle=$BUNDLE
	desc="$BUNDLE"
else
	bundle=$work/bundle.tgz
	desc="esxdiag-synth -size $SIZE -gen $GEN -problems $PROBLEMS -rotate $ROTATE -frag $FRAG -seed $SEED"
	log "generating: $desc"
	go run ./cmd/esxdiag-synth -o "$bundle" -size "$SIZE" -gen "$GEN" \
		-problems "$PROBLEMS" -rotate "$ROTATE" -frag "$FRAG" -seed "$SEED" 2>"$work/synth.log" ||
		{ cat "$work/synth.log" >&2; die "esxdiag-synth failed"; }
	sed -n '1p' "$work/synth.log" >&2
fi
compressed=$(stat -c %s "$bundle")

log "extracting a copy for the grep baselines"
mkdir "$work/x"
tar -xzf "$bundle" -C "$work/x"
# Join FRAG pieces so that grep sees the logical files, as a person would (cat name.FRAG-* > name).
while IFS= read -r first; do
	base=${first%.FRAG-00000}
	cat "$base".FRAG-* >"$base"
	rm -f -- "$base".FRAG-*
done < <(find "$work/x" -type f -name '*.FRAG-00000')
find "$work/x" -type f -name '*.FRAG-*' | grep -q . && die "FRAG pieces without piece 00000 (damaged bundle?)"

# Uncompressed content: plain files as they are, .gz members inflated.
plain=$(find "$work/x" -type f ! -name '*.gz' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
gzbytes=$(find "$work/x" -type f -name '*.gz' -print0 | xargs -0 -r gzip -dc | wc -c)
content=$((plain + gzbytes))
[[ $content -gt 0 ]] || die "bundle has no content"
files=$(find "$work/x" -type f | wc -l)
log "bundle: $compressed bytes compressed, $content bytes content, $files files"

# --- measuring ----------------------------------------------------------------
rows=()
# out_col prints the "output" column from the command's stdout: what it found.
out_col() { head -c 60 "$work/out.txt" | tr '\n|' ' /'; }
# measure NAME OKCODES CMD...: runs CMD under /usr/bin/time -v; an exit code not
# in OKCODES (space separated) aborts the benchmark.
measure() {
	local name=$1 ok=$2
	shift 2
	log "running: $name"
	local rc=0
	/usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
	if [[ " $ok " != *" $rc "* ]]; then
		cat "$work/err.txt" "$work/time.txt" >&2 || true
		die "$name: exit code $rc (want $ok)"
	fi
	local wall rss cpu
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
		n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.txt")
	cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/time.txt")
	local mbps
	mbps=$(awk -v b="$content" -v w="$wall" 'BEGIN { if (w > 0) printf "%.0f", b / 1e6 / w; else print "-" }')
	rows+=("| $name | $wall | $cpu | $mbps | $rss | $(out_col) |")
}

measure 'gzip -dc bundle.tgz \| wc -c (outer stream only)' 0 \
	bash -c 'set -o pipefail; gzip -dc "$1" | wc -c' _ "$bundle"
measure 'inflate all: GNU gzip, outer + every nested .gz (1 core)' 0 \
	bash -c 'set -o pipefail; gzip -dc "$1" >/dev/null && find "$2" -type f -name "*.gz" -print0 | xargs -0 -r gzip -dc | wc -c' _ "$bundle" "$work/x"
if [[ -n $inflate ]]; then
	measure 'inflate all: bundles/internal/inflatebaseline (klauspost, 1 goroutine)' 0 "$inflate" "$bundle"
fi
measure 'tar -xzf (extract, for the greps)' 0 \
	bash -c 'set -o pipefail; rm -rf "$2" && mkdir "$2" && tar -xzf "$1" -C "$2"' _ "$bundle" "$work/x2"
rm -rf -- "$work/x2"
# zgrep reads .gz and plain files alike; -c per file, summed. Exit 1 = no match in some file.
measure "zgrep -c 'sense data' (every file, 1 core)" '0 1' \
	bash -c 'set -o pipefail; find "$1" -type f -print0 | { xargs -0 zgrep -c -- "sense data" || [ $? -eq 123 ]; } | awk -F: "{s += \$NF} END {print s}"' _ "$work/x"
if command -v rg >/dev/null; then
	measure "rg -z -c 'sense data' (extracted, parallel)" '0 1' \
		bash -c 'set -o pipefail; rg -z -c --no-filename -- "sense data" "$1" | awk "{s += \$1} END {print s}"' _ "$work/x"
	measure "tar -xzOf \| rg -c 'sense data' (outer stream; misses .gz rotations)" '0 1' \
		bash -c 'set -o pipefail; tar -xzOf "$1" | rg -a -c -- "sense data"' _ "$bundle"
else
	log "rg not installed: ripgrep rows skipped (apt-get install -y ripgrep)"
fi

cut -d' ' -f1-3 /proc/loadavg >"$work/load-before"
# esxdiag exits 1 when a finding is at or above --fail-on error: expected here.
# The JSON report goes to out.txt; the output column shows its summary.
if command -v jq >/dev/null; then
	out_col() { jq -j '"findings \(.summary.findings), lines \([.hosts[].lines] | add)"' "$work/out.txt"; }
else
	out_col() { echo "$(wc -c <"$work/out.txt") bytes of JSON"; }
fi
ana=("$work/esxdiag" analyze -q --format json)
measure 'esxdiag analyze -q --format json (default workers)' '0 1' "${ana[@]}" "$bundle"
summary=$(jq -c '{findings: .summary.findings, bytes: [.hosts[].bytes] | add, lines: [.hosts[].lines] | add, read_errors: (.read_errors | length)}' "$work/out.txt" 2>/dev/null || echo '(jq missing)')
measure 'esxdiag analyze --workers 1' '0 1' "${ana[@]}" --workers 1 "$bundle"
measure 'GOMAXPROCS=1 esxdiag analyze' '0 1' env GOMAXPROCS=1 "${ana[@]}" "$bundle"

# --- report -----------------------------------------------------------------
echo "## esxdiag end-to-end benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "- input: $desc"
echo "- bundle: $compressed bytes compressed, $content bytes uncompressed content ($((content / 1000000)) MB), $files files"
echo "- esxdiag report: $summary"
echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), $(go version | awk '{print $3}')"
echo "- load average (1/5/15 min) at start / before the esxdiag rows / at the end: $(cat "$work/load-start") / $(cat "$work/load-before") / $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | wall s | CPU s | MB/s content | peak RSS MiB | output |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"

if [[ $RUNS -ge 2 ]]; then
	command -v hyperfine >/dev/null || die "RUNS=$RUNS needs hyperfine (apt-get install -y hyperfine)"
	log "hyperfine, $RUNS runs per command"
	hyperfine --runs "$RUNS" -N -i --style basic --export-markdown "$work/hf.md" \
		-n 'esxdiag analyze -q --format json' -n 'esxdiag analyze --workers 1' \
		"$work/esxdiag analyze -q --format json -o /dev/null $bundle" \
		"$work/esxdiag analyze -q --format json -o /dev/null --workers 1 $bundle" >&2
	echo
	cat "$work/hf.md"
fi
