# Two entry points (see README): `make demo` and `make test`. Both create .venv when needed.
# Nothing here downloads at run time except pip installing the dependencies from PyPI once.

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
DB       ?= quanhe.db
EXAMPLES := src/quanhe/examples
STAMP    := $(VENV)/.installed

.PHONY: setup demo test bench bench-kb eval eval-authored clean help

help:
	@echo "make demo   set up .venv, ingest the bundled example articles into $(DB), show facts and a search"
	@echo "make test   set up .venv and run the test suite"
	@echo "make bench  extract/ingest throughput on one core over ../shared/corpus/dev"
	@echo "make bench-kb  query latency (p50/p95) on a generated store of 1,000,000 facts"
	@echo "make eval   score the extractor on ../shared/gold/dev"
	@echo "make eval-authored  score it on the articles we wrote (eval/authored)"
	@echo "make clean  remove $(DB) and the virtualenv"

setup: $(STAMP)

# Reinstall when pyproject.toml changes; the stamp lives inside .venv, so removing .venv resets it.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

demo: $(STAMP)
	$(BIN)/quanhe --db $(DB) ingest $(EXAMPLES)
	$(BIN)/quanhe --db $(DB) facts --format table
	$(BIN)/quanhe --db $(DB) search --format table "doi tac chien luoc toan dien"
	$(BIN)/quanhe --db $(DB) timeline US --format table
	$(BIN)/quanhe --db $(DB) level US --format table
	$(BIN)/quanhe --db $(DB) dossier US --format html --output dossier_US.html

# pytest exits 5 when it collects nothing; say so instead of leaving a bare error code.
test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	@$(BIN)/python -m pytest -q; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	  exit $$rc

bench: $(STAMP)
	$(BIN)/python -m quanhe.bench

# Builds a 1.4 GB store in a temporary folder (about 4 minutes), times the queries, removes it.
bench-kb: $(STAMP)
	$(BIN)/python -m quanhe.bench_kb

eval: $(STAMP)
	$(BIN)/quanhe eval --gold ../shared/gold/dev --corpus ../shared/corpus/dev

eval-authored: $(STAMP)
	$(BIN)/quanhe eval --gold eval/authored/gold --corpus eval/authored/corpus

clean:
	rm -f $(DB) $(DB)-wal $(DB)-shm dossier_US.html
	rm -rf $(VENV)
