# The README's commands. Everything installs into .venv from pyproject.toml.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 8000
# Absolute links are built on SITE_URL; requests for any host but these are refused.
SITE_URL ?= http://$(HOST):$(PORT)
TRUSTED_HOSTS ?= 127.0.0.1,localhost
export SITE_URL TRUSTED_HOSTS
# One worker with threads: rate limits kept in its memory hold for the whole site. More workers
# need a shared store (RATELIMIT_STORAGE_URI=redis://...); the app refuses them without one.
WORKERS ?= 1
THREADS ?= 8
# The suite runs in one process per core (pytest-xdist), a test file per process at a time.
PYTEST_PARALLEL ?= -n auto --dist loadfile
# The Nu HTML checker (npm's vnu-jar, run on the machine's Java) checks every page in the suite.
VNU_VERSION ?= 26.9.27
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL

.PHONY: help install install-test run dev check test lint pytest-sqlite pytest-postgres migrate bench clean

help:
	@echo "make run    install, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make dev    the same with Flask's debug server and reloading"
	@echo "make check  check the learning content: every problem with its file and line"
	@echo "make test   lint and the whole test suite, on SQLite and on PostgreSQL"
	@echo "make bench  time the main pages against a bare Flask route"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# Its install script would fetch a Java of its own: --ignore-scripts keeps the machine's.
# Without npm the HTML check skips (CI installs npm and Java, and requires it).
$(VENV)/.installed-vnu-$(VNU_VERSION): | $(BIN)/activate
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix $(VENV)/node --ignore-scripts --no-audit --no-fund --loglevel=error vnu-jar@$(VNU_VERSION) \
	  && touch $@; \
	else \
	  echo "npm not found: the HTML check will skip (apt-get install npm default-jre-headless)"; \
	fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test $(VENV)/.installed-vnu-$(VNU_VERSION)

migrate: install
	$(FLASK) db upgrade

run: migrate
	$(FLASK) demo load-if-empty
	@$(FLASK) demo accounts
	@echo "Serving on http://$(HOST):$(PORT) with $(WORKERS) gunicorn worker(s) of $(THREADS) threads (Ctrl+C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --threads $(THREADS) --bind $(HOST):$(PORT) --access-logfile - app:app

dev: migrate
	$(FLASK) demo load-if-empty
	@$(FLASK) demo accounts
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

# The content checker, for authors: needs nothing but this folder (it makes .venv if missing).
check: install
	@$(FLASK) content check

lint: install-test check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The apps the suite starts refuse content with a problem, as a release pipeline's should.
pytest-sqlite: install-test
	STRICT_CONTENT=1 $(BIN)/pytest $(PYTEST_PARALLEL)

# Exits 0 with a note when PostgreSQL is unreachable, unless REQUIRE_POSTGRES=1.
pytest-postgres: install-test
	STRICT_CONTENT=1 TEST_DB=postgresql $(BIN)/pytest $(PYTEST_PARALLEL)

test: lint pytest-sqlite pytest-postgres

bench: install-test
	$(BIN)/python -m tests.benchmark

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
