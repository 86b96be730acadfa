#!/usr/bin/env bash
# A private PostgreSQL for the tests: a throwaway cluster in its own
# directory, listening on 127.0.0.1 only (see KEFU_PG_LISTEN), on a free port (never 5432), with
# its socket in that directory, so it touches neither the system's clusters
# nor /etc. Works as root without systemd (the server then runs as the
# postgres user) and as an ordinary user.
#
#   .ci/postgres.sh start   starts it (or finds it running) and prints its
#                           URL, the value for KEFU_TEST_POSTGRES, on stdout
#   .ci/postgres.sh stop    stops it and deletes its directory
#   .ci/postgres.sh url     prints the URL of the running one
#   .ci/postgres.sh kill    stops it at once, as a crash would (immediate
#                           shutdown: no checkpoint), keeping its data; the
#                           next start brings it back on the same port
#
# It runs with fsync off: commits still wait for their WAL to be written
# (kefu sets synchronous_commit on), so a crash or restart of the server
# loses nothing the tests can see, but not for the disk, which on a busy
# machine made each test's schema cost half a second. Only an OS crash could
# lose data here, and this cluster is thrown away. Benchmarks use a cluster
# of their own with fsync on: KEFU_PG_FSYNC=on (docs/benchmarks.md).
#
# KEFU_PG_DIR chooses the directory (default: one per user under $TMPDIR),
# so `make test` reuses the cluster it started last time.
#
# KEFU_PG_LISTEN adds one address to listen on beside 127.0.0.1, and
# KEFU_PG_CLIENTS (a CIDR) is trusted from there: for a test whose nodes
# run in network namespaces of its own (clustertest's partition test),
# which cannot reach the host's loopback. The printed URL then names that
# address. Both must name only addresses the test made.
set -euo pipefail

dir=${KEFU_PG_DIR:-${TMPDIR:-/tmp}/kefu-test-pg-$(id -u)}
data=$dir/data
fsync=${KEFU_PG_FSYNC:-off}
extra=${KEFU_PG_LISTEN:-}
clients=${KEFU_PG_CLIENTS:-}
listen=127.0.0.1${extra:+,$extra}
host=${extra:-127.0.0.1}

# The newest installed server's binaries: Debian keeps them off the PATH.
bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ]; then echo "$d"; return; fi
	if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
	echo "PostgreSQL is not installed: run .ci/install-postgres.sh as root, or apt-get install postgresql" >&2
	exit 1
}

# as_owner runs a command as the cluster's owner: initdb and postgres
# refuse to run as root.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

running() { [ -f "$dir/url" ] && as_owner "$(bindir)/pg_ctl" -D "$data" status >/dev/null 2>&1; }

# serve starts the server in $data on port $1.
serve() {
	as_owner "$(bindir)/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 \
		-o "-p $1 -c listen_addresses=$listen -k $dir -c max_connections=300 -c fsync=$fsync -c full_page_writes=$fsync" start >/dev/null 2>&1
}

start() {
	if running; then cat "$dir/url"; return; fi
	if [ -f "$dir/url" ] && [ -d "$data" ]; then
		# Killed or stopped before: back on its port, data and all.
		local url port
		url=$(cat "$dir/url")
		port=${url##*:}
		port=${port%%/*}
		serve "$port" || { cat "$dir/server.log" >&2; exit 1; }
		echo "$url"
		return
	fi
	local bin
	bin=$(bindir)
	rm -rf "$dir"
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
	chmod 700 "$dir"
	# trust on loopback and the private socket only: a throwaway for tests.
	as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	if [ -n "$clients" ]; then
		echo "host all all $clients trust" >>"$data/pg_hba.conf"
	fi
	# The server itself is the bind test: a port another process holds
	# makes it fail to start, and the next random port is tried.
	local port
	for _ in $(seq 1 20); do
		port=$((20000 + RANDOM % 40000))
		if serve "$port"; then
			echo "postgres://postgres@$host:$port/postgres?sslmode=disable" >"$dir/url"
			cat "$dir/url"
			return
		fi
		grep -q "could not bind\|already in use" "$dir/server.log" 2>/dev/null || {
			cat "$dir/server.log" >&2
			exit 1
		}
	done
	echo "no free port found for PostgreSQL" >&2
	exit 1
}

stop() {
	if [ -d "$data" ]; then as_owner "$(bindir)/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true; fi
	rm -rf "$dir"
}

kill_() {
	as_owner "$(bindir)/pg_ctl" -D "$data" -m immediate stop >/dev/null
}

case ${1:-start} in
start) start ;;
stop) stop ;;
kill) kill_ ;;
url) running && cat "$dir/url" ;;
*) echo "usage: $0 start|stop|url|kill" >&2; exit 2 ;;
esac
