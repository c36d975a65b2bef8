# infra/infra.mk: cloud targets, included by the main Makefile
# (`include infra/infra.mk`). Commands run from the repository root.
#
#   make build-lambdas            cross-compile every functions/<name> to build/lambda/<name>/bootstrap;
#                                 LEGAL_DIR=dir adds the operator's terms.md and privacy.md beside each
#   make synth                    build, then write the templates to cdk.out (offline, no credentials)
#   make deploy ACCOUNT=1234...   build, then deploy the DR stack, the primary stack and the DR pilot light
#   make infra-test               go test ./infra/...
#
# synth, deploy and infra-test first install the pinned npm tools (the CDK CLI
# aws-cdk@2.1148.1 from package-lock.json) when node_modules lacks them, so
# they work on a fresh clone; `node` and `node_modules/.package-lock.json`
# are targets of the main Makefile.
#
# Extra CDK context: CDK_ARGS='-c mailDomain=example.org -c alarmEmail=ops@example.org'

LAMBDA_DIR     ?= build/lambda
LAMBDA_FUNCS   := $(patsubst functions/%/,%,$(sort $(dir $(wildcard functions/*/*.go))))
# Offline synth needs some account id; deploy takes yours (or the CLI's credentials).
SYNTH_ACCOUNT  ?= 123456789012
ACCOUNT        ?=
CDK_ARGS       ?=
CDK            := npx --no-install cdk
CDK_ENV        := CDK_DISABLE_CLI_TELEMETRY=true AWS_EC2_METADATA_DISABLED=true JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

.PHONY: build-lambdas synth deploy infra-test

build-lambdas:
	@mkdir -p $(LAMBDA_DIR)
	@for f in $(LAMBDA_FUNCS); do \
		echo "build-lambdas: $$f"; \
		GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -tags lambda.norpc -ldflags='-s -w' \
			-o $(LAMBDA_DIR)/$$f/bootstrap ./functions/$$f || exit 1; \
		rm -rf $(LAMBDA_DIR)/$$f/legal; \
		if [ -n "$(LEGAL_DIR)" ]; then \
			mkdir -p $(LAMBDA_DIR)/$$f/legal; \
			for d in terms privacy; do \
				if [ -f "$(LEGAL_DIR)/$$d.md" ]; then cp "$(LEGAL_DIR)/$$d.md" $(LAMBDA_DIR)/$$f/legal/; fi; \
			done; \
		fi; \
	done

synth: node node_modules/.package-lock.json build-lambdas
	$(CDK_ENV) $(CDK) synth --quiet --no-notices -o cdk.out \
		-c account=$(or $(ACCOUNT),$(SYNTH_ACCOUNT)) -c lambdaAssetDir=$(LAMBDA_DIR) $(CDK_ARGS)

deploy: node node_modules/.package-lock.json build-lambdas
	$(CDK_ENV) $(CDK) deploy --all --no-notices --require-approval broadening \
		$(if $(ACCOUNT),-c account=$(ACCOUNT)) -c lambdaAssetDir=$(LAMBDA_DIR) $(CDK_ARGS)

infra-test: node node_modules/.package-lock.json
	go test ./infra/...

# Recovery (docs/deploy.md, Runbooks): internal/cmd/recovery. Each target
# takes the deployment's configuration like synth and deploy do (cdk.json,
# ACCOUNT=, CDK_ARGS='-c key=value ...'); DRY_RUN=1 prints every call that
# would change something and changes nothing. REGION= overrides the region.
# Operators may run these on a host whose credentials come from its instance
# role: let the SDK ask the metadata service (the Makefile turns it off for
# offline synthesis).
RECOVERY       = env -u AWS_EC2_METADATA_DISABLED $(GO) run ./internal/cmd/recovery
RECOVERY_FLAGS = $(if $(ACCOUNT),-c account=$(ACCOUNT)) $(CDK_ARGS) $(if $(REGION),-region $(REGION))
DRY_FLAG       = $(if $(DRY_RUN),-dry-run)

.PHONY: failover failback dr-status restore-pitr restore-backup verify restore-group restore-object

failover: ## make the DR region active: pilot light on, primary idle, DNS switched (DRY_RUN=1 to preview)
	@$(RECOVERY) failover $(DRY_FLAG) $(RECOVERY_FLAGS)

failback: ## make the primary region active again (DRY_RUN=1 to preview)
	@$(RECOVERY) failback $(DRY_FLAG) $(RECOVERY_FLAGS)

dr-status: ## which region runs the scheduler and the mailer
	@$(RECOVERY) status $(RECOVERY_FLAGS)

restore-pitr: ## new table from point-in-time recovery: make restore-pitr TIME=2026-01-31T09:45:00Z [TARGET=name]
	@test -n "$(TIME)" || { echo "usage: make restore-pitr TIME=<RFC 3339 time or latest> [TARGET=<new table>] [DRY_RUN=1]"; exit 2; }
	@$(RECOVERY) restore-pitr -time $(TIME) $(if $(TARGET),-target $(TARGET)) $(DRY_FLAG) $(RECOVERY_FLAGS)

restore-backup: ## new table from the backup vault (DR copies by default): [RECOVERY_POINT=arn] [BEFORE=time] [TARGET=name]
	@$(RECOVERY) restore-backup $(if $(RECOVERY_POINT),-recovery-point $(RECOVERY_POINT)) $(if $(BEFORE),-before $(BEFORE)) \
		$(if $(TARGET),-target $(TARGET)) $(DRY_FLAG) $(RECOVERY_FLAGS)

verify: ## compare two tables: make verify A=<restored table> [B=<table>] [GROUP=id | THREAD=id]
	@test -n "$(A)" || { echo "usage: make verify A=<table> [B=<table, default the live one>] [GROUP=<id> | THREAD=<id>]"; exit 2; }
	@$(RECOVERY) verify -a $(A) $(if $(B),-b $(B)) $(if $(GROUP),-group $(GROUP)) $(if $(THREAD),-thread $(THREAD)) $(RECOVERY_FLAGS)

restore-group: ## copy one group (or thread) back: make restore-group FROM=<restored table> GROUP=id | THREAD=id [DRY_RUN=1]
	@test -n "$(FROM)" -a -n "$(GROUP)$(THREAD)" || { echo "usage: make restore-group FROM=<restored table> GROUP=<id> | THREAD=<id> [DRY_RUN=1]"; exit 2; }
	@$(RECOVERY) restore-group -from $(FROM) $(if $(GROUP),-group $(GROUP)) $(if $(THREAD),-thread $(THREAD)) $(DRY_FLAG) $(RECOVERY_FLAGS)

restore-object: ## bring back a deleted file: make restore-object KEY=threads/<tid>/<fid> [VERSION=id] [BUCKET=uploads]
	@test -n "$(KEY)" || { echo "usage: make restore-object KEY=<object key> [VERSION=<version id>] [BUCKET=uploads|inbound|<name>] [DRY_RUN=1]"; exit 2; }
	@$(RECOVERY) restore-object -key $(KEY) $(if $(VERSION),-version $(VERSION)) $(if $(BUCKET),-bucket $(BUCKET)) $(DRY_FLAG) $(RECOVERY_FLAGS)
