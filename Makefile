# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
NOTEBOOK_STAMP := $(VENV)/.installed-notebook

CHROMIUM := /usr/bin/chromium

.PHONY: run screen test lint bench clean chromium notebook

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(RUN_STAMP)

## Serve the API on 127.0.0.1:8000 with the embedded SQLite store as a demonstration (--demo):
## on first start, demo users and examples/ (prints the address and the demo tokens).
run: $(RUN_STAMP)
	$(BIN)/screening serve --host 127.0.0.1 --port 8000 --demo

## One-shot: screen the bundled sample, print the top of the list, write out/follow-up.csv.
screen: $(RUN_STAMP)
	$(BIN)/screening screen examples/visits.csv --interviews examples/interviews.csv \
		--model default --top 15 --out out/follow-up.csv

## The browser tests drive Debian's chromium (Playwright never downloads one): install it when
## missing and we are root with apt-get; if that fails, those tests are skipped and say why.
chromium:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
			|| echo "Could not install chromium: the browser tests will be skipped."; \
	fi

## Lint, the import contracts (the layers), then the whole test suite (what CI runs), on
## TEST_WORKERS processes (one per core here); each test file runs whole in one of them, so its
## module and package fixtures are made once. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2
test: $(TEST_STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## JupyterLab on notebooks/ (installs the notebook extra on first use). The notebooks find the
## service's store through SCREENING_DATA_DIR / SCREENING_DATABASE_URL, as the service does.
notebook: $(NOTEBOOK_STAMP)
	cd notebooks && ../$(BIN)/jupyter lab

$(NOTEBOOK_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[notebook]'
	touch $@ $(RUN_STAMP)

## Speed and memory benchmarks (not tests): prints tables with ratios measured in the same run.
## Every benchmark runs even when an earlier one misses its target; the exit status is
## non-zero when any of them missed one (or failed).
bench: $(BENCH_STAMP)
	@status=0; \
	$(BIN)/python -m benchmarks || status=$$?; \
	$(BIN)/python -m benchmarks.service || status=$$?; \
	$(BIN)/python -m benchmarks.hostile || status=$$?; \
	exit $$status

clean:
	rm -rf $(VENV) out data .pytest_cache
