# haechi — two commands on a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint audit bench format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml constraints.txt | $(BIN)/python
	sh scripts/system-deps.sh
	$(BIN)/pip install -q -c constraints.txt -e '.[demo,detectors,exchanges,faces,reports]'
	touch $@

$(VENV)/.dev-installed: pyproject.toml constraints.txt | $(BIN)/python
	sh scripts/system-deps.sh
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,demo]'
	touch $@ $(VENV)/.run-installed

## run: install, migrate the embedded SQLite database under ./var, load the demo bank, serve on 127.0.0.1:8000
run: $(VENV)/.run-installed
	mkdir -p var
	$(BIN)/haechi db upgrade
	$(BIN)/haechi demo load
	$(BIN)/haechi serve --host $(HOST) --port $(PORT)

## test: the whole test suite (warnings are errors) on SQLite, then again on PostgreSQL
## (HAECHI_TEST_POSTGRES_URL, else a throwaway server from the installed binaries; see tests/db_plugin.py)
test: $(VENV)/.dev-installed
	$(BIN)/lint-imports
	$(BIN)/pytest
	$(BIN)/pytest --db=postgresql

## lint: ruff, formatting, mypy strict, layer contract
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

## audit: pip-audit over the installed packages (see scripts/audit_deps.py, .ci/pip-audit-ignore)
audit: $(VENV)/.dev-installed
	$(BIN)/python scripts/audit_deps.py

format: $(VENV)/.dev-installed
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

## bench: side-by-side benchmarks against the threatexchange peer (ratios printed, JSON in .bench/)
bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .bench
