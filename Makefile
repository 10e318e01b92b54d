# SalesOps. `make run` for the demo, `make test` for the suite. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
PORT ?= 8000
# Tests run on the real PostgreSQL and Redis of this machine unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/salesops
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/salesops_bench

.PHONY: help venv deps frontend run web worker beat migrate seed test test-fast lint fmt bench screenshots up down clean

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
	touch $@

frontend: static/vendor/.installed

migrate: deps
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo --scale small --if-empty

# The demo on the embedded default (SQLite + filesystem broker), or on DATABASE_URL/REDIS_URL when set.
run: deps frontend seed
	@bash scripts/run.sh $(PORT)

web: deps
	$(MANAGE) runserver 0.0.0.0:$(PORT)

worker: deps
	$(VENV)/bin/celery -A salesops worker --loglevel=INFO --concurrency=2

beat: deps
	$(VENV)/bin/celery -A salesops beat --loglevel=INFO

test: deps frontend
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest -q $(PYTEST_ARGS)

test-fast: deps
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest -q -m "not browser" $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/mypy .

fmt: deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: deps
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m benchmarks.run $(BENCH_ARGS)

screenshots: deps frontend
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		SCREENSHOTS_TO_DOCS=1 $(VENV)/bin/pytest -q -m browser tests/browser

up:
	docker compose up -d --build

down:
	docker compose down

clean:
	rm -rf .run staticfiles
