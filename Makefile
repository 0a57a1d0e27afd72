# Everything a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
# Set by `setup`; the stamp is rebuilt whenever pyproject.toml changes.
STAMP := $(VENV)/.installed

.PHONY: help setup run serve serve-env test check lint format migrate content bench load screenshots clean

help:
	@echo "make run    set up, then serve the portal at http://$(HOST):$(PORT) (PORT=NNNN to change)"
	@echo "make serve  production: gunicorn, debug off (needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, DJANGO_EMAIL_URL)"
	@echo "make test   set up, then lint and run the whole suite (again on PostgreSQL if TEST_DATABASE_URL is set)"
	@echo "make check  the quick loop: lint and the fast tests (SQLite; no browser, load or server tests)"
	@echo "make lint   ruff check and format check"
	@echo "make format ruff fix and format"
	@echo "make bench  the benchmark; writes docs/PERFORMANCE.md (BENCH_LEARNERS, BENCH_SECONDS)"
	@echo "make load   grading under load with a worker killed, audited (LOAD_LEARNERS, LOAD_SECONDS)"
	@echo "make screenshots  the README's screenshots, taken afresh into docs/screenshots/"

# Python 3.12 or newer: pyenv's shim honours .python-version; otherwise the newest python3.1x found.
$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
	  for candidate in python3.12 python3.13 python3.14 python3; do \
	    if command -v $$candidate >/dev/null 2>&1 && $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	      found=$$candidate; break; \
	    fi; \
	  done; \
	  if [ -z "$$found" ]; then echo "Python 3.12 or newer is needed (pyenv install 3.12, or your package manager)." >&2; exit 1; fi; \
	  echo "Creating $(VENV) with $$($$found --version)"; \
	  $$found -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(PY) manage.py migrate --no-input -v 0

# Idempotent: notes whose lessons are unchanged are left alone.
content: migrate
	$(PY) manage.py import_notes content/

run: content
	@echo "Serving the portal at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production (README, Deploying): debug off; migrations and the bundled notes (`content`), the
# deployment checks, hashed and compressed static files, then gunicorn on HOST:PORT with
# WEB_CONCURRENCY workers. gunicorn also reads FORWARDED_ALLOW_IPS (whose X-Forwarded-Proto to
# believe) and GUNICORN_CMD_ARGS (any other option).
WEB_CONCURRENCY ?= $(shell echo $$(( 2 * $$(nproc 2>/dev/null || echo 1) + 1 )))

serve: export DJANGO_DEBUG := 0
serve: serve-env content
	$(PY) manage.py check --deploy
	$(PY) manage.py collectstatic --no-input -v 0
	@echo "Serving the portal with gunicorn on $(HOST):$(PORT), $(WEB_CONCURRENCY) workers"
	exec $(VENV)/bin/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) \
	  --access-logfile -

# Before anything is installed or migrated: one line naming every missing variable; then one
# line if there is no mail server and password reset is not declared off.
serve-env:
	@missing=(); \
	for name in DJANGO_SECRET_KEY DJANGO_ALLOWED_HOSTS DATABASE_URL; do \
	  [ -n "$${!name// /}" ] || missing+=("$$name"); \
	done; \
	if [ $${#missing[@]} -gt 0 ]; then \
	  printf -v names '%s, ' "$${missing[@]}"; \
	  echo "make serve needs $${names%, } set (see Deploying in README.md)." >&2; exit 1; \
	fi; \
	reset="$${DJANGO_PASSWORD_RESET,,}"; \
	if [ -z "$${DJANGO_EMAIL_URL// /}" ] && [[ ! "$${reset// /}" =~ ^(0|false|no|off)$$ ]]; then \
	  echo "make serve needs DJANGO_EMAIL_URL set for password reset, or DJANGO_PASSWORD_RESET=off (see Deploying in README.md)." >&2; exit 1; \
	fi

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The suite runs on SQLite; with TEST_DATABASE_URL set (a PostgreSQL URL whose role may create
# databases), it runs a second time against PostgreSQL. pytest-xdist spreads each run over every
# core (PYTEST_WORKERS=1 for one process); each worker has its own test database and live server.
# `--dist load` hands each worker its tests in collection order, where pytest-django puts the
# transactional tests last: their flush would take migration data (the Instructors group) from
# any ordinary test after them in the same worker, as `--dist worksteal` allows.
PYTEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS) --dist load

# Each run ends with its 20 slowest tests, so that a test growing slow is seen where it lands.
test: lint
	env -u DATABASE_URL $(PYTEST) --durations=20
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== Again on PostgreSQL ($${TEST_DATABASE_URL%%@*}@...)"; \
	  DATABASE_URL="$$TEST_DATABASE_URL" $(PYTEST) --durations=20; \
	else \
	  echo "TEST_DATABASE_URL is not set: the PostgreSQL run was skipped (.ci/run sets it up)."; \
	fi

# The quick loop while working: lint, then every test but those that drive Chromium or start
# gunicorn, on SQLite.
check: lint
	env -u DATABASE_URL $(PYTEST) -m "not browser and not load and not server"

# The benchmark needs wrk (Debian's package); as root it is installed here. PostgreSQL is
# benchmarked too when BENCH_DATABASE_URL or TEST_DATABASE_URL names one (see README).
bench: setup
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq --no-install-recommends wrk >/dev/null; \
	  else echo "make bench needs wrk: sudo apt-get install wrk" >&2; exit 1; fi; }
	$(PY) -m bench.run

# Grading under load and faults (bench/load.py): 50 learners for 60 s on SQLite, then on
# PostgreSQL when LOAD_DATABASE_URL or TEST_DATABASE_URL names a server whose role may create
# databases. Exits non-zero on any 5xx, lost or doubled grade. `make test` runs it small.
load: setup
	$(PY) -m bench.load --database sqlite
	@url="$${LOAD_DATABASE_URL:-$$TEST_DATABASE_URL}"; \
	if [ -n "$$url" ]; then $(PY) -m bench.load --database "$$url"; \
	else echo "No LOAD_DATABASE_URL or TEST_DATABASE_URL: the PostgreSQL run was skipped."; fi

# A throwaway database, the bundled notes and a learner with a history, served by gunicorn on
# loopback and photographed by Chromium (tools/screenshots.py). SHOTS="study-session" retakes one.
screenshots: setup
	$(PY) -m tools.screenshots $(SHOTS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts bench/.data .test-db.sqlite3*
