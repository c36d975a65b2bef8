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

.PHONY: help dev test fuzz bench invoke tools localdev check fmt vet java node chromium

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

dev: tools ## run Quorum locally on the local cloud and print the URL (PORT=8080)
	@$(LOCALDEV) dev

test: tools chromium check ## install what is missing and run every test
	@$(LOCALDEV) exec -- $(GO) test $(TEST_FLAGS) ./...
	@$(MAKE) --no-print-directory fuzz

FUZZ_TIME ?= 30s
fuzz: tools ## bounded fuzzing of inbound mail, reply tokens, Markdown, the text cleaner and every write route
	$(GO) test ./internal/inbound/ -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZ_TIME) -fuzzminimizetime 5s
	$(GO) test ./internal/inbound/ -run '^$$' -fuzz '^FuzzVerifyToken$$' -fuzztime 15s -fuzzminimizetime 5s
	$(GO) test ./internal/render/ -run '^$$' -fuzz '^FuzzMarkdownInert$$' -fuzztime 15s -fuzzminimizetime 5s
	$(GO) test ./internal/text/ -run '^$$' -fuzz '^FuzzClean$$' -fuzztime 10s -fuzzminimizetime 5s
	@# JSON bodies and forms of every write route through the whole app on the local cloud; the first
	@# seconds replay the seeds (every route once), the rest mutates them.
	$(LOCALDEV) exec -- $(GO) test ./internal/server/ -run '^$$' -fuzz '^FuzzWriteRoutes$$' -fuzztime 30s -fuzzminimizetime 10s

bench: tools ## run the benchmarks: latency, DynamoDB calls and capacity units per operation
	@$(LOCALDEV) exec -- $(GO) test -run '^$$' -bench . -benchtime $(BENCH_TIME) $(BENCH_PKGS) ./... \
	  | awk 'BEGIN { printf "%-48s %12s %10s %8s %8s\n", "operation", "latency", "ddb calls", "RCU", "WCU" } \
	    /^Benchmark/ { lat=""; calls=""; rcu=""; wcu=""; extra=""; \
	      for (i = 3; i < NF; i++) { \
	        if ($$(i+1) == "ns/op") lat = sprintf("%.2f ms", $$i / 1e6); \
	        if ($$(i+1) == "ddb-calls/op") calls = $$i; \
	        if ($$(i+1) == "rcu/op") rcu = $$i; \
	        if ($$(i+1) == "wcu/op") wcu = $$i; \
	        if ($$(i+1) ~ /^cost-/) extra = extra sprintf("  %s %.2f", $$(i+1), $$i) } \
	      printf "%-48s %12s %10s %8s %8s%s\n", $$1, lat, calls, rcu, wcu, extra; next } \
	    /^(ok|FAIL|---|panic)/ { print }'

invoke: tools ## run a function on a sample event: make invoke FN=api EVENT=events/api-healthz.json
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=events/<file>.json"; exit 2; }
	@$(LOCALDEV) invoke $(FN) $(EVENT)

.PHONY: mail-in
mail-in: tools ## deliver a raw email to the inbound mail service locally: make mail-in EML=path/to.eml [TO=addr] [VERDICTS=fail] [MESSAGE_ID=ses-id]
	@test -n "$(EML)" || { echo "usage: make mail-in EML=<file.eml> [TO=<recipient>] [VERDICTS=fail] [MESSAGE_ID=<SES message id>]"; exit 2; }
	@VERDICTS=$(VERDICTS) MESSAGE_ID=$(MESSAGE_ID) $(LOCALDEV) mail-in $(EML) $(TO)

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

chromium: ## Debian's chromium for browser tests
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium for browser tests ..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is required for browser tests: install the Debian package chromium"; exit 1; fi; }

check: fmt vet ## gofmt and go vet

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	@$(GO) vet ./...

-include infra/infra.mk
