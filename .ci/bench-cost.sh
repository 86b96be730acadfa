#!/usr/bin/env bash
# make bench-cost [BENCH_COST_BASES="commit ..."]: issue 17's measure, what
# a message costs the server, back to back in one run: this tree (head),
# each base commit given (named by its short hash), and the bare relay
# yardstick
# (../shared/yardstick/bare-relay) where it speaks the scenario's protocol.
# Each run gets a fresh server; the configurations alternate within each
# round, and the medians over the rounds are printed at the end
# (docs/benchmarks.md, "Cost per message").
#
# Scenarios (BENCH_COST_SCENARIOS, default "S1 S2 S2off S5 open"):
#   S1, S2, S5   the presets;
#   S2off        S2 against -store-off (S2's on/off ratio);
#   open         the tutorial protocol in an open loop: 2,000 pairs, a
#                message a second each, 60 s.
# BENCH_COST_VARIANTS="name=flag,flag ..." adds head run with those server
# flags, e.g. "linger1=-commit-linger=1ms".
# BENCH_COST_ROUNDS (3); BENCH_COST_PROFILE=1 takes window profiles of
# kefu's runs (loadtest -server-pprof) into
# $BENCH_OUT/prof-SCENARIO-CONFIG-ROUND/.
# The measured part holds /tmp/kefu-bench.lock, as the other benchmarks do.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_OUT:-bench-out}
mkdir -p "$out"
out=$(cd "$out" && pwd) # the builds below run in other directories
rounds=${BENCH_COST_ROUNDS:-3}
scenarios=${BENCH_COST_SCENARIOS:-S1 S2 S2off S5 open}
bases=${BENCH_COST_BASES:-}
profile=${BENCH_COST_PROFILE:-0}
yardstick=${BARE_RELAY:-../shared/yardstick/bare-relay}

go build -o "$out/kefu-head" .
configs=""
for base in $bases; do
	name=$(git rev-parse --short "$base")
	wt=$(mktemp -d)
	git worktree add -q --detach "$wt" "$base"
	(cd "$wt" && go build -o "$out/kefu-$name" .)
	git worktree remove --force "$wt"
	configs="$configs $name"
done
configs="$configs head"
declare -A variant_args
for v in ${BENCH_COST_VARIANTS:-}; do
	variant_args[${v%%=*}]=${v#*=}
	configs="$configs ${v%%=*}"
done
if [ -d "$yardstick" ]; then
	(cd "$yardstick" && go build -o "$out/bare-relay" .)
	configs="$configs bare"
fi
bin="$out/kefu-head" # loadtest-server.sh's; the harness is always head's
source .ci/loadtest-server.sh
pprof_addr=127.0.0.1:3106

# args_of SCENARIO: the harness's flags for it.
args_of() {
	case $1 in
	S2off) echo "-scenario S2 -store-off-label" ;;
	open) echo "-scenario custom -protocol compat -agents 2000 -customers 2000 -capacity 1 -message-every 1s -duration 60s" ;;
	*) echo "-scenario $1" ;;
	esac
}

# run_one SCENARIO CONFIG ROUND: one fresh server, one harness run.
run_one() {
	local scen=$1 cfg=$2 round=$3 file="cost-$1-$2-$3" extra=()
	case $cfg in
	bare)
		case $scen in S5 | open) ;; *) return 0 ;; esac
		"$out/bare-relay" -http "$addr" -ws "$compat" 2>>"$out/server.log" &
		pid=$!
		for _ in $(seq 100); do curl -s "http://$addr/getroom?userName=x" >/dev/null 2>&1 && break; sleep 0.1; done
		;;
	*)
		local server_args=()
		[ "$scen" = S2off ] && server_args+=(-store-off)
		if [ "$profile" = 1 ]; then
			server_args+=(-pprof-addr "$pprof_addr")
			mkdir -p "$out/prof-$scen-$cfg-$round"
			extra=(-server-pprof "http://$pprof_addr" -profile-dir "$out/prof-$scen-$cfg-$round")
		fi
		local keep=$bin
		bin="$out/kefu-$cfg"
		if [ -n "${variant_args[$cfg]:-}" ]; then
			bin="$out/kefu-head"
			IFS=, read -ra more <<<"${variant_args[$cfg]}"
			server_args+=("${more[@]}")
		fi
		start_server "${server_args[@]}"
		bin=$keep
		;;
	esac
	echo "== $scen $cfg round $round (load $(cut -d' ' -f1-3 /proc/loadavg))"
	# shellcheck disable=SC2046 # args_of's words are separate flags
	scenario "$scen" "$file" $(args_of "$scen") "${extra[@]}" >/dev/null || echo "   (the harness reported a failure; see $out/$file.json)"
	stop_server
	summarize "$scen" "$cfg" "$round" "$out/$file.json" | tee -a "$out/cost-runs.tsv"
}

