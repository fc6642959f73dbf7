# Jingwu: the two set-up commands are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install install-dev demo test test-fast lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	bash scripts/setup-system.sh
	$(BIN)/pip install --quiet -e '.[dev]'

## Install Jingwu, load the demo county (first run only) and serve it on http://$(HOST):$(PORT)/
## (make demo PORT=8001 HOST=0.0.0.0)
demo: install
	$(BIN)/jingwu demo --host $(HOST) --port $(PORT)

## Install everything and run the whole test suite (slow and browser checks included), in
## parallel (one worker per core; TEST_WORKERS=0 runs in one process), slowest twenty listed
TEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadgroup --durations=20
TEST_ARGS ?=

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(TEST_ARGS)

test-fast: install-dev
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not slow and not browser" $(TEST_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

## Refresh and compile the translation catalogues
messages:
	cd src/jingwu && ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete --add-location=file --settings=jingwu.site.settings
	cd src/jingwu && ../../$(BIN)/django-admin compilemessages --settings=jingwu.site.settings

clean:
	rm -rf $(VENV) var build src/*.egg-info
