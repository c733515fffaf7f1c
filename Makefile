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
.PHONY: all build run test test-short fuzz bench lint fmt clean FORCE

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

## run: every route of template.yaml on 127.0.0.1:$(PORT), no AWS account needed
run:
	$(GO) run ./infra/local

## test: every test, with the race detector (the rules under concurrency are half the point),
## then the patched minidyn's own tests. No test reads the clock to decide; the timeout is
## only a net for a hung run, set wide enough for a saturated machine.
test:
	$(GO) test -race -count=1 -timeout 30m ./...
	cd third_party/minidyn && env -u AWS_CA_BUNDLE $(GO) test -race -count=1 ./...

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

## bench: speed and memory goals (Go benchmarks), then each function's cold start against a hello world
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/coldstart -n 25

## lint: gofmt, go vet, staticcheck, go.mod tidiness, cfn-lint on the template
lint:
	@out=$$(gofmt -s -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt -s would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) mod tidy -diff
	cfn-lint template.yaml

fmt:
	gofmt -s -w $$(git ls-files '*.go')

clean:
	rm -rf $(BUILD_DIR) .aws-sam

FORCE:
