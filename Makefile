# GoLive: two commands on a fresh Debian 12 machine.
#   make run    installs what is missing and starts the app
#   make test   installs what is missing and runs every test with real peers
GO      ?= go
TAGS    := migrated_fynedo
BIN     := bin/golive
TESTTIMEOUT ?= 20m

.PHONY: all deps build run live test test-short test-faults fuzz soak bench lint screenshot package clean

all: build

deps:
	@bash .ci/deps

build: deps
	$(GO) build -tags $(TAGS) -o $(BIN) .

# The window needs a display: on a headless machine, start Xvfb first or use `make live`.
run: build
	./$(BIN)

# A headless demonstration: the test source to the local RTP preview for 30 s.
live: build
	./$(BIN) live --source test --audio test --duration 30s --stats text

# Packages run one at a time (-p 1): many tests encode in real time against
# real peers, and two of them at once on a 2-core machine skip frames.
test: deps
	$(GO) vet -tags $(TAGS) ./...
	$(GO) build -tags $(TAGS) ./...
	env -u DISPLAY $(GO) test -tags $(TAGS) -p 1 -count=1 -timeout $(TESTTIMEOUT) ./...

test-short: deps
	env -u DISPLAY $(GO) test -tags $(TAGS) -short -count=1 ./...

# Every Go fuzz target (discovered with go test -list) for FUZZTIME each,
# from its seed corpus in testdata/fuzz. CI runs it after make test.
FUZZTIME ?= 20s
fuzz: deps
	FUZZTIME=$(FUZZTIME) bash .ci/fuzz

# The end-to-end fault suite alone (app/faults; it is also part of make test).
test-faults: deps
	env -u DISPLAY $(GO) test -tags $(TAGS) -count=1 -timeout 10m -v ./app/faults

# The soak: 3 RTMP + 1 RTP + a recording for DURATION, sampled every 10 s
# into $(SOAKDIR)/soak.csv with summary.md and soak.svg.
DURATION ?= 2m
SOAKDIR  ?= soak
soak: deps
	mkdir -p $(SOAKDIR)
	env -u DISPLAY GOLIVE_SOAK=$(DURATION) GOLIVE_SOAK_DIR=$(abspath $(SOAKDIR)) \
		$(GO) test -tags $(TAGS) -count=1 -timeout 24h -v -run '^TestSoak$$' ./app/faults

# The hot-path Go benchmarks (-benchmem), then GoLive against the ffmpeg
# command line (app/benchmark), which updates app/benchmark/RESULTS.md.
#   make bench                                                  the full case matrix (~25 min)
#   make bench PAIRS=5 SECONDS=10 CASES=720p30-n1,720p30-n3     a quick run
PAIRS    ?= 5
SECONDS  ?= 12
CASES    ?= all
BENCHOUT ?= app/benchmark/RESULTS.md
BENCHPKGS ?= ./media/stream ./outputs/rtmp ./outputs/rtp ./app/benchmark
bench: build
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem $(BENCHPKGS) > bin/bench-go.txt || (cat bin/bench-go.txt; exit 1)
	@cat bin/bench-go.txt
	$(GO) run ./app/benchmark/cmd/golive-bench -golive $(BIN) -pairs $(PAIRS) -seconds $(SECONDS) -cases $(CASES) \
		-gobench bin/bench-go.txt -out $(BENCHOUT)

# golangci-lint is pinned: .ci/deps installs this version (go install) when
# it is missing or another one; lint fails without it.
GOLANGCI_LINT_VERSION := 2.15.0
GOBINDIR      := $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)
GOLANGCI_LINT ?= $(or $(wildcard $(GOBINDIR)/golangci-lint),$(shell command -v golangci-lint 2>/dev/null),golangci-lint)
lint:
	@$(GOLANGCI_LINT) version 2>/dev/null | grep -q 'version $(GOLANGCI_LINT_VERSION) ' || \
		{ echo "lint: golangci-lint $(GOLANGCI_LINT_VERSION) not found at $(GOLANGCI_LINT): run make deps (.ci/deps installs it)" >&2; exit 1; }
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet -tags $(TAGS) ./...
	$(GOLANGCI_LINT) run --build-tags $(TAGS) ./...

# The README's screenshot: the real window under Xvfb, live on the test source.
screenshot: build
	bash .ci/screenshot $(BIN) assets/screenshot.png

# The Debian package: dist/golive_<version>_amd64.deb (version from FyneApp.toml).
VERSION := $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
package: deps
	$(GO) build -tags $(TAGS) -ldflags "-X golive/app/cli.Version=$(VERSION)" -o bin/golive-package .
	bash assets/packaging/build-deb.sh bin/golive-package $(VERSION) dist

clean:
	rm -rf bin dist
