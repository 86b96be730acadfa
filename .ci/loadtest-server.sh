# Sourced by bench.sh and soak.sh: start_server and stop_server run a fresh
# kefu on loopback for the load harness, scenario runs one preset against
# it. Expects $bin (the kefu binary) and $out (the report directory).
addr=127.0.0.1:3101
compat=127.0.0.1:3100
admin_pw=loadtest-admin-password
pid=
stop_server() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi
}
trap stop_server EXIT

# The abuse limits' defaults fit the internet, not one harness that opens
# 12,000 sockets, creates and logs in 2,000 agents, queues 10,000 customers and sends as fast as it is
# answered, all from 127.0.0.1: every one is off for the scenarios.
limits_off=(-frame-rate inf -conn-rate inf -conns-per-ip 0 -http-conns-per-ip 0 -api-rate inf -login-rate inf -login-name-rate inf -reservations-per-ip 0 -customers-per-ip 0 -conv-start-rate inf)

# The harness reads the server's goroutines from /metrics at the URL it
# drives, so the metrics go on the main listener here, and no second port.
metrics_on_main=(-metrics-on-main -metrics-addr "")

# start_server ARGS...: a fresh data directory with a supervisor for the
# harness, and a server with cheap password hashing (2,000 agents log in).
start_server() {
	data=$(mktemp -d)
	echo "$admin_pw" | "$bin" agent add lt-admin -role supervisor -password-stdin -data "$data" >/dev/null
	"$bin" serve -addr "$addr" -compat-addr "$compat" -data "$data" -password-cost 4 -log-level warn "${limits_off[@]}" "${metrics_on_main[@]}" "$@" 2>>"$out/server.log" &
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

