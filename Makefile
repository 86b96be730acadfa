# kefu: two commands on a fresh machine with Go: `make run`, `make test`.
GO ?= go

.PHONY: run test test-postgres build vet browser-deps postgres-deps bench bench-cluster bench-cost soak fuzz

# Runs the server on its defaults, with the tutorial's WebSocket port on so
# its pages work too. It prints the pages' URLs: the agent console at
# http://localhost:3001/agent, the customer widget at http://localhost:3001/.
run:
	$(GO) run . serve -compat-addr :3000

build:
	$(GO) build -o kefu .

vet:
	$(GO) vet ./...

# Vet, then every test under the race detector. Browser tests need Chromium;
# browser-deps installs it when it is missing and the machine allows it.
# The store's tests also run against PostgreSQL: KEFU_TEST_POSTGRES when set,
# else the private cluster of .ci/postgres.sh, started (or found running) here.
# The browser and server packages take six to eight minutes on two cores,
# near go test's default ten-minute limit for one package: hence -timeout.
test: vet browser-deps postgres-deps
	KEFU_TEST_POSTGRES="$${KEFU_TEST_POSTGRES:-$$(bash .ci/postgres.sh start)}" $(GO) test -race -count=1 -timeout 25m ./...

# The pages, both protocols and every API again, with each fresh test server
# on PostgreSQL instead of SQLite (internal/pgtest.FreshStore).
test-postgres: postgres-deps
	KEFU_TEST_POSTGRES="$${KEFU_TEST_POSTGRES:-$$(bash .ci/postgres.sh start)}" KEFU_TEST_STORE=postgres $(GO) test -race -count=1 -timeout 25m ./server ./browsertest

browser-deps:
	@sh .ci/install-chromium.sh

# Debian's postgresql when it is missing and we may install it; the cluster
# the tests use is .ci/postgres.sh's (stop it with `bash .ci/postgres.sh stop`).
postgres-deps:
	@[ -n "$${KEFU_TEST_POSTGRES:-}" ] || sh .ci/install-postgres.sh

# The hot-path benchmarks and the five load scenarios (docs/benchmarks.md),
# each against a fresh server on loopback: tables to stdout, JSON and HTML
# reports in bench-out/. Takes about six minutes.
bench:
	@bash .ci/bench.sh

# S1's shape at 2,000 customers and 400 agents on one node with PostgreSQL,
# a cluster of one, and three nodes, alternating, three rounds, medians
# (docs/benchmarks.md, "Cluster"). About fifteen minutes.
bench-cluster:
	@bash .ci/bench-cluster.sh

# What a message costs the server (issue 17): S1, S2 store on and off, S5
# and the tutorial protocol's open loop, beside the bare relay yardstick
# and, with BENCH_COST_BASES="commit ...", earlier commits; three rounds,
# medians.
bench-cost:
	@bash .ci/bench-cost.sh

# The soak scenario: S1's shape for ten minutes against a fresh server;
# memory and goroutine counts must stay flat (docs/reliability.md).
soak:
	@bash .ci/soak.sh

# Each fuzz target for FUZZTIME, one after another (go test fuzzes one
# target per run); the first failure stops it, and go test has saved the
# input under testdata/fuzz/<Target>/. docs/reliability.md, "Fuzzing".
# FuzzConnection's coverage of a running actor system varies from run to run,
# so most of its "new" inputs are noise: minimizing each for go's default
# minute would leave it no time to fuzz.
FUZZTIME ?= 30s

fuzz:
	$(GO) test ./transport -run '^$$' -fuzz '^FuzzDecodeNative$$' -fuzztime $(FUZZTIME)
	$(GO) test ./transport -run '^$$' -fuzz '^FuzzDecodeCompat$$' -fuzztime $(FUZZTIME)
	$(GO) test ./transport -run '^$$' -fuzz '^FuzzConnection$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10x
