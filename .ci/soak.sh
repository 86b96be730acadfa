#!/usr/bin/env bash
# make soak: the soak scenario (S1's shape for ten minutes) against a fresh
# server on loopback; memory and goroutine counts must stay flat. The table
# goes to stdout, JSON and HTML reports to $BENCH_OUT (default bench-out/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench-out}
mkdir -p "$out"
bin="$out/kefu"
go build -o "$bin" .
source .ci/loadtest-server.sh
start_server
scenario soak soak -scenario soak
