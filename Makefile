# Every target bootstraps .venv first, so a fresh clone needs only python3.11, pip and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: demo test lint typecheck unit docs examples bench soak clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_QUIET) --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -m pip install $(PIP_QUIET) -e '.[dev,docs,cli,bench]' 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -c "import avala, pytest, xdist, mypy, ruff, mkdocs, click, rich, moto, orjson" || { echo "install failed"; exit 1; }
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/quickstart.py

lint: $(STAMP)
	$(BIN)/ruff check avala tests benchmarks examples
	$(BIN)/ruff format --check avala tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy avala

# pytest-xdist processes per suite run. The tests spend about half their time waiting
# (sockets, timeouts, sleeps), so 4 beat one per core on a 2-core machine.
PYTEST_WORKERS ?= 4

# The second run parses every response with the standard library, as without orjson;
# each run's banner and last line name its parser, so a failure says which run it was.
unit: $(STAMP)
	@echo "== pytest, JSON parser: orjson =="
	$(BIN)/pytest -n $(PYTEST_WORKERS)
	@echo "== pytest, JSON parser: standard library (AVALA_NO_ORJSON=1) =="
	AVALA_NO_ORJSON=1 $(BIN)/pytest -n $(PYTEST_WORKERS)

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

test: lint typecheck unit docs

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

soak: $(STAMP)
	AVALA_SOAK_CALLS=10000 $(BIN)/pytest -m soak -s tests/test_soak.py

clean:
	rm -rf $(VENV) build *.egg-info site
