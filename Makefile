# pantry: `make run` and `make test` work on a fresh machine with Python 3.12+.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PANTRY := $(BIN)/pantry
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
PYTEST_ARGS ?= -n 2

# The newest Python 3.12+ on this machine; checked by running it, since a
# pyenv shim may exist for a version that is not installed.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3; do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	command -v $$p; break; fi; done)

.PHONY: help install run test lint format migrations-check bench clean db-stop

help:
	@echo "make run               install, start the database, migrate, load demo data, serve :8000"
	@echo "make test              run the test suite on a real PostgreSQL"
	@echo "make lint              ruff, ruff format --check, mypy"
	@echo "make migrations-check  no missing migrations, linter clean, reversible to zero"
	@echo "make bench             benchmarks against a production-mode server (JSON in var/bench/)"

$(STAMP): pyproject.toml uv.lock
	@if [ -z "$(PYTHON)" ]; then \
		echo "pantry needs Python 3.12 or newer: install python3.12 (or newer) and run make again." >&2; \
		exit 1; fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then UV=uv; else \
		if [ ! -x $(BIN)/uv ]; then \
			$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null; \
			$(BIN)/python -m pip install --quiet --disable-pip-version-check uv; fi; \
		UV=$(BIN)/uv; fi; \
	$$UV sync --locked --quiet --python $(BIN)/python
	@# Bytecode ahead of time: where PYTHONDONTWRITEBYTECODE is set, every
	@# command would otherwise recompile ~1,000 modules (5 s) on each start;
	@# files some packages ship that do not compile are skipped.
	@$(BIN)/python -m compileall -q -j 0 $(VENV)/lib src >/dev/null || true
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	PANTRY_ENV=$${PANTRY_ENV:-development} $(PANTRY) run

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(STAMP)
	$(PANTRY) migrations_check

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

db-stop: $(STAMP)
	$(PANTRY) db stop

clean:
	-$(PANTRY) db stop
	rm -rf $(VENV) var/static
