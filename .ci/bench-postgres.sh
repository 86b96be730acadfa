#!/usr/bin/env bash
# S2 with SQLite and with PostgreSQL, back to back on this machine, each
# against a fresh server (docs/benchmarks.md, "PostgreSQL beside SQLite").
# PostgreSQL is a private cluster with fsync on, started here and deleted
# at the end. Tables to stdout; JSON and HTML reports to $BENCH_OUT
# (default bench-out/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench-out}
mkdir -p "$out"
bin="$out/kefu"
go build -o "$bin" .

source .ci/loadtest-server.sh

export KEFU_PG_DIR=${TMPDIR:-/tmp}/kefu-bench-pg-$$ KEFU_PG_FSYNC=on
pg_url=$(bash .ci/postgres.sh start)
trap 'stop_server; bash .ci/postgres.sh stop' EXIT

start_server
scenario "S2 (SQLite)" S2-sqlite -scenario S2 || echo "S2 SQLite failed" >&2
stop_server

# A CPU reading of the cluster's processes before and after: what the
# server side of the store cost during the run.
pg_cpu() { ps -o cputimes= -u postgres | awk '{s += $1} END {print s + 0}'; }
before=$(pg_cpu)
KEFU_STORE=$pg_url start_server
scenario "S2 (PostgreSQL)" S2-postgres -scenario S2 || echo "S2 PostgreSQL failed" >&2
# Read before the server stops: its backends' CPU leaves with them.
echo "PostgreSQL processes' CPU during the run: $(($(pg_cpu) - before)) s"
stop_server

echo
echo "reports in $out/"
