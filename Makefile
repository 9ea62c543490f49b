# The two commands a newcomer runs: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/steady_heavy_api.yaml

.PHONY: run test install install-test bytecode bench clean update-goldens checkov-venv

$(BIN)/costplan: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/costplan $(VENV)/sarif-schema-2.1.0.json
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The SARIF 2.1.0 JSON Schema (OASIS), for the test that validates `--format sarif`. No Python package
# ships it; Microsoft's @microsoft/jest-sarif (MIT) does, so it comes from the npm registry, pinned
# by version and checked by hash.
SARIF_PKG := @microsoft/jest-sarif@1.0.0-beta.0
SARIF_SHA256 := 2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8
$(VENV)/sarif-schema-2.1.0.json:
	mkdir -p $(VENV)/npm-sarif
	cd $(VENV)/npm-sarif && npm pack --silent $(SARIF_PKG) >/dev/null \
	  && tar xzf microsoft-jest-sarif-*.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json
	echo "$(SARIF_SHA256)  $(VENV)/npm-sarif/package/lib/schemas/sarif-2.1.0-rtm.5.json" | sha256sum -c --quiet
	mv $(VENV)/npm-sarif/package/lib/schemas/sarif-2.1.0-rtm.5.json $@
	rm -rf $(VENV)/npm-sarif

install: $(BIN)/costplan

install-test: $(VENV)/.test-deps

# An editable install writes no bytecode for costplan itself, and PYTHONDONTWRITEBYTECODE stops
# Python writing it on first import, so every run would recompile ~40 modules (~50 ms). A wheel
# install compiles at install time; this does the same (it skips files that are up to date).
bytecode: install
	$(BIN)/python -m compileall -q costplan pricing_data >/dev/null

run: bytecode
	$(BIN)/costplan compare $(SCENARIO)

# checkov pins its own boto3 and replaces python-hcl2's `hcl2` module: it lives in its own virtualenv,
# never the project's. The template tests run it from there (and skip, saying why, where it is missing).
CHECKOV_VENV := .venv-checkov
$(CHECKOV_VENV)/bin/checkov:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov>=3.2,<4' || \
		echo "checkov could not be installed: the template security gate will be skipped"

checkov-venv: $(CHECKOV_VENV)/bin/checkov

test: install-test checkov-venv
	$(BIN)/python -m pytest

update-goldens: install-test
	$(BIN)/python -m pytest --update-goldens

bench: bytecode
	$(BIN)/python benchmarks/cli_latency.py
	$(BIN)/python benchmarks/limits_batch.py
	$(BIN)/python benchmarks/limits_split.py
	$(BIN)/python benchmarks/compare_batch.py
	$(BIN)/python benchmarks/compare_split.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) build *.egg-info
