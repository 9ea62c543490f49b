# The two commands a newcomer runs: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/steady_heavy_api.yaml

.PHONY: run test install install-test bench clean update-goldens

$(BIN)/costplan: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/costplan
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/costplan

install-test: $(VENV)/.test-deps

run: install
	$(BIN)/costplan compare $(SCENARIO)

test: install-test
	$(BIN)/python -m pytest

update-goldens: install-test
	$(BIN)/python -m pytest --update-goldens

bench: install
	$(BIN)/python benchmarks/cli_latency.py

clean:
	rm -rf $(VENV) build *.egg-info
