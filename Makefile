# Quorum: the two set-up commands are `make dev` and `make test`.
# Everything a fresh machine lacks and can get from the package registries is
# installed here: npm packages from package-lock.json, versitygw at a pinned
# version, Java and Chromium through apt when run as root.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO          ?= go
VERSITYGW   := v1.8.0
BIN         := $(CURDIR)/.bin
LOCALDEV    := $(BIN)/localdev
TEST_FLAGS  ?= -count=1 -timeout 20m
BENCH_TIME  ?= 200x
export CDK_DISABLE_CLI_TELEMETRY := true
export AWS_EC2_METADATA_DISABLED := true
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: help dev test test-fast fuzz fuzz-units fuzz-routes faults bench screenshots invoke tools localdev check fmt vet java node chromium

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

dev: tools ## run Quorum locally on the local cloud and print the URL (PORT=8080)
	@$(LOCALDEV) dev

# make test, arranged for the critical path (measured per package and per test: docs/local.md, "Where
# make test's time goes"):
# - gofmt first (a second); vet, staticcheck, gosec and the fuzzing of the pure parsers run beside the
#   tests under nice, so they take the CPU the tests leave idle (the browser and real-tier tests mostly
#   wait on Chromium and the stand-ins) and never slow the tests; their output is printed after the tests'.
# - go test starts the packages' runs in the order it is given them: the slowest first (TEST_FIRST), so the
#   longest does not start late and run alone at the end.
# - TEST_P packages at once (go test's default is the number of CPUs, 2 here): the real tier waits more than
#   it computes, so more at once fill the cores; internal/e2e runs 4 browser tests at once itself.
# - The write-route fuzzer calls through the whole app on memdb (testcloud.Fast): it needs no stand-in,
#   so it runs beside the tests too, after the pure fuzz targets, instead of alone after them.
# - The checks and fuzzers beside run two at a time (-j2, output kept per target with -O): run one after
#   another, their tail went on two minutes after the tests had ended (ci18: tests 529 s, all 651 s).
# - The fuzzers beside the tests run a quarter of `make fuzz`'s budgets (TEST_FUZZ_DIV): at the full budgets
#   they took 183 s of CPU in every run, at a quarter 48 s (docs/local.md, "What make test costs in CPU");
#   `make fuzz` keeps the full budgets.
# - Everything make test builds is built with -trimpath (GOFLAGS, exported to the tests, the checks' package
#   loading and the fuzzers): without it the build cache keys every package of this repository by the
#   clone's directory, so a fresh clone (CI clones afresh for every run) compiled every package, its test
#   variant and its instrumented fuzz build again although another clone had compiled the same source;
#   with it a clone reuses what any clone or worktree compiled (docs/local.md, "What make test costs in
#   CPU"). Only file names in the binaries change (module paths instead of this directory's).
TEST_FUZZ_DIV ?= 4
TEST_FIRST := ./internal/e2e ./internal/app ./internal/faults ./internal/memdb/contract ./internal/recovery ./internal/decision
TEST_P     ?= 4
TEST_PKGS  ?= ./...
test: export GOFLAGS := -trimpath $(GOFLAGS)
test: tools chromium fmt ## install what is missing and run every test (with make check and make fuzz)
	@beside=$$(mktemp); \
	  nice -n 10 $(MAKE) --no-print-directory -j2 -O vet staticcheck gosec fuzz-units fuzz-routes FUZZ_DIV=$(TEST_FUZZ_DIV) >$$beside 2>&1 & pid=$$!; \
	  rc=0; $(LOCALDEV) exec -- $(GO) test $(TEST_FLAGS) -p $(TEST_P) $(TEST_FIRST) $(TEST_PKGS) || rc=1; \
	  brc=0; wait $$pid || brc=1; \
	  echo "--- beside the tests: make vet staticcheck gosec fuzz-units fuzz-routes FUZZ_DIV=$(TEST_FUZZ_DIV) (exit $$brc)"; cat $$beside; rm -f $$beside; \
	  [ $$brc = 0 ] || rc=1; \
	  exit $$rc

