# Solidaire. The two commands a new user needs: `make run` and `make test`.
GO       ?= go
DATA     ?= ./data/solidaire.db
SERVICES := $(GO) run ./internal/testenv/cmd/testservices --
export CGO_ENABLED ?= 0

.PHONY: run build test bench lint deps assets clean

## run: build the web assets when Node is there, then start Solidaire on its
## embedded default (SQLite under ./data, in-process cache, demo payments,
## demo data) and print its URL.
run: assets
	SOLIDAIRE_DEMO=1 DATABASE_URL=$${DATABASE_URL:-$(DATA)} $(GO) run ./cmd/solidaire serve

## build: the binary, in bin/solidaire.
build: assets
	$(GO) build -trimpath -o bin/solidaire ./cmd/solidaire

## test: install what the tests need (PostgreSQL, Redis, Chromium, Node
## packages), start private servers on free ports, and run every test.
test: deps
	$(MAKE) --no-print-directory assets REQUIRE_NODE=1
	$(SERVICES) $(GO) test -count=1 -timeout 14m ./...

## bench: every scenario's figure next to its baseline from the same run.
bench: assets
	$(SERVICES) $(GO) run ./cmd/solidaire-bench

## lint: go vet, gofmt and, when installed, staticcheck.
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@if command -v staticcheck >/dev/null; then staticcheck ./...; else echo "staticcheck not installed: skipped"; fi

deps:
	@scripts/test-deps.sh

## assets: bundle the TypeScript islands into frontend/dist when Node is
## installed; the pages work without them (progressive enhancement).
assets:
	@scripts/assets.sh

clean:
	rm -rf bin frontend/test-results
