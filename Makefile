# kefu: two commands on a fresh machine with Go: `make run`, `make test`.
GO ?= go

.PHONY: run test build vet browser-deps bench soak

# Runs the server on its defaults, with the tutorial's WebSocket port on so
# its pages work: open http://localhost:3001/kefu.html and /yonghu.html.
run:
	$(GO) run . serve -compat-addr :3000

build:
	$(GO) build -o kefu .

vet:
	$(GO) vet ./...

# Vet, then every test under the race detector. Browser tests need Chromium;
# browser-deps installs it when it is missing and the machine allows it.
test: vet browser-deps
	$(GO) test -race -count=1 ./...

browser-deps:
	@sh .ci/install-chromium.sh

# The hot-path benchmarks and the five load scenarios (docs/benchmarks.md),
# each against a fresh server on loopback: tables to stdout, JSON and HTML
# reports in bench-out/. Takes about six minutes.
bench:
	@bash .ci/bench.sh

# The soak scenario: S1's shape for ten minutes against a fresh server;
# memory and goroutine counts must stay flat (docs/reliability.md).
soak:
	@bash .ci/soak.sh
