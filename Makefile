# Partner Desk — the front door. `make run` and `make test` work on a fresh
# Debian machine: they install PostgreSQL and Chromium with apt-get when
# missing and the npm packages with `npm ci`.

SHELL   := /bin/bash
GO      ?= go
BIN     := bin/partnerdesk
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/partnerdesk/partnerdesk/internal/app.Version=$(VERSION)
SUDO    := $(if $(filter 0,$(shell id -u)),,sudo)
UI_SRC  := $(shell find ui/src ui/index.html ui/vite.config.ts ui/tsconfig*.json -type f 2>/dev/null)
GO_SRC  := $(shell find cmd internal migrations policies ui -name '*.go' -o -name '*.sql' -o -name '*.yaml' -o -name '*.conf' -o -name '*.csv' 2>/dev/null | grep -v node_modules)

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: help run build test test-go test-ui test-e2e lint gen bench bench-go clean clean-data deps-postgres deps-chromium

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: deps-postgres build ## build and start everything locally (private PostgreSQL, Klarna simulator, dev IdP unless PARTNERDESK_OIDC_ISSUER is set, demo data)
	@$(BIN) dev

build: $(BIN) ## build bin/partnerdesk with the UI embedded

$(BIN): $(GO_SRC) ui/dist/index.html go.mod go.sum
	$(GO) build -tags embed -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/partnerdesk

# A linked node_modules is another checkout's install (a git worktree
# sharing it): npm ci would wipe it for everyone, so it is left alone.
ui/node_modules/.package-lock.json: ui/package-lock.json
	@if [ -L ui/node_modules ]; then echo "ui/node_modules links to $$(readlink ui/node_modules): not running npm ci over a shared install"; \
	  else cd ui && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json; fi

e2e/node_modules/.package-lock.json: e2e/package-lock.json
	@if [ -L e2e/node_modules ]; then echo "e2e/node_modules links to $$(readlink e2e/node_modules): not running npm ci over a shared install"; \
	  else cd e2e && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json; fi

ui/dist/index.html: ui/node_modules/.package-lock.json $(UI_SRC)
	cd ui && npm run build

test: deps-postgres test-go test-ui test-e2e ## every test: Go (unit + PostgreSQL), UI, browser e2e

test-go: deps-postgres ## Go unit and PostgreSQL integration tests (and go vet)
	$(GO) vet ./...
	$(GO) test -count=1 ./...

test-ui: ui/node_modules/.package-lock.json ## UI lint, type check and Vitest
	cd ui && npm run lint && npm test

test-e2e: deps-postgres deps-chromium build e2e/node_modules/.package-lock.json ## Playwright against the real binary in Debian's Chromium
	cd e2e && npm run --silent typecheck
	@dir=$$(mktemp -d /tmp/partnerdesk-e2e-XXXXXX); chmod 755 $$dir; \
	  (cd e2e && E2E_DATA_DIR=$$dir npx playwright test); rc=$$?; rm -rf $$dir; exit $$rc

lint: ui/node_modules/.package-lock.json bin/golangci-lint ## go vet, gofmt, go mod tidy -diff, golangci-lint (depguard boundaries), ESLint, tsc
	$(GO) vet ./...
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	@out=$$(gofmt -l cmd internal migrations policies ui/*.go 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	bin/golangci-lint run ./...
	cd ui && npm run lint

bin/golangci-lint:
	GOBIN=$(CURDIR)/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0

gen: ui/node_modules/.package-lock.json ## regenerate Go and TypeScript types from the OpenAPI document
	$(GO) generate ./internal/httpapi/apigen
	cd ui && npm run gen

bench: deps-postgres ui/dist/index.html ## measure the desk at production size beside baselines (BENCH_SCALE=0.01 for a quick run); see docs/benchmarks.md
	$(GO) run ./bench/run

bench-go: deps-postgres ## run the Go micro-benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean: ## remove build output
	rm -rf bin ui/dist

clean-data: ## stop and wipe the local dev and bench databases and keys under .data/ (and the databases' relocations, see README)
	@for pg in $(CURDIR)/.data/postgres $(CURDIR)/.data/bench/postgres; do real=$$pg; \
	  if [ -L $$pg ]; then real=$$(readlink $$pg); fi; \
	  if [ -f $$real/postmaster.pid ]; then \
	    pgbin=$$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); \
	    if [ "$$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- $$pgbin/pg_ctl -D $$real -m fast -w stop) || true; \
	    else $$pgbin/pg_ctl -D $$real -m fast -w stop || true; fi; fi; \
	  src=$$(dirname $$real)/source; \
	  if [ -L $$pg ] && [ -f $$src ] && [ "$$(readlink -f "$$(cat $$src)")" = "$$(readlink -f $$pg)" ]; then \
	    echo "removing $$(dirname $$real)"; rm -rf "$$(dirname $$real)"; fi; done
	rm -rf .data

deps-postgres: ## install PostgreSQL's server binaries when missing
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "Installing PostgreSQL with apt-get…"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; fi

deps-chromium: ## install Debian's Chromium when missing (browsers are never downloaded)
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Chromium with apt-get…"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; fi
