#!/usr/bin/env bash
# make bench: the hot-path benchmarks, then the five load scenarios of
# docs/benchmarks.md, each against a fresh server on loopback. Tables go to
# stdout; JSON and HTML reports to $BENCH_OUT (default bench-out/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench-out}
mkdir -p "$out"
bin="$out/kefu"
go build -o "$bin" .

echo "== hot path (go test -bench, allocations per op)"
go test -run=NONE -bench=. -benchmem ./transport ./actors ./store | tee "$out/hotpath.txt"

source .ci/loadtest-server.sh

for s in S1 S3 S4 S5; do
	start_server
	scenario "$s" "$s" -scenario "$s" || echo "$s failed" >&2
	stop_server
done

start_server
scenario "S2 (store on)" S2-store-on -scenario S2 || echo "S2 on failed" >&2
stop_server
start_server -store-off
scenario "S2 (store off)" S2-store-off -scenario S2 -store-off-label || echo "S2 off failed" >&2
stop_server

echo
echo "reports in $out/"
