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
DE_BUILD ?= training/build
DE_MODEL ?= pipeline/models/de_ner
BENCH_ARGS ?=
# Options of the command a target runs, e.g. `make run ARGS="--csv-bom --language de"` (a stage
# takes the options of its own command: `python -m pipeline extract --help`).
ARGS ?=
# Stages that read the store and write it (or the tables); ingest and language take CORPUS too.
STORE_STAGES := extract link tables

.PHONY: help setup run ingest language $(STORE_STAGES) report test lint eval eval-de eval-de-model train-de bench clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON_SYSTEM) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	@# Debian's chromium for the report's browser test (needs root, as on CI).
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || echo "warning: chromium not installed; the browser test will be skipped"
	touch $@

setup: $(VENV)/.installed ## Create .venv and install the package, pinned dependencies and spaCy pipelines

run: | $(VENV)/.installed ## Process CORPUS (default corpus/) into OUTPUT (default outputs/): tables, report.html, tables.xlsx; ARGS="--csv-bom --language de" passes options
	$(PYTHON) -m pipeline run "$(CORPUS)" --output "$(OUTPUT)" $(ARGS)

# The stages one at a time (what `make run` chains), e.g. after editing the taxonomy:
# `make extract link tables report`. They are phony: each changes the store in place and skips,
# article by article, what its fingerprints say is current, which make's timestamps cannot see.
ingest: | $(VENV)/.installed ## Stage 1: read new and changed files of CORPUS into OUTPUT/store.sqlite
	$(PYTHON) -m pipeline ingest "$(CORPUS)" --output "$(OUTPUT)" $(ARGS)

language: | $(VENV)/.installed ## Stage 2: detect languages again where the settings changed (ARGS="--language de" forces CORPUS's)
	$(PYTHON) -m pipeline language "$(CORPUS)" --output "$(OUTPUT)" $(ARGS)

extract: | $(VENV)/.installed ## Stage 3: extract entities from stored articles whose extraction is missing or stale
link: | $(VENV)/.installed ## Stage 4: find names confident in one article in all the others
tables: | $(VENV)/.installed ## Stage 5: write OUTPUT's tables from its store
$(STORE_STAGES):
	$(PYTHON) -m pipeline $@ --output "$(OUTPUT)" $(ARGS)

report: ## Write OUTPUT/report.html and OUTPUT/tables.xlsx from OUTPUT's tables (when they are newer)
# A path with spaces cannot be a make target: then `make report` always writes the report.
ifeq ($(words $(OUTPUT)),1)
report: $(OUTPUT)/report.html

$(OUTPUT)/report.html: $(OUTPUT)/run.json pipeline/report.py $(wildcard pipeline/report_assets/*) | $(VENV)/.installed
	$(PYTHON) -m pipeline report --output "$(OUTPUT)"
else
report: | $(VENV)/.installed
	$(PYTHON) -m pipeline report --output "$(OUTPUT)"
endif

test: | $(VENV)/.installed ## Run the test suite (real spaCy pipelines, real files)
	$(PYTHON) -m pytest

lint: | $(VENV)/.installed ## ruff and mypy
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/mypy pipeline

eval: | $(VENV)/.installed ## Score a run over corpus/ against tests/gold (fails below the floors)
	$(PYTHON) -m pipeline run corpus --output $(OUTPUT)/eval-corpus
	$(PYTHON) -m pipeline.evaluate $(OUTPUT)/eval-corpus tests/gold/corpus_gold.json --floors tests/gold/eval_floors.json

# --- German NER model (development only: needs the corpora in GERMAN_NER_DATA) -------------
$(DE_BUILD)/corpus/test.spacy: training/convert_de.py | $(VENV)/.installed
	$(PYTHON) training/convert_de.py --data $(GERMAN_NER_DATA) --out $(DE_BUILD)/corpus

train-de: $(DE_BUILD)/corpus/test.spacy ## Train the German model from GERMAN_NER_DATA into pipeline/models/de_ner (1-2 h on 2 cores)
	$(PYTHON) training/vectors_de.py --raw $(DE_BUILD)/corpus/raw_train.jsonl --out $(DE_BUILD)/vectors
	rm -rf $(DE_BUILD)/model
	OMP_NUM_THREADS=1 $(PYTHON) -m spacy train training/config_de.cfg --output $(DE_BUILD)/model \
		--paths.train $(DE_BUILD)/corpus/train.spacy --paths.dev $(DE_BUILD)/corpus/dev.spacy \
		--paths.vectors $(DE_BUILD)/vectors/de_press
	$(PYTHON) training/package_de.py --src $(DE_BUILD)/model/model-best --dst $(DE_MODEL)
	$(PYTHON) training/evaluate_de.py --model $(DE_MODEL) --corpus $(DE_BUILD)/corpus \
		--json $(DE_MODEL)/scores.json --md $(DE_BUILD)/scores_de.md

eval-de-model: $(DE_BUILD)/corpus/test.spacy ## Score the shipped German model alone on the held-out split
	$(PYTHON) training/evaluate_de.py --model $(DE_MODEL) --corpus $(DE_BUILD)/corpus --split test

eval-de: $(DE_BUILD)/corpus/test.spacy ## Score the whole German extractor (model + rules) beside the raw model
	$(PYTHON) training/eval_extractor_de.py --corpus $(DE_BUILD)/corpus --json $(DE_BUILD)/eval_extractor_de.json

bench: | $(VENV)/.installed ## Benchmark (benchmarks/bench.py) on 2,000 synthetic articles into OUTPUT/bench: pipeline vs bare nlp.pipe, stages, memory, no-op run; BENCH_ARGS=--scale adds make run at 20,000
	$(PYTHON) benchmarks/bench.py --output $(OUTPUT)/bench $(BENCH_ARGS)

clean: ## Remove generated outputs (keeps outputs/.gitkeep)
	find $(OUTPUT) -mindepth 1 ! -name .gitkeep -delete
