# gRPC Workbench — quick start: `make run`, `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test lint bench demo-server screenshots clean package icons

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

## Start the app connected to an embedded demo server.
run: $(STAMP)
	$(VENV)/bin/grpc-workbench --demo

## Install the test extras, lint, type-check the core, and run the whole suite.
test: $(TSTAMP) lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: $(TSTAMP)
	$(VENV)/bin/ruff check workbench tests bench
	$(VENV)/bin/ruff format --check workbench tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(TSTAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

demo-server: $(STAMP)
	$(VENV)/bin/grpc-workbench demo-server --port 50051

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache

## Build the sdist + wheel into dist/, then a PyInstaller bundle in dist/grpc-workbench/, smoke-tested.
package:
	PYTHON=$(PYTHON) packaging/build.sh

## Re-render the PNG/ICO/ICNS icons from resources/icons/app.svg (commit the results).
icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) scripts/render_icons.py
