#!/usr/bin/env bash
# make bench-cluster: S1's shape at a size one node of a 2-core machine
# carries, in three configurations, alternating A B C three times, each run
# against fresh servers and a fresh PostgreSQL database (docs/benchmarks.md,
# "Cluster"):
#   A  one node on PostgreSQL, no cluster flags (today's single node);
#   B  one node with -cluster-addr (a cluster of one: what the grains,
#      leases and fencing cost by themselves);
#   C  three nodes, one cluster, the harness spreading clients over them.
# A table per run and the medians per configuration go to stdout; JSON
# reports to $BENCH_OUT (default bench-out/). PostgreSQL is a private
# cluster with fsync on, started here and deleted at the end, as in
# bench-postgres.sh. The measured part holds /tmp/kefu-bench.lock, which
# other heavy runs on the machine take too.
#
#   BENCH_CLUSTER_ROUNDS (3), BENCH_CLUSTER_DURATION (60s),
#   BENCH_CLUSTER_CUSTOMERS (2000), BENCH_CLUSTER_AGENTS (400),
#   BENCH_CLUSTER_CONFIGS ("A B C"), BENCH_CLUSTER_IDLE (10, seconds)
#   shape a shorter try.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench-out}
mkdir -p "$out"
bin="$out/kefu"
go build -o "$bin" .

rounds=${BENCH_CLUSTER_ROUNDS:-3}
duration=${BENCH_CLUSTER_DURATION:-60s}
customers=${BENCH_CLUSTER_CUSTOMERS:-2000}
agents=${BENCH_CLUSTER_AGENTS:-400}
configs=${BENCH_CLUSTER_CONFIGS:-A B C}
idle=${BENCH_CLUSTER_IDLE:-10} # seconds of the nodes' CPU read before each run

# admin_pw, limits_off and metrics_on_main: the single server's settings,
# which every node here gets too.
source .ci/loadtest-server.sh

# Node i listens on 31i1, its cluster on 71i0 (and 71i1, the health port).
node_addr() { echo "127.0.0.1:31${1}1"; }
node_cluster() { echo "127.0.0.1:71${1}0"; }
pids=()
stop_nodes() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
	rm -rf "${datas[@]}"
	datas=()
}
datas=()

export KEFU_PG_DIR=${TMPDIR:-/tmp}/kefu-bench-cluster-pg-$$ KEFU_PG_FSYNC=on
trap 'stop_nodes; bash .ci/postgres.sh stop' EXIT
pg_url=$(bash .ci/postgres.sh start)

# pg_cpu: CPU seconds of this PostgreSQL cluster's processes (the
# postmaster and its children, the backends among them), from /proc: not
# every postgres-owned process, as other clusters run on the machine.
pg_cpu() {
	local pm
	pm=$(head -n 1 "$KEFU_PG_DIR/data/postmaster.pid")
	{ echo "$pm"; ps -o pid= --ppid "$pm"; } | while read -r p; do
		cat "/proc/$p/stat" 2>/dev/null || true
	done | awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); s += $12 + $13 } END { printf "%.1f", s / hz }'
}

# procs_cpu PID...: their CPU seconds so far, from /proc.
procs_cpu() {
	local p
	for p in "$@"; do cat "/proc/$p/stat"; done |
		awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); s += $12 + $13 } END { printf "%.2f", s / hz }'
}

