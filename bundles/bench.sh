#!/usr/bin/env bash
# bundles acceptance benchmark (issue 3): generate a ~1 GB-uncompressed
# bundle, then in the same run measure
#   1. gzip -dc | wc -c                    (outer stream only, C)
#   2. bundles/internal/inflatebaseline    (every layer inflated in one goroutine, klauspost)
#   3. bundles/internal/walkcount          (bundles.Walk + line counting)
# reporting seconds, MB/s of uncompressed member bytes and peak RSS
# (/usr/bin/time -v), best of $RUNS runs each (the machine is shared).
# Target: walk <= 1.1 x baseline, walk peak RSS < 100 MB.
#
# The bundle comes from the project generator:
#   go run ./cmd/esxdiag-synth -o B -size ${SIZE_MB}MB -gen esxi7 -rotate 16MB -frag 8MB -problems all
# (rotated .gz logs, FRAG'd current logs, every problem injected).
# Env: SIZE_MB (default 1024), RUNS (default 3), BENCH_DIR (default a temp
# dir, removed), BUNDLE (measure this bundle instead of generating one),
# GEN=benchgen (use the small local generator bundles/internal/benchgen).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
if [ ! -x /usr/bin/time ]; then
	echo "bench.sh: /usr/bin/time missing (apt-get install time)" >&2
	exit 1
fi
keep=1
if [ -z "${BENCH_DIR:-}" ]; then
	BENCH_DIR=$(mktemp -d)
	keep=0
fi
cleanup() { if [ "$keep" = 0 ]; then rm -rf "$BENCH_DIR"; fi; }
trap cleanup EXIT

go build -o "$BENCH_DIR/inflatebaseline" ./bundles/internal/inflatebaseline
go build -o "$BENCH_DIR/walkcount" ./bundles/internal/walkcount

BUNDLE=${BUNDLE:-}
if [ -z "$BUNDLE" ]; then
	BUNDLE=$BENCH_DIR/bench.tgz
	if [ "${GEN:-synth}" = benchgen ]; then
		go run ./bundles/internal/benchgen -o "$BUNDLE" -size "$SIZE_MB"
	else
		go run ./cmd/esxdiag-synth -o "$BUNDLE" -size "${SIZE_MB}MB" -gen esxi7 -rotate 16MB -frag 8MB -problems all >/dev/null
	fi
fi
# uncompressed member bytes: from the walk itself (same for baseline)
members_bytes=$("$BENCH_DIR/walkcount" "$BUNDLE" | sed -n 's/.*walk bytes=\([0-9]*\).*/\1/p')
tgz_bytes=$(stat -c %s "$BUNDLE")

# measure NAME CMD...: best wall time of $RUNS and the peak RSS of that run
measure() {
	local name=$1; shift
	local best="" rss="" out
	for _ in $(seq "$RUNS"); do
		out=$(/usr/bin/time -v "$@" 2>&1 >/dev/null)
		local el kb
		el=$(echo "$out" | awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}')
		kb=$(echo "$out" | awk -F': ' '/Maximum resident set size/{print $2}')
		if [ -z "$best" ] || awk -v a="$el" -v b="$best" 'BEGIN{exit !(a<b)}'; then
			best=$el
			rss=$kb
		fi
	done
	printf '%-26s %8.2f s %9.1f MB/s %8.1f MB peak RSS\n' "$name" "$best" \
		"$(awk -v b="$members_bytes" -v s="$best" 'BEGIN{print b/1e6/s}')" "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
	eval "T_$name=$best; R_$name=$rss"
}

echo "bundle: $BUNDLE: $tgz_bytes bytes compressed, $members_bytes bytes of members; nproc=$(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure gzip_dc sh -c "gzip -dc '$BUNDLE' | wc -c"
measure baseline "$BENCH_DIR/inflatebaseline" "$BUNDLE"
measure walk "$BENCH_DIR/walkcount" "$BUNDLE"
ratio=$(awk -v w="$T_walk" -v b="$T_baseline" 'BEGIN{printf "%.2f", w/b}')
rssmb=$(awk -v k="$R_walk" 'BEGIN{printf "%.1f", k/1024}')
verdict=PASS
if awk -v r="$ratio" 'BEGIN{exit !(r>1.1)}' || awk -v m="$rssmb" 'BEGIN{exit !(m>=100)}'; then
	verdict=FAIL
fi
echo "walk/baseline = ${ratio}x (target <= 1.1x), walk peak RSS = ${rssmb} MB (target < 100 MB): $verdict"
