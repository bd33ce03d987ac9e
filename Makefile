# onething — two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
# -qq: pip's errors only. The machine's pip configuration names local package mirrors, and pip
# warns once for every package a mirror does not hold (hundreds of lines); installs are unchanged.
# --no-compile: modules are byte-compiled when first imported, not all at install (Faker's
# hundreds of locale modules, Django's and the data libraries' tests and tools).
PIP := $(BIN)/pip install -qq --no-compile --disable-pip-version-check
say = @echo "==> $(1)"

.PHONY: run test lint fmt bench install install-test install-lint install-bench worker clean-db

$(PY):
	$(call say,创建 Python 虚拟环境 $(VENV)…)
	$(PYTHON) -m venv $(VENV)

# One stamp per set of extras: each is reinstalled when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(call say,安装运行所需的依赖（首次约 1 分钟）…)
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(call say,安装测试所需的依赖（pytest、Playwright、Spark……）…)
	$(PIP) -e '.[test,spark]'
	touch $@

$(VENV)/.installed-lint: pyproject.toml | $(PY)
	$(call say,安装检查工具（ruff）…)
	$(PIP) -e '.[lint]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(call say,安装基准测试所需的依赖…)
	$(PIP) -e '.[bench]'
	touch $@

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test
install-lint: $(VENV)/.installed-lint
install-bench: $(VENV)/.installed-bench

run: install
	$(call say,迁移数据库…)
	@$(BIN)/onething migrate --noinput -v 0
	$(call say,加载演示数据（仅首次：行政区划、目录、人口库与法人库、演示账号）…)
	@$(BIN)/onething demo load --if-empty
	@$(BIN)/onething demo users
	$(call say,启动网站与后台任务进程：http://$(HOST):$(PORT)/ （Ctrl-C 同时停止两者）)
	@$(BIN)/onething run --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/onething worker

test: install-test
	bash scripts/test.sh

lint: install-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/onething makemigrations --check --dry-run -v 0

fmt: install-lint
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-bench
	bash scripts/bench.sh

clean-db:
	rm -f var/db.sqlite3*
