# Neibao: two commands for a newcomer (`make run`, `make test`); the rest are a developer's verbs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

UV_VERSION := 0.13.8
RUN_DIR := .run
TOOLS := $(RUN_DIR)/tools
UV := $(TOOLS)/bin/uv
# Python 3.11 from the machine; uv must never try to download an interpreter.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := 3.11
PY := $(UV) run --frozen --no-sync
STACK := $(PY) neibao-stack

# services/console is TypeScript: its src/ folders are not Python packages.
PACKAGES = $(filter-out neibao,$(notdir $(patsubst %/,%,$(filter-out services/console/%,$(wildcard libs/*/src/*/ infra/local/src/*/ services/*/src/*/)))))
UNIT_TESTS = $(wildcard libs/*/tests/unit infra/local/tests/unit services/*/tests/unit)
INTEGRATION_TESTS = $(wildcard libs/*/tests/integration infra/local/tests/integration services/*/tests/integration)

.PHONY: help run test bootstrap system sync up down status logs provision protos protos-check lint fmt \
        compose-check check offline-checks server-checks platform test-unit test-integration e2e e2e-platform clean bench-gateway bench-registry \
        bench-heartbeats bench-alarms bench-exchange bench-scoring console console-dev console-api test-console

help: ## this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

run: bootstrap ## the whole platform on the local stack, seeded with the demo province; Ctrl-C stops it
	@$(STACK) run

# make test: while the stack starts, the stages that need no servers run in the background (the console is
# built first: both would build it); the server stages begin once those are done, so that timing-sensitive
# tests run on a quiet machine. `make run`'s own test (a second stack on other ports) runs beside the
# end-to-end tests. Every stage runs even when another fails; each prints its time.
OFFLINE_LOG := $(RUN_DIR)/logs/check-offline.log
OFFLINE_RC := $(RUN_DIR)/logs/check-offline.rc
test: bootstrap ## everything, from nothing: lint, contracts, deployment, unit, integration and end-to-end tests
	@$(STACK) console
	@mkdir -p $(RUN_DIR)/logs; rm -f $(OFFLINE_RC); \
	echo "[neibao] in the background while the stack starts: the stages that need no servers (log: $(OFFLINE_LOG))"; \
	( rc=0; $(MAKE) offline-checks > $(OFFLINE_LOG) 2>&1 || rc=$$?; echo $$rc > $(OFFLINE_RC) ) & \
	status=0; $(STACK) test -- $(MAKE) server-checks OFFLINE_WAIT=1 || status=1; \
	wait; \
	echo "[neibao] ---- the stages that need no servers ----"; cat $(OFFLINE_LOG); \
	[ "$$(cat $(OFFLINE_RC) 2>/dev/null)" = 0 ] || { status=1; echo "[neibao] FAILED: a stage that needs no servers (above)"; }; \
	exit $$status

bootstrap: system sync ## install what is missing: Debian packages, uv (pinned, from PyPI), the workspace

system:
	@bash infra/local/bootstrap-system.sh

$(UV):
	@echo "[neibao] installing uv $(UV_VERSION) from PyPI into $(TOOLS)"
	@python3.11 -m venv $(TOOLS)
	@$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

sync: $(UV)
	@if [ "$$($(UV) --version | awk '{print $$2}')" != "$(UV_VERSION)" ]; then \
		$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); fi
	@echo "[neibao] syncing the workspace (uv.lock) ..."
	@$(UV) sync --locked --all-packages

up: bootstrap ## start PostgreSQL, Kafka and Keycloak (idempotent) and wait until ready
	@$(STACK) up

platform: bootstrap ## the whole platform, seeded, in the background (make down stops it)
	@$(STACK) platform

down: ## stop everything this clone started
	@if [ -x $(UV) ]; then $(STACK) down; fi

status: ## what runs and whether it answers
	@$(STACK) status

logs: ## follow the logs (make logs NAMES="kafka keycloak")
	@$(STACK) logs $(NAMES)

provision: bootstrap ## fetch and prepare the servers without starting them
	@$(STACK) provision

protos: ## regenerate libs/protos from proto/
	@$(PY) python libs/protos/generate.py

protos-check: ## fail if the committed generated code is stale
	@$(PY) python libs/protos/generate.py --check

lint: ## ruff (lint and format) and mypy
	@echo "[neibao] ruff ..."
	@$(PY) ruff check .
	@$(PY) ruff format --check .
	@echo "[neibao] mypy on $(words $(PACKAGES)) packages ..."
	@$(PY) mypy $(addprefix -p ,$(PACKAGES))

fmt: ## format and fix what ruff can
	@$(PY) ruff format .
	@$(PY) ruff check --fix .

compose-check: ## docker-compose.yml is valid, runs every service process, and each one's Settings accept its environment
	@cd infra/compose && go run . ../../docker-compose.yml example.env
	@(cd infra/compose && go run . -processes ../../docker-compose.yml example.env) | $(PY) python infra/compose/settings_check.py

OFFLINE_STAGES := lint protos-check compose-check images-check chart-check test-unit test-console
SERVER_STAGES := test-integration e2e-platform

check: ## every stage of make test, against the running stack (make platform first)
	@status=0; $(MAKE) offline-checks || status=1; $(MAKE) server-checks || status=1; exit $$status

offline-checks: # the stages that need no servers, one after another
	@$(call run_stages,$(OFFLINE_STAGES))

# `make run` on its own ports (e2e/test_make_run.py) mostly waits on servers starting and stopping: it runs in
# the background beside the end-to-end tests, and its log is printed at the end.
server-checks: # the stages that use the running stack (with OFFLINE_WAIT=1: once offline-checks are done)
	@if [ -n "$(OFFLINE_WAIT)" ]; then \
		waited=0; while [ ! -f $(OFFLINE_RC) ] && [ $$waited -lt 1800 ]; do sleep 2; waited=$$((waited + 2)); done; \
		echo "[neibao] the stages that need no servers are done (waited $$waited s for them)"; \
	fi
	@log=$(RUN_DIR)/logs/check-make-run.log; status=0; \
	start=$$(date +%s); $(MAKE) test-integration || { status=1; echo "[neibao] FAILED: test-integration"; }; \
	echo "[neibao] test-integration took $$(( $$(date +%s) - start )) s"; \
	echo "[neibao] in the background: e2e/test_make_run.py (log: $$log)"; \
	( rc=0; start=$$(date +%s); $(PY) pytest -q -p no:cacheprovider e2e/test_make_run.py > $$log 2>&1 || rc=$$?; \
	  echo "[neibao] e2e/test_make_run.py: exit $$rc after $$(( $$(date +%s) - start )) s" >> $$log; exit $$rc ) & \
	make_run=$$!; \
	start=$$(date +%s); $(MAKE) e2e-platform || { status=1; echo "[neibao] FAILED: e2e-platform"; }; \
	echo "[neibao] e2e-platform took $$(( $$(date +%s) - start )) s"; \
	wait $$make_run || { status=1; echo "[neibao] FAILED: e2e/test_make_run.py (below)"; }; \
	echo "[neibao] ---- e2e/test_make_run.py ----"; cat $$log; \
	exit $$status

# Stages in turn, each timed; every one runs even when another fails.
define run_stages
	status=0; \
	for stage in $(1); do \
		start=$$(date +%s); \
		$(MAKE) $$stage || { status=1; echo "[neibao] FAILED: $$stage"; }; \
		echo "[neibao] $$stage took $$(( $$(date +%s) - start )) s"; \
	done; \
	exit $$status
endef

# One pytest process per package: each package's tests and conftest stay its own (several are named `tests`).
# Exit 5 (nothing collected, e.g. a package without integration tests yet) is not a failure.
define run_pytest_each
	@status=0; for dir in $(1); do \
		echo "[neibao] $$dir"; \
		rc=0; $(PY) pytest -q $$dir || rc=$$?; \
		if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then status=1; echo "[neibao] FAILED: $$dir"; fi; \
	done; exit $$status
endef

test-unit: ## unit tests (no I/O)
	@echo "[neibao] unit tests ..."
	$(call run_pytest_each,$(UNIT_TESTS))

test-integration: ## integration tests against the real servers (make up first, or use make test)
	@echo "[neibao] integration tests ..."
	$(call run_pytest_each,$(INTEGRATION_TESTS))

e2e: ## end-to-end tests against the running platform
	@echo "[neibao] end-to-end tests ..."
	@$(PY) pytest -q --durations=25 e2e

e2e-platform: # the end-to-end tests but `make run`'s own (make check runs that one beside the others)
	@echo "[neibao] end-to-end tests ..."
	@$(PY) pytest -q --durations=25 --ignore=e2e/test_make_run.py e2e

console: ## build the console into services/console/dist (npm ci and vite build, each only when stale)
	@$(STACK) console

console-dev: console ## the console's dev server on :5173, the API proxied to the gateway (needs make platform)
	@cd services/console && npm run dev

console-api: ## refresh the console's API client from the gateway (openapi.json, src/api/schema.d.ts)
	@$(PY) python services/console/scripts/openapi_snapshot.py
	@cd services/console && npm run --silent api

test-console: console ## the console: API client fresh, types, component tests (Vitest)
	@echo "[neibao] console: API client fresh, types, component tests ..."
	@$(PY) python services/console/scripts/openapi_snapshot.py --check
	@cd services/console && npm run --silent api:check && npx tsc --noEmit && npx vitest run

bench-gateway: ## benchmark: a read through the gateway vs direct gRPC (needs `make run` in another shell)
	@$(PY) python e2e/bench/bench_gateway.py

bench-registry: ## benchmark: unit search and lists through the gateway over 10^6 units (needs `make run`)
	@$(PY) python e2e/bench/bench_registry.py

bench-heartbeats: ## benchmark: heartbeat ingestion over 10^6 devices, offline-detection lag (needs `make up`)
	@$(PY) python e2e/bench/bench_heartbeats.py

bench-alarms: ## benchmark: 200 alarms/s for 60 s with 50 console streams, answer-to-stream latency (needs `make run`)
	@$(PY) python e2e/bench/bench_alarms.py

bench-exchange: ## benchmark: sector records in 500-record batches through the gateway, receipts (needs `make run`)
	@$(PY) python e2e/bench/bench_exchange.py

bench-scoring: ## benchmark: full recompute of 10^6 units, event-to-score delay (needs `make run`)
	@$(PY) python e2e/bench/bench_scoring.py

clean: down ## stop and delete the run folder (databases, broker data, logs); caches are kept
	@if [ -x $(UV) ]; then $(STACK) purge; fi

# --- deployment checks (images, compose) ---
# The names docker-compose.yml gives the images (NEIBAO_IMAGE_PREFIX, NEIBAO_IMAGE_TAG in .env).
NEIBAO_IMAGE_PREFIX ?= neibao/
NEIBAO_IMAGE_TAG ?= dev
IMAGE_SERVICES = $(patsubst services/%/Dockerfile,%,$(wildcard services/*/Dockerfile))

.PHONY: images images-check compose-up

images: ## build every service's image, neibao/<service>:dev (needs a Docker engine)
	@for service in $(IMAGE_SERVICES); do \
		echo "[neibao] image $(NEIBAO_IMAGE_PREFIX)$$service:$(NEIBAO_IMAGE_TAG) ..."; \
		docker build -f services/$$service/Dockerfile -t $(NEIBAO_IMAGE_PREFIX)$$service:$(NEIBAO_IMAGE_TAG) . ; \
	done

images-check: ## every Dockerfile passes hadolint and our hardening checks (no Docker engine needed)
	@echo "[neibao] hadolint on $(words $(IMAGE_SERVICES)) Dockerfiles ..."
	@$(PY) hadolint $(addprefix services/,$(addsuffix /Dockerfile,$(IMAGE_SERVICES)))
	@$(PY) python infra/compose/images_check.py --self-test

compose-up: ## the whole platform on Docker (needs a Docker engine with compose, and .env from infra/compose/example.env)
	@test -f .env || { echo "[neibao] no .env: cp infra/compose/example.env .env, then change every secret"; exit 1; }
	@docker compose build
	@docker compose up -d --wait

# --- deployment checks (charts, k8s) ---
.PHONY: chart-check chart-generate

chart-check: sync ## the Helm chart and the operators' resources: lint, render, validate offline (kubeconform -strict, CRD schemas)
	@bash infra/deploy/chart-check.sh

chart-generate: ## regenerate infra/k8s's generated resources (topics, databases, roles, realm import)
	@source infra/deploy/common.sh && pyyaml_python infra/k8s/generate.py
