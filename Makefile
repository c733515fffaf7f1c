# The two commands a new machine needs are `make run` and `make test`; see README.md.

SHELL := /bin/bash
GO ?= go
PORT ?= 3000
FUNCTIONS := $(notdir $(wildcard functions/*))
BUILD_DIR := build
# What AWS runs: provided.al2023 on arm64, no cgo, no RPC shim, no paths or symbols.
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags '-s -w'

# Pattern targets cannot be .PHONY (make skips implicit rules for phony targets): FORCE them.
.PHONY: all build run test test-go test-web web web-deps deploy-pages deploy-texts chromium test-short fuzz bench lint lint-go lint-web fmt clean FORCE

all: lint test build

## build: one bootstrap per function under build/<name>/bootstrap (linux/arm64)
build: $(addprefix build-fn-,$(FUNCTIONS))

build-fn-%: FORCE
	@mkdir -p $(BUILD_DIR)/$*
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(BUILD_DIR)/$*/bootstrap ./functions/$*

# `sam build` calls build-<LogicalId> with ARTIFACTS_DIR set (Metadata BuildMethod: makefile);
# CreateCaptchaFunction is built from functions/create-captcha.
build-%Function: FORCE
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap \
		./functions/$(shell echo '$*' | sed -E 's/([a-z0-9])([A-Z])/\1-\2/g' | tr '[:upper:]' '[:lower:]')

## web: the pages (web/), built into web/dist when a source is newer than the build; npm ci
## from the committed lock file when the lock is newer than node_modules
WEB_SOURCES := $(shell find web/src web/reviewer web/public -type f 2>/dev/null) \
	web/index.html web/vite.config.ts web/tsconfig.json docs/openapi.yaml
web: web/dist/index.html
web-deps: web/node_modules/.package-lock.json

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

## deploy-pages: web/dist to the stack's bucket — hashed assets cached for a year, each
## app's index.html asked for again every time — then the HTML invalidated at the edge
STACK ?= applicant-accounts
stack_output = $$(aws cloudformation describe-stacks --stack-name $(STACK) \
	--query "Stacks[0].Outputs[?OutputKey=='$(1)'].OutputValue" --output text)
deploy-pages: web
	bucket=$(call stack_output,PagesBucketName); dist=$(call stack_output,DistributionId); \
	aws s3 sync web/dist/assets "s3://$$bucket/assets" --cache-control 'public, max-age=31536000, immutable' && \
	aws s3 sync web/dist "s3://$$bucket" --exclude 'assets/*' --cache-control 'no-cache' && \
	aws cloudfront create-invalidation --distribution-id "$$dist" --paths /index.html /reviewer/index.html

## deploy-texts: after a sam deploy, the site's texts the edge keeps 5 minutes (the agreement,
## the verification guide, the ethnicities: template.yaml's ApiTextsCachePolicy) invalidated
deploy-texts:
	dist=$(call stack_output,DistributionId); \
	aws cloudfront create-invalidation --distribution-id "$$dist" --paths /v1/agreement /v1/verification-guide /v1/ethnicities

## chromium: Debian's Chromium and CJK fonts for the browser tests, installed when missing
chromium:
	@bash web/scripts/chromium.sh

## run: every route of template.yaml on 127.0.0.1:$(PORT), and the pages at /; no AWS account needed
run: web
	WEB_DIR=web/dist $(GO) run ./infra/local

## test: every test, with the race detector (the rules under concurrency are half the point),
## then the patched minidyn's own tests. No test reads the clock to decide; the timeout is
## only a net for a hung run, set wide enough for a saturated machine.
test: test-go test-web

test-go:
	$(GO) test -race -count=1 -timeout 30m ./...
	cd third_party/minidyn && env -u AWS_CA_BUNDLE $(GO) test -race -count=1 ./...

## test-web: the pages' component tests (Vitest), then the end-to-end journeys in Chromium
## (Playwright) against the local system on its own port; screenshots under web/test-results/
test-web: web chromium
	cd web && npm run test:unit
	cd web && npm run test:e2e

## test-short: the quick loop, without the race detector and without building every function
test-short:
	$(GO) test -short -count=1 ./...

## fuzz: every Fuzz target for FUZZTIME each (make test runs their seeds, and every finding
## that go test -fuzz writes under testdata/fuzz, every time)
FUZZTIME ?= 30s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "--- $$target ($$pkg)"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

## bench: speed and memory goals (Go benchmarks), the hash's time against MemorySize, a load
## run against the local system (a few minutes, loopback only), then each function's cold
## start against a hello world
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/hashmem
	$(GO) run ./bench/load
	$(GO) run ./bench/coldstart -n 25
	$(GO) run ./bench/bill

## lint: gofmt, go vet, staticcheck, go.mod tidiness, the SDK copies against what
## third_party/lazyschemas writes, cfn-lint on the template; the pages' types (vue-tsc) and
## their API types against docs/openapi.yaml
lint: lint-go lint-web

lint-go:
	@out=$$(gofmt -s -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt -s would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) mod tidy -diff
	$(GO) run ./third_party/lazyschemas -check
	cfn-lint template.yaml

lint-web: web-deps
	cd web && npm run api:check && npm run typecheck

fmt:
	gofmt -s -w $$(git ls-files '*.go')

clean:
	rm -rf $(BUILD_DIR) .aws-sam web/dist web/test-results

FORCE:
