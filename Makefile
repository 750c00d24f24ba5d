# Every target creates and uses ./.venv by itself; a fresh machine needs only Python 3.11 and make.
#
#   make lab        JupyterLab at notebooks/00_start_here.ipynb   (PORT=8890, NO_BROWSER=1)
#   make test       the whole test suite, notebooks included        (PYTEST_ARGS="-k 03_learning_rate")
#   make execute    re-run every notebook from a fresh kernel and store its outputs
#   make bench      print timings (benchmarks/*.py)
#   make lint       ruff check + ruff format --check

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
# Python used to create the venv: 3.11 when available, else python3.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)

PORT ?= 8888
NO_BROWSER ?=
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
START_NOTEBOOK := notebooks/00_start_here.ipynb

# Chapter notebooks in order (solutions/ is not a chapter). Override to execute one: NOTEBOOKS=notebooks/03_x.ipynb
NOTEBOOKS ?= $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
EXECUTE_TIMEOUT ?= 600

PYTEST_ARGS ?=
# JupyterHub's proxy, from npm, for the classroom test (tests/browser/test_classroom.py)
CHP_VERSION ?= 5.3.0

# Stamp files: reinstalling is skipped until a requirements file or pyproject.toml changes.
RUNTIME_STAMP := $(VENV)/.course-runtime.stamp
DEV_STAMP := $(VENV)/.course-dev.stamp

# JupyterLab settings shipped with the course (binder/overrides.json: a notebook's kernel shuts down when its tab
# closes), installed where JupyterLab reads overrides in this environment; Binder's postBuild does the same.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: help lab test execute bench lint install install-dev lab-settings

help:
	@sed -n '2,8p' Makefile | sed 's/^# \{0,1\}//'

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 was not found (tried python3.11 and python3)." >&2; exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON)"
	"$(PYTHON)" -m venv "$(VENV)"
	@"$(BIN)/python" -c 'import sys; v = sys.version_info[:2]; v == (3, 11) or print(f"note: the pins are tested on Python 3.11, this venv has {v[0]}.{v[1]}")'

$(RUNTIME_STAMP): requirements.txt pyproject.toml | $(BIN)/python
	"$(BIN)/python" -m pip install -r requirements.txt
	"$(BIN)/python" -m pip install -e .
	@touch "$@"

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	grep -v -E '^[[:space:]]*torch[[:space:]]*==' requirements-dev.txt > "$(VENV)/requirements-dev-no-torch.txt"
	"$(BIN)/python" -m pip install -r "$(VENV)/requirements-dev-no-torch.txt"
	@torch_pin="$$(grep -E '^[[:space:]]*torch[[:space:]]*==' requirements-dev.txt | tr -d '[:space:]')"; \
	if [ -z "$$torch_pin" ]; then echo "requirements-dev.txt pins no torch" >&2; exit 1; fi; \
	echo "Installing $$torch_pin (test oracle; pip may take a CPU wheel from a local wheel folder or an extra index you configure)"; \
	if "$(BIN)/python" -m pip install "$$torch_pin"; then \
	  rm -f "$(VENV)/.course-no-torch"; \
	else \
	  echo "WARNING: $$torch_pin could not be installed; the tests that compare with torch.optim will be skipped."; \
	  touch "$(VENV)/.course-no-torch"; \
	fi
	@if command -v npm >/dev/null 2>&1; then \
	  echo "Installing configurable-http-proxy $(CHP_VERSION) (for the classroom test) into $(VENV)/chp"; \
	  npm install --silent --no-audit --no-fund --prefix "$(VENV)/chp" "configurable-http-proxy@$(CHP_VERSION)" \
	    || echo "WARNING: configurable-http-proxy could not be installed; the classroom test will be skipped."; \
	else \
	  echo "NOTE: no npm here: the classroom test (a JupyterHub) will be skipped."; \
	fi
	@touch "$@"

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

lab-settings: $(RUNTIME_STAMP)
	@mkdir -p "$(dir $(LAB_OVERRIDES))"
	cp binder/overrides.json "$(LAB_OVERRIDES)"

# Serves the whole repository (as Binder does) and opens the start notebook.
lab: $(RUNTIME_STAMP) lab-settings
	"$(BIN)/jupyter" lab --ip=127.0.0.1 --port=$(PORT) $(if $(NO_BROWSER),--no-browser,) $(ALLOW_ROOT) \
	  --ServerApp.root_dir=. "$(START_NOTEBOOK)"

# One command for the whole suite: pytest's configuration (pyproject.toml) adds the notebooks via nbval.
test: $(DEV_STAMP)
	"$(BIN)/python" -m pytest $(PYTEST_ARGS)

execute: $(RUNTIME_STAMP)
	@if [ -z "$(strip $(NOTEBOOKS))" ]; then echo "no notebooks to execute" >&2; exit 1; fi
	@for nb in $(NOTEBOOKS); do \
	  echo "== executing $$nb"; \
	  "$(BIN)/jupyter" nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.kernel_name=python3 \
	    --ExecutePreprocessor.timeout=$(EXECUTE_TIMEOUT) \
	    --ExecutePreprocessor.store_widget_state=True \
	    "$$nb"; \
	done

bench: $(DEV_STAMP) lab-settings
	@for script in $(sort $(wildcard benchmarks/*.py)); do \
	  echo "== $$script"; \
	  "$(BIN)/python" "$$script"; \
	done

lint: $(DEV_STAMP)
	"$(BIN)/ruff" check .
	"$(BIN)/ruff" format --check .