test-fast: ## the fast tier alone (go test -short): no AWS stand-in, no browser; real-tier tests skip, `make test` runs them
	$(GO) test -short ./...

# Budgets are counts of inputs, not durations: with a duration Go 1.26's fuzz coordinator can report
# "context deadline exceeded" as a failure when a starved worker misses the deadline (go.dev/issue/75804,
# fixed in Go 1.27); a count has no deadline to race. Each is sized to ~10-30 s on a 2-core machine.
# FUZZ_DIV divides every budget (make test runs them with TEST_FUZZ_DIV); make fuzz runs them whole.
FUZZ_DIV ?= 1
fuzz: fuzz-units fuzz-routes ## bounded fuzzing of inbound mail, reply tokens, Markdown, the text cleaner and every write route

fuzz-units:
	$(GO) test ./internal/inbound/ -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $$((10000 / $(FUZZ_DIV)))x -fuzzminimizetime 5s
	$(GO) test ./internal/replyaddr/ -run '^$$' -fuzz '^FuzzVerifyToken$$' -fuzztime $$((200000 / $(FUZZ_DIV)))x -fuzzminimizetime 5s
	$(GO) test ./internal/render/ -run '^$$' -fuzz '^FuzzMarkdownInert$$' -fuzztime $$((150000 / $(FUZZ_DIV)))x -fuzzminimizetime 5s
	$(GO) test ./internal/render/ -run '^$$' -fuzz '^FuzzMentionsInert$$' -fuzztime $$((50000 / $(FUZZ_DIV)))x -fuzzminimizetime 5s
	$(GO) test ./internal/text/ -run '^$$' -fuzz '^FuzzClean$$' -fuzztime $$((300000 / $(FUZZ_DIV)))x -fuzzminimizetime 5s

# JSON bodies and forms of every write route through the whole app on memdb (testcloud.Fast: no
# stand-in); the first inputs replay the seeds (every route once), the rest mutates them.
FUZZ_ROUTES := ./internal/server/ -run '^$$' -fuzz '^FuzzWriteRoutes$$'
fuzz-routes:
	$(GO) test $(FUZZ_ROUTES) -fuzztime $$((1500 / $(FUZZ_DIV)))x -fuzzminimizetime 10s

# The browser tests that walk the key page states save each as a full-page PNG at 1280 and 390 px
# (QUORUM_SCREENSHOTS); they check axe-core, the CSP and the 390 px width as in `make test`.
SCREENSHOTS ?= $(CURDIR)/screenshots
SHOT_TESTS  := ^(TestKeyPageStates|TestPollCardsInThread|TestMentionsAndUnreadMarks|TestSearchJourney|TestTermsAndOwnOriginOnly|TestDesignSystemPage)$$
screenshots: tools chromium ## PNGs of the key page states at 1280 and 390 px into screenshots/ (SCREENSHOTS=dir)
	@mkdir -p $(SCREENSHOTS)
	@QUORUM_SCREENSHOTS=$(SCREENSHOTS) $(LOCALDEV) exec -- $(GO) test -count=1 -timeout 20m -run '$(SHOT_TESTS)' ./internal/e2e/
	@echo "screenshots in $(SCREENSHOTS):"; ls $(SCREENSHOTS)

FAULTS_DURATION ?= 5m
FAULTS_CLIENTS  ?= 20
faults: tools ## the fault suite for longer: load over HTTP + faults between the app and DynamoDB Local (FAULTS_DURATION=5m FAULTS_CLIENTS=20)
	@QUORUM_FAULTS_DURATION=$(FAULTS_DURATION) QUORUM_FAULTS_CLIENTS=$(FAULTS_CLIENTS) \
	  $(LOCALDEV) exec -- $(GO) test -count=1 -timeout 2h -v -run '^TestFaultRun$$' ./internal/faults/

