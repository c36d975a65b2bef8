# infra/infra.mk: cloud targets, included by the main Makefile
# (`include infra/infra.mk`). Commands run from the repository root.
#
#   make build-lambdas            cross-compile every functions/<name> to build/lambda/<name>/bootstrap
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
	done

synth: node node_modules/.package-lock.json build-lambdas
	$(CDK_ENV) $(CDK) synth --quiet --no-notices -o cdk.out \
		-c account=$(or $(ACCOUNT),$(SYNTH_ACCOUNT)) -c lambdaAssetDir=$(LAMBDA_DIR) $(CDK_ARGS)

deploy: node node_modules/.package-lock.json build-lambdas
	$(CDK_ENV) $(CDK) deploy --all --no-notices --require-approval broadening \
		$(if $(ACCOUNT),-c account=$(ACCOUNT)) -c lambdaAssetDir=$(LAMBDA_DIR) $(CDK_ARGS)

infra-test: node node_modules/.package-lock.json
	go test ./infra/...
