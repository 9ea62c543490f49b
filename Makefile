# The two commands a newcomer runs: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/steady_heavy_api.yaml

.PHONY: run test install install-test bytecode bench clean update-goldens

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

# An editable install writes no bytecode for costplan itself, and PYTHONDONTWRITEBYTECODE stops
# Python writing it on first import, so every run would recompile ~40 modules (~50 ms). A wheel
# install compiles at install time; this does the same (it skips files that are up to date).
bytecode: install
	$(BIN)/python -m compileall -q costplan pricing_data >/dev/null

run: bytecode
	$(BIN)/costplan compare $(SCENARIO)

test: install-test
	$(BIN)/python -m pytest

update-goldens: install-test
	$(BIN)/python -m pytest --update-goldens

bench: bytecode
	$(BIN)/python benchmarks/cli_latency.py
	$(BIN)/python benchmarks/limits_batch.py
	$(BIN)/python benchmarks/compare_batch.py

clean:
	rm -rf $(VENV) build *.egg-info
