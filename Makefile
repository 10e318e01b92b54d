# SalesOps. `make run` for the demo, `make test` for the suite. See README.md.
SHELL := /bin/bash
# Development: `make` targets run with DEBUG=True unless told otherwise (settings default to False).
export DEBUG ?= True
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
PORT ?= 8000
# The embedded PostgreSQL and Valkey (salesops/devservers.py): `make run` starts them unless
# DATABASE_URL / REDIS_URL are set; the test suite starts its own unless TEST_DATABASE_URL /
# TEST_REDIS_URL are set; `make bench` runs on its own pair unless BENCH_DATABASE_URL is set.
DEVSERVERS := $(PY) -m salesops.devservers
# makemigrations checks the history against a database: a throw-away embedded one of its own.
LINT_SERVICES := env -u DATABASE_URL -u REDIS_URL SALESOPS_SERVICES_DIR=.run/lint \
	SALESOPS_PG_PORT=54340 SALESOPS_REDIS_PORT=63810
BENCH_SERVICES := SALESOPS_SERVICES_DIR=.run/bench SALESOPS_PG_PORT=54330 SALESOPS_REDIS_PORT=63800

.PHONY: help venv deps frontend run services services-stop web worker beat test test-fast lint fmt bench screenshots browser-large up down clean

help:
	@grep -E '^[a-z-]+:' Makefile | cut -d: -f1 | tr '\n' ' '; echo

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv deps: $(VENV)/.installed

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p static/vendor
	cp node_modules/chart.js/dist/chart.umd.js static/vendor/chart.umd.js
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/tom-select/dist/js/tom-select.complete.min.js static/vendor/tom-select.complete.min.js
	cp node_modules/tom-select/dist/css/tom-select.default.min.css static/vendor/tom-select.default.min.css
	touch $@

frontend: static/vendor/.installed

# The demo: embedded PostgreSQL + Valkey (or DATABASE_URL/REDIS_URL), migrate, seed, a year of
# efficiency history, then web + worker + beat until Ctrl-C. Data stays in .run/ for the next run.
run: deps frontend
	@$(DEVSERVERS) run -- bash scripts/run.sh $(PORT)

# The embedded servers alone, for `manage.py` commands in another terminal.
services: deps
	@$(DEVSERVERS) start

services-stop: deps
	@$(DEVSERVERS) stop

web: deps
	$(MANAGE) runserver 0.0.0.0:$(PORT)

worker: deps
	$(VENV)/bin/celery -A salesops worker --loglevel=INFO --concurrency=2

beat: deps
	$(VENV)/bin/celery -A salesops beat --loglevel=INFO

# The suite starts its own embedded servers unless TEST_DATABASE_URL / TEST_REDIS_URL are set.
# It runs on TEST_JOBS pytest-xdist workers (2; TEST_JOBS=1: one process), each on its own test
# database and Redis database (tests/settings.py); a file's tests all go to one worker (loadfile),
# so module fixtures run once. Property tests run 25% of their examples: `make properties` all.
TEST_JOBS ?= 2
XDIST := $(if $(filter-out 1,$(TEST_JOBS)),-n $(TEST_JOBS) --dist loadfile)
test: deps frontend
	$(VENV)/bin/pytest -q $(XDIST) $(PYTEST_ARGS)

test-fast: deps
	$(VENV)/bin/pytest -q $(XDIST) -m "not browser" $(PYTEST_ARGS)

properties: deps  # every Hypothesis property test at its stated max_examples
	HYPOTHESIS_PROFILE=full $(VENV)/bin/pytest -q $(XDIST) -m hypothesis $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(LINT_SERVICES) $(DEVSERVERS) run --database-only -- $(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/mypy .
	PYTHONPATH=. $(VENV)/bin/lint-imports

fmt: deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: deps
ifdef BENCH_DATABASE_URL  # your servers: the load test's gunicorn also needs a broker (BENCH_REDIS_URL)
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(or $(BENCH_REDIS_URL),$(error BENCH_DATABASE_URL needs BENCH_REDIS_URL too, e.g. redis://127.0.0.1:6379/10)) $(PY) -m benchmarks.run $(BENCH_ARGS)
else
	env -u DATABASE_URL -u REDIS_URL $(BENCH_SERVICES) $(DEVSERVERS) run -- $(PY) -m benchmarks.run $(BENCH_ARGS)
endif

# Issue 23's Playwright flows on an already seeded demo, not the test database: web + worker on
# LARGE_DATABASE_URL (seed it once: DATABASE_URL=... manage.py seed_demo --scale large), then
# tests/browser/test_large_demo_browser.py against them. `make test` skips that module.
LARGE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/salesops_large
LARGE_REDIS_URL ?= redis://127.0.0.1:6379/0
LARGE_PORT ?= 8765
browser-large: deps frontend
	@mkdir -p .run && DATABASE_URL=$(LARGE_DATABASE_URL) REDIS_URL=$(LARGE_REDIS_URL) DEBUG=True bash -c '\
	  $(MANAGE) runserver --noreload 127.0.0.1:$(LARGE_PORT) >.run/browser-large-web.log 2>&1 & web=$$!; \
	  $(VENV)/bin/celery -A salesops worker --loglevel=WARNING --concurrency=1 >.run/browser-large-worker.log 2>&1 & worker=$$!; \
	  trap "kill $$web $$worker" EXIT; \
	  for i in $$(seq 120); do curl -sf -o /dev/null http://127.0.0.1:$(LARGE_PORT)/healthz && break; sleep 1; done; \
	  curl -sf -o /dev/null http://127.0.0.1:$(LARGE_PORT)/healthz || { tail -20 .run/browser-large-web.log; exit 1; }; \
	  BROWSER_BASE_URL=http://127.0.0.1:$(LARGE_PORT) TEST_DATABASE_URL=$(LARGE_DATABASE_URL) \
	  TEST_REDIS_URL=$(LARGE_REDIS_URL) $(VENV)/bin/pytest -q -p no:cacheprovider \
	  tests/browser/test_large_demo_browser.py $(PYTEST_ARGS)'

screenshots: deps frontend
	SCREENSHOTS_TO_DOCS=1 $(VENV)/bin/pytest -q -m browser tests/browser

up:
	docker compose up -d --build

down:
	docker compose down

clean:
	rm -rf .run staticfiles

# The fault suite (tests/faults): real workers SIGKILLed, a slow real SMTP server, lost messages;
# the long scenarios too (minutes each). `make test` runs only its short ones.
faults: deps
	FAULTS_FULL=1 $(VENV)/bin/pytest -q tests/faults $(PYTEST_ARGS)

fuzz: deps  # schemathesis over the whole API, 50 examples per operation, mode and role
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-50} $(VENV)/bin/pytest -q -m fuzz -s $(PYTEST_ARGS)
