# lodcat: the two commands are `make run` and `make test`; CI runs `make test` (.ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LODCAT_STORE ?= var/store
export HOST PORT LODCAT_STORE

.PHONY: run test lint format install install-dev load serve schema clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

load: install
	$(BIN)/lodcat load data

serve: install
	$(BIN)/lodcat serve

# Installs, loads data/ and serves on http://$(HOST):$(PORT)/ (HOST, PORT, LODCAT_STORE, LODCAT_BASE_IRI).
run: node_modules/.installed load serve

lint: install-dev
	$(BIN)/ruff check loader api tests bench
	$(BIN)/ruff format --check loader api tests bench
	$(BIN)/mypy
	$(BIN)/lodcat schema --check

format: install-dev
	$(BIN)/ruff format loader api tests
	$(BIN)/ruff check --fix loader api tests

schema: install
	$(BIN)/lodcat schema

# Debian's chromium for the query page's browser test (tests/browser/), installed only when missing;
# apt-get needs root, as CI runs. Playwright (playwright-core) never downloads a browser of its own.
chromium: /usr/bin/chromium

/usr/bin/chromium:
	apt-get update && apt-get install -y chromium

# The project's npm packages, exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: install-dev lint node_modules/.installed chromium
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
