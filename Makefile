# Press-release intelligence pipeline. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

CORPUS ?= corpus
OUTPUT ?= outputs
PYTHON_SYSTEM ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
GERMAN_NER_DATA ?= ../shared/data/german-ner

.PHONY: help setup run report test lint eval eval-de train-de bench clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON_SYSTEM) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	@# Debian's chromium for the report's browser test (needs root, as on CI).
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || echo "warning: chromium not installed; the browser test will be skipped"
	touch $@

setup: $(VENV)/.installed ## Create .venv and install the package, pinned dependencies and spaCy pipelines

run: | $(VENV)/.installed ## Process CORPUS (default corpus/) into OUTPUT (default outputs/), then the report
	$(PYTHON) -m pipeline run $(CORPUS) --output $(OUTPUT)
	$(PYTHON) -m pipeline.report $(OUTPUT)

report: $(OUTPUT)/report.html ## Write OUTPUT/report.html and OUTPUT/tables.xlsx from OUTPUT's tables

$(OUTPUT)/report.html: $(OUTPUT)/run.json pipeline/report.py $(wildcard pipeline/report_assets/*) | $(VENV)/.installed
	$(PYTHON) -m pipeline.report $(OUTPUT)

test: | $(VENV)/.installed ## Run the test suite (real spaCy pipelines, real files)
	$(PYTHON) -m pytest

lint: | $(VENV)/.installed ## ruff and mypy
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/mypy pipeline

eval: | $(VENV)/.installed ## Score a run over corpus/ against tests/gold (fails below the floors)
	$(PYTHON) -m pipeline run corpus --output $(OUTPUT)/eval-corpus
	$(PYTHON) -m pipeline.evaluate $(OUTPUT)/eval-corpus tests/gold/corpus_gold.json --floors tests/gold/eval_floors.json

clean: ## Remove generated outputs (keeps outputs/.gitkeep)
	find $(OUTPUT) -mindepth 1 ! -name .gitkeep -delete
