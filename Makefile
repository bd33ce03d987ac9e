# onething — two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
UV_VERSION := 0.13.8
# uv installs from the same registry as pip, about 6 × faster (parallel, no byte-compiling: a
# fresh install took 4 s of CPU instead of 26). pip stays in .venv and takes over if uv cannot
# be had. pip's -qq: errors only; this machine's pip configuration names local package mirrors and
# pip warns once for every package a mirror lacks (hundreds of lines).
PIP := $(BIN)/pip install -qq --no-compile --disable-pip-version-check
INSTALL = if [ -x $(BIN)/uv ]; then $(BIN)/uv pip install --quiet --python $(PY) $(1); else $(PIP) $(1); fi
say = @echo "==> $(1)"
comma := ,

.PHONY: run test lint fmt bench install install-test install-lint install-bench worker clean-db

$(PY):
	$(call say,创建 Python 虚拟环境 $(VENV)（含安装工具 uv）…)
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) uv==$(UV_VERSION) || echo "uv 安装失败，改用 pip 安装依赖（较慢）"

# One stamp per set of extras: each is reinstalled when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(call say,安装运行所需的依赖（仅首次）…)
	@$(call INSTALL,-e .)
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(call say,安装测试所需的依赖（pytest、Playwright、Spark……）…)
	@$(call INSTALL,-e '.[test$(comma)spark]')
	@touch $@

$(VENV)/.installed-lint: pyproject.toml | $(PY)
	$(call say,安装检查工具（ruff、import-linter）…)
	@$(call INSTALL,-e '.[lint]')
	@touch $@

$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(call say,安装基准测试所需的依赖…)
	@$(call INSTALL,-e '.[bench]')
	@touch $@

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test
install-lint: $(VENV)/.installed-lint
install-bench: $(VENV)/.installed-bench

run: install
	@$(BIN)/onething setup
	$(call say,启动网站与后台任务进程：http://$(HOST):$(PORT)/ （Ctrl-C 同时停止两者）)
	@$(BIN)/onething run --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/onething worker

test: install-test
	bash scripts/test.sh

lint: install-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/onething makemigrations --check --dry-run -v 0

fmt: install-lint
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-bench
	bash scripts/bench.sh

clean-db:
	rm -f var/db.sqlite3*