# fresh_db NAME: an empty database in the cluster, after a checkpoint, so
# that the run's PostgreSQL CPU is not the last run's pages being written;
# prints its URL. drop_db NAME drops it after the run: autovacuum then has
# no old database to visit during the next.
fresh_db() {
	psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" -c CHECKPOINT >/dev/null
	echo "${pg_url/\/postgres\?//$1?}"
}
drop_db() { psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $1" >/dev/null; }

# start_nodes CONFIG URL: the servers of CONFIG on the database at URL,
# each with a data directory of its own; returns once every one is ready.
start_nodes() {
	local cfg=$1 url=$2 n=1 i peers="" cluster=()
	[ "$cfg" = C ] && n=3
	for i in $(seq 1 "$n"); do peers+="${peers:+,}$(node_cluster "$i")"; done
	echo "$admin_pw" | "$bin" agent add lt-admin -role supervisor -password-stdin -store "$url" -data "$(mktemp -d)" >/dev/null
	for i in $(seq 1 "$n"); do
		[ "$cfg" != A ] && cluster=(-cluster-addr "$(node_cluster "$i")" -cluster-peers "$peers")
		datas+=("$(mktemp -d)")
		# 9>&-: a server must not hold the benchmark lock after the script.
		"$bin" serve -addr "$(node_addr "$i")" -data "${datas[-1]}" -store "$url" -password-cost 4 -log-level warn \
			"${limits_off[@]}" "${metrics_on_main[@]}" "${cluster[@]}" 2>>"$out/server.log" 9>&- &
		pids+=($!)
	done
	for i in $(seq 1 "$n"); do
		for _ in $(seq 300); do
			curl -fs "http://$(node_addr "$i")/readyz" >/dev/null 2>&1 && continue 2
			sleep 0.1
		done
		echo "node $i of $cfg not ready in 30 s; see $out/server.log" >&2
		return 1
	done
}

# run_config CONFIG ROUND: one measured run; its summary line goes to
# $out/cluster-runs.tsv.
run_config() {
	local cfg=$1 round=$2 url servers="" i pg_before pg_after file="cluster-$1-$2" db idle_before idle_pct
	db="kefu_bench_$(echo "$cfg" | tr A-Z a-z)_$round"
	url=$(fresh_db "$db")
	start_nodes "$cfg" "$url"
	for i in $(seq 1 ${#pids[@]}); do servers+="${servers:+,}http://$(node_addr "$i")"; done
	echo
	echo "== $cfg, round $round; load: $(cut -d' ' -f1-3 /proc/loadavg)"
	# The nodes' fixed cost: their CPU while ready and without clients.
	idle_before=$(procs_cpu "${pids[@]}")
	sleep "$idle"
	idle_pct=$(awk -v a="$(procs_cpu "${pids[@]}")" -v b="$idle_before" -v t="$idle" 'BEGIN { printf "%.1f", 100 * (a - b) / t }')
	pg_before=$(pg_cpu)
	"$bin" loadtest -server "$servers" -server-pid "$(IFS=,; echo "${pids[*]}")" -admin lt-admin -admin-password "$admin_pw" \
		-scenario S1 -customers "$customers" -agents "$agents" -duration "$duration" \
		-quiet -json "$out/$file.json" 9>&- || echo "$cfg round $round failed" >&2
	# Read before the servers stop: their backends' CPU leaves with them.
	pg_after=$(pg_cpu)
	stop_nodes
	drop_db "$db"
	summarize "$cfg" "$round" "$out/$file.json" "$(awk -v a="$pg_after" -v b="$pg_before" 'BEGIN { printf "%.1f", a - b }')" "$idle_pct" |
		tee -a "$out/cluster-runs.tsv"
}

# summarize CONFIG ROUND JSON PGCPU IDLEPCT: one tab-separated line. CPU per
# delivered message twice: over the whole run (ramp-up and drain included)
# and steady, the median of each second's server CPU over its deliveries,
# over the seconds that delivered at least 80 % of the window's mean rate.
summarize() {
	jq -r --arg cfg "$1" --arg round "$2" --argjson pg "$4" --argjson idle "$5" '
		def median: sort | if length == 0 then 0 else .[(length - 1) / 2 | floor] end;
		(.rates.deliveredPerSec) as $rate |
		[.series[] | select(.deliveredPerSec >= 0.8 * $rate and .serverCpuPct > 0) | .serverCpuPct * 1e4 / .deliveredPerSec] as $steady |
		[$cfg, $round, (.nodes | length // 1 | if . == 0 then 1 else . end),
		 ($rate | round), .latency.delivery.p50, .latency.delivery.p99,
		 (.serverUsage.cpuSeconds * 1e6 / .counts.delivered | round), ($steady | median | round),
		 (.serverUsage.peakRssMiB | round), ([.errors[]] | add // 0),
		 "\(.verify.lost)/\(.verify.duplicated)/\(.verify.outOfOrder)",
		 (.serverUsage.cpuSeconds * 10 | round / 10), $pg, ($pg * 1e6 / .counts.delivered | round), .counts.delivered, $idle] | @tsv' "$3"
}

header="config	round	nodes	delivered/s	p50 ms	p99 ms	cpu µs/msg (run)	cpu µs/msg (steady)	peak RSS MiB	errors	lost/dup/reord	server cpu s	pg cpu s	pg µs/msg	delivered	idle cpu %"

exec 9>>/tmp/kefu-bench.lock
echo "waiting for /tmp/kefu-bench.lock"
flock 9
echo "commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p')"
echo "$header" >"$out/cluster-runs.tsv"
for round in $(seq 1 "$rounds"); do
	for cfg in $configs; do run_config "$cfg" "$round"; done
done
flock -u 9

echo
echo "== medians over $rounds rounds"
echo "config	nodes	delivered/s	p50 ms	p99 ms	cpu µs/msg (run)	cpu µs/msg (steady)	peak RSS MiB	errors	pg µs/msg	lost/dup/reord	idle cpu %"
for cfg in $configs; do
	awk -F'\t' -v c="$cfg" '
		$1 == c { n++; for (f = 3; f <= 16; f++) v[f, n] = $f; e += $10; split($11, l, "/"); lost += l[1]; dup += l[2]; ro += l[3] }
		function med(f,   i, j, a, t) {
			for (i = 1; i <= n; i++) a[i] = v[f, i] + 0
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return a[int((n + 1) / 2)]
		}
		END { if (n) printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d (sum)\t%s\t%d/%d/%d (sum)\t%s\n", c, v[3, 1], med(4), med(5), med(6), med(7), med(8), med(9), e, med(14), lost, dup, ro, med(16) }' \
		"$out/cluster-runs.tsv"
done
echo
echo "runs in $out/cluster-runs.tsv, reports in $out/cluster-*.json"