bench: tools ## run the benchmarks: latency, DynamoDB calls and capacity units per operation, cold starts and binary sizes, with their goals
	@$(LOCALDEV) exec -- $(GO) test -run '^$$' -bench . -benchtime $(BENCH_TIME) $(BENCH_PKGS) ./... \
	  | awk 'BEGIN { printf "%-48s %12s %10s %8s %8s\n", "operation", "latency", "ddb calls", "RCU", "WCU" } \
	    /^Benchmark/ { lat=""; calls=""; rcu=""; wcu=""; extra=""; \
	      for (i = 3; i < NF; i++) { \
	        if ($$(i+1) == "ns/op") lat = sprintf("%.2f ms", $$i / 1e6); \
	        if ($$(i+1) == "ddb-calls/op") calls = $$i; \
	        if ($$(i+1) == "rcu/op") rcu = $$i; \
	        if ($$(i+1) == "wcu/op") wcu = $$i; \
	        if ($$(i+1) ~ /:goal/) { u = $$(i+1); g = u; sub(/:goal.*/, "", u); sub(/.*:goal/, "", g); sub(/<=/, "≤ ", g); \
	          extra = extra sprintf("  %s %.2f (goal %s)", u, $$i, g) } \
	        else if ($$(i+1) ~ /^cost-|-ms$$|-MB$$/) extra = extra sprintf("  %s %.2f", $$(i+1), $$i) } \
	      printf "%-48s %12s %10s %8s %8s%s\n", $$1, lat, calls, rcu, wcu, extra; next } \
	    /^(ok|FAIL|---|panic)/ { print }'

invoke: tools ## run a function on a sample event: make invoke FN=api EVENT=events/api-healthz.json
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=events/<file>.json"; exit 2; }
	@$(LOCALDEV) invoke $(FN) $(EVENT)

.PHONY: mail-in
mail-in: tools ## deliver a raw email to the inbound mail service locally: make mail-in EML=path/to.eml [TO=addr] [VERDICTS=fail] [MESSAGE_ID=ses-id]
	@test -n "$(EML)" || { echo "usage: make mail-in EML=<file.eml> [TO=<recipient>] [VERDICTS=fail] [MESSAGE_ID=<SES message id>]"; exit 2; }
	@VERDICTS=$(VERDICTS) MESSAGE_ID=$(MESSAGE_ID) $(LOCALDEV) mail-in $(EML) $(TO)

.PHONY: reindex
reindex: tools ## rebuild the search index locally from the table, resumably: make reindex [GROUP=<group id>] [RESTART=1]
	@$(LOCALDEV) reindex "$(GROUP)" $(if $(RESTART),restart,)

.PHONY: token
token: tools ## print an API token for a local user, no sign-in code needed (local cloud only): make -s token EMAIL=alice@example.org
	@test -n "$(EMAIL)" || { echo "usage: make -s token EMAIL=<address>   (e.g. alice@example.org, bob@example.org, carol@example.org)"; exit 2; }
	@$(LOCALDEV) token "$(EMAIL)"

tools: java node node_modules/.package-lock.json $(BIN)/versitygw localdev ## install the pinned tools

localdev:
	@$(GO) build -o $(BIN)/localdev ./internal/cmd/localdev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(BIN)/versitygw:
	@mkdir -p $(BIN)
	@echo "Building versitygw $(VERSITYGW) (the local S3 stand-in) from source into .bin/versitygw: this happens once and takes a few minutes ..."
	@GOBIN=$(BIN) CGO_ENABLED=0 $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW)
	@echo "versitygw built; later runs reuse .bin/versitygw."

java:
	@command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Java 17 for DynamoDB Local ..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	  else echo "Java 17 or newer is required for DynamoDB Local: install openjdk-17-jre-headless"; exit 1; fi; }

