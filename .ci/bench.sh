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

addr=127.0.0.1:3101
compat=127.0.0.1:3100
admin_pw=loadtest-admin-password
pid=
stop_server() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi
}
trap stop_server EXIT

# The abuse limits' defaults fit the internet, not one harness that opens
# 12,000 sockets, creates and logs in 2,000 agents and sends as fast as it is
# answered, all from 127.0.0.1: every one is off for the scenarios.
limits_off=(-frame-rate inf -conn-rate inf -conns-per-ip 0 -api-rate inf -login-rate inf -login-name-rate inf)

# start_server ARGS...: a fresh data directory with a supervisor for the
# harness, and a server with cheap password hashing (2,000 agents log in).
start_server() {
	data=$(mktemp -d)
	echo "$admin_pw" | "$bin" agent add lt-admin -role supervisor -password-stdin -data "$data" >/dev/null
	"$bin" serve -addr "$addr" -compat-addr "$compat" -data "$data" -password-cost 4 -log-level warn "${limits_off[@]}" "$@" 2>>"$out/server.log" &
	pid=$!
	for _ in $(seq 100); do
		curl -fs "http://$addr/healthz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "server did not start; see $out/server.log" >&2
	return 1
}

# scenario NAME FILE [loadtest args...]
scenario() {
	name=$1 file=$2
	shift 2
	echo
	echo "== $name"
	"$bin" loadtest -server "http://$addr" -compat-server "ws://$compat" -admin lt-admin -admin-password "$admin_pw" \
		-server-pid "$pid" -quiet -json "$out/$file.json" -html "$out/$file.html" "$@"
}

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