# summarize SCENARIO CONFIG ROUND JSON: one tab-separated line.
summarize() {
	jq -r --arg s "$1" --arg c "$2" --arg r "$3" '
		[$s, $c, $r, (.rates.deliveredPerSec | round), (.rates.roundTripsPerSec // 0 | round),
		 .latency.delivery.p50, .latency.delivery.p99, ([.errors[]] | add // 0),
		 "\(.verify.lost)/\(.verify.duplicated)/\(.verify.outOfOrder)",
		 (.cost.cpuPerDeliveredUs // 0 | . * 10 | round / 10), (.cost.cpuPerDeliveredSteadyUs // 0 | . * 10 | round / 10),
		 (.cost.cpuPerRoundTripUs // 0 | . * 10 | round / 10), (.cost.gcCpuPerDeliveredUs // 0 | . * 10 | round / 10),
		 (.cost.allocsPerDelivered // 0 | . * 10 | round / 10), (.cost.allocBytesPerDelivered // 0 | round),
		 (.cost.liveHeapPerSocketKiB // 0 | . * 10 | round / 10), (.serverUsage.peakRssMiB // 0 | round),
		 (.cost.harnessCpuPerDeliveredUs // 0 | round)] | @tsv' "$4"
}

header="scenario	config	round	delivered/s	round trips/s	p50 ms	p99 ms	errors	lost/dup/reord	cpu µs/msg	cpu µs/msg (median s)	cpu µs/round trip	gc µs/msg	allocs/msg	B/msg	live heap KiB/socket	peak RSS MiB	harness µs/msg"

exec 9>>/tmp/kefu-bench.lock
echo "waiting for /tmp/kefu-bench.lock"
flock 9
echo "commit $(git rev-parse --short HEAD)${bases:+, bases $bases}, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p')"
echo "$header" | tee "$out/cost-runs.tsv"
for round in $(seq 1 "$rounds"); do
	for scen in $scenarios; do
		for cfg in $configs; do run_one "$scen" "$cfg" "$round"; done
	done
done
flock -u 9

echo
echo "== medians over $rounds rounds"
echo "scenario	config	delivered/s	round trips/s	p50 ms	p99 ms	errors (sum)	lost/dup/reord (sum)	cpu µs/msg	cpu µs/msg (median s)	cpu µs/round trip	gc µs/msg	allocs/msg	B/msg	live heap KiB/socket	peak RSS MiB	harness µs/msg"
for scen in $scenarios; do
	for cfg in $configs; do
		awk -F'\t' -v s="$scen" -v c="$cfg" '
			NR > 1 && $1 == s && $2 == c { n++; for (f = 4; f <= 18; f++) v[f, n] = $f; e += $8; split($9, l, "/"); lost += l[1]; dup += l[2]; ro += l[3] }
			function med(f,   i, j, a, t) {
				for (i = 1; i <= n; i++) a[i] = v[f, i] + 0
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			}
			END { if (n) printf "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d/%d/%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, c, med(4), med(5), med(6), med(7), e, lost, dup, ro, med(10), med(11), med(12), med(13), med(14), med(15), med(16), med(17), med(18) }' \
			"$out/cost-runs.tsv"
	done
done
echo
echo "runs in $out/cost-runs.tsv, reports in $out/cost-*.json"
