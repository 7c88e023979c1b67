# hsgclinic — `make help` lists the targets.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DICOM_PORT ?= 11112

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}'

$(BIN)/hsgclinic: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

install-system: ## Install the Debian packages the app needs (PDF fonts/libs); needs root
	scripts/install-system-deps.sh runtime

install-test-system: ## Install the Debian packages the tests need (chromium, dcmtk, orthanc, python3-odil, poppler, PostgreSQL)
	scripts/install-system-deps.sh test
	cd tests/peers/fhir && npm ci --no-audit --no-fund
	cd tests/peers/hl7 && npm ci --no-audit --no-fund

install: install-system $(BIN)/hsgclinic ## Install the app into .venv

run: install ## Install, fill the embedded database with demo data, start the app, the reminder worker and the DICOM service
	$(BIN)/hsgclinic demo --if-empty
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) DICOM_PORT=$(DICOM_PORT) scripts/run-clinic.sh

test: install-test-system $(BIN)/hsgclinic ## Install everything the tests need and run the whole suite (SQLite and PostgreSQL)
	scripts/ensure-postgres.sh
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/hsgclinic db check --database-url "$$(scripts/ensure-postgres.sh --url)"
	HSGCLINIC_TEST_PG_URL="$$(scripts/ensure-postgres.sh --url)" HSGCLINIC_REQUIRE_ALL=1 $(BIN)/pytest -q

check: $(BIN)/hsgclinic ## Lint, format check, import contracts, types
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

fmt: $(BIN)/hsgclinic ## Format and autofix
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(BIN)/hsgclinic ## Run the benchmarks that start nothing (domain planning)
	$(BIN)/python bench/plan.py

fuzz: $(BIN)/hsgclinic ## The API contract under schemathesis, every role, SQLite then PostgreSQL (EXAMPLES=25, fixed seed)
	scripts/ensure-postgres.sh
	$(BIN)/python tests/apifuzz.py --max-examples $(or $(EXAMPLES),25) --examples
	$(BIN)/python tests/apifuzz.py --max-examples $(or $(EXAMPLES),25) --examples --database-url "$$(scripts/ensure-postgres.sh --url)"

mutation: $(BIN)/hsgclinic ## Mutation testing of the domain (mutmut, slow, not in `make test`); MODULE="eligibility cycle" for some
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 $(foreach m,$(MODULE),"hsgclinic.domain.$(m).*")
	$(BIN)/python scripts/mutation_score.py $(foreach m,$(MODULE),--module $(m))

lock: ## Re-pin the whole dependency tree into constraints.txt after editing pyproject.toml
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

.PHONY: help install install-system install-test-system run test check fmt bench lock mutation fuzz
