# The two commands a newcomer needs: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test bench lint run-fake check-github clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Start the dashboard (the embedded demo snapshot unless GITHUB_API_URL/GITHUB_TOKEN say otherwise).
run: $(STAMP)
	$(BIN)/streamlit run dashboard.py --server.port=$(PORT)

## Run the whole test suite, browser tests included (they need Debian's /usr/bin/chromium).
test: $(STAMP)
	$(BIN)/python -m pytest

## Print the performance figures and write bench/results.json.
bench: $(STAMP)
	$(BIN)/python -m bench

## Static checks.
lint: $(STAMP)
	$(BIN)/ruff check triage tests app_pages dashboard.py bench
	$(BIN)/mypy

## With GITHUB_TOKEN set: `triage doctor` against api.github.com, then the demo agenda read from it (offline: skipped).
check-github: $(STAMP)
	$(BIN)/triage doctor --api-url https://api.github.com --agenda triage/data/demo/minutes.md \
		--default-org falcosecurity --skip-offline

## Serve the demo's items from the fake GitHub server and point the dashboard at it.
run-fake: $(STAMP)
	$(BIN)/python -m tests.fakegithub --port 8765 & echo $$! > .fake.pid; \
	trap 'kill `cat .fake.pid`; rm -f .fake.pid' EXIT; \
	GITHUB_API_URL=http://127.0.0.1:8765 GITHUB_TOKEN=fake-token TRIAGE_SERVER_TOKEN=anyone $(BIN)/streamlit run dashboard.py --server.port=$(PORT)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
