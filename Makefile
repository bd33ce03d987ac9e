# onething — two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint fmt bench install worker clean-db

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/onething migrate --noinput -v 0
	$(BIN)/onething demo load --if-empty
	$(BIN)/onething demo users
	$(BIN)/onething serve --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/onething worker

test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/onething makemigrations --check --dry-run -v 0

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	bash scripts/bench.sh

clean-db:
	rm -f var/db.sqlite3*