node:
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "Node.js 20+ and npm are required: install nodejs and npm"; exit 1; }

chromium: ## Debian's chromium and its headless shell for browser tests (they run on the shell when it is installed)
	@command -v chromium >/dev/null && command -v chromium-headless-shell >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium and its headless shell for browser tests ..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-headless-shell >/dev/null; \
	  elif command -v chromium >/dev/null; then echo "Browser tests run on chromium: the Debian package chromium-headless-shell runs them on about half the CPU"; \
	  else echo "Chromium is required for browser tests: install the Debian packages chromium and chromium-headless-shell"; exit 1; fi; }

check: fmt vet staticcheck gosec ## gofmt, go vet, staticcheck and gosec (installed into .bin once)

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	@$(GO) vet ./...

# Static analysis at pinned versions, installed into .bin on first use (a
# minute or two of compiling, once; a version bump installs the new one).
STATICCHECK_VERSION := v0.6.1
GOSEC_VERSION       := v2.22.0
STATICCHECK         := $(BIN)/staticcheck-$(STATICCHECK_VERSION)
GOSEC               := $(BIN)/gosec-$(GOSEC_VERSION)

$(STATICCHECK):
	@echo "Installing staticcheck $(STATICCHECK_VERSION) into .bin (once) ..."
	@GOBIN=$(BIN)/.install CGO_ENABLED=0 $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@mv $(BIN)/.install/staticcheck $@

$(GOSEC):
	@echo "Installing gosec $(GOSEC_VERSION) into .bin (once) ..."
	@GOBIN=$(BIN)/.install CGO_ENABLED=0 $(GO) install github.com/securego/gosec/v2/cmd/gosec@$(GOSEC_VERSION)
	@mv $(BIN)/.install/gosec $@

.PHONY: staticcheck gosec
staticcheck: $(STATICCHECK) ## staticcheck (default checks, tests included); suppressions are //lint:ignore lines with a reason
	@$(STATICCHECK) ./...

# gosec: every finding is fixed or suppressed on its line (// #nosec Gnnn -- reason),
# except these rule classes, excluded here because every finding of theirs was a
# false positive, for these reasons:
#   G304  file path from a variable: no deployed code opens a file named by input; the
#         flagged opens read paths a developer gives (make invoke, make mail-in) or
#         the repository's own files.
#   G115  integer conversion overflow: the flagged conversions are of values bounded by
#         construction or validation (Unix times after 1970, key generations <= 2^31,
#         Argon2 parameters), which the rule cannot see.
# The local tooling (make dev's supervisor, the stand-ins, test helpers) runs on a
# developer's machine and also starts processes named by variables (G204) and writes
# .data, .bin and logs with ordinary permissions (G301, G302, G306): its job, not a risk.
# GOSECGOVERSION spares gosec a `go list -m` per file (20 s per package).
GOSEC_EXCLUDE     := G304,G115
GOSEC_DEV_EXCLUDE := $(GOSEC_EXCLUDE),G204,G301,G302,G306
GOSEC_DEV_PKGS    := internal/cmd/localdev internal/localcloud internal/testcloud internal/browsertest
gosec: $(GOSEC) ## gosec (security checks, tests excluded); see the Makefile for the rules excluded and why
	@export GOSECGOVERSION=go$$(sed -n 's/^go //p' go.mod); \
	  dev='$(GOSEC_DEV_PKGS)'; pkgs=$$($(GO) list -f '{{.Dir}}' ./... | sed "s|^$(CURDIR)/|./|" | grep -vxE "./($${dev// /|})"); \
	  rc=0; $(GOSEC) -quiet -exclude=$(GOSEC_EXCLUDE) $$pkgs || rc=1; \
	  $(GOSEC) -quiet -exclude=$(GOSEC_DEV_EXCLUDE) $(addprefix ./,$(GOSEC_DEV_PKGS)) || rc=1; exit $$rc

-include infra/infra.mk
