# The two commands a newcomer needs: `make run` and `make test`. Both create .venv when it is missing.
# `make run` installs only what the app needs; `make test` adds the test extras (pytest, Playwright,
# linters). pip's own output is shown: the first install takes a minute or two, and silence looked
# like a hang.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.installed-app
STAMP := $(VENV)/.installed
PORT ?= 8501
FAKE_PORT ?= 8765

.PHONY: run test explore bench lint run-fake check-github clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(APP_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> Installing the app's packages into $(VENV) (the first time takes a minute or two)"
	$(BIN)/python -m pip install --upgrade --progress-bar on pip
	$(BIN)/python -m pip install --progress-bar on -e .
	touch $(APP_STAMP)

$(STAMP): $(APP_STAMP)
	@echo "==> Installing the test extras into $(VENV)"
	$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	touch $(STAMP)

## Start the dashboard on http://localhost:$(PORT) (the embedded demo unless GITHUB_API_URL/GITHUB_TOKEN say otherwise).
run: $(APP_STAMP)
	$(BIN)/streamlit run dashboard.py --server.port=$(PORT)

## Run the whole test suite, browser tests included (they need Debian's /usr/bin/chromium).
test: $(STAMP)
	$(BIN)/python -m pytest

## The tests outside the browser with fresh random examples for the property tests (make test draws the same
## ones every run, so that it fails for a change and never for a draw).
explore: $(STAMP)
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -m "not browser"

## Print the performance figures and write bench/results.json.
bench: $(STAMP)
	$(BIN)/python -m bench

## Static checks.
lint: $(STAMP)
	$(BIN)/ruff check triage tests app_pages dashboard.py bench
	$(BIN)/mypy

## With GITHUB_TOKEN set: `triage doctor` against api.github.com, then the demo agenda read from it (offline: skipped).
check-github: $(STAMP)
	$(BIN)/triage doctor --api-url https://api.github.com --agenda triage/data/demo/minutes/2023-12-14-Falco-Core-Maintainers.md \
		--default-org falcosecurity --skip-offline

## Serve the demo's items from the fake GitHub server on FAKE_PORT and point the dashboard (on PORT) at it
## (the fake needs graphql-core, a test extra).
run-fake: $(STAMP)
	$(BIN)/python -m tests.fakegithub --port $(FAKE_PORT) & echo $$! > .fake.pid; \
	trap 'kill `cat .fake.pid`; rm -f .fake.pid' EXIT; \
	GITHUB_API_URL=http://127.0.0.1:$(FAKE_PORT) GITHUB_TOKEN=fake-token TRIAGE_SERVER_TOKEN=anyone \
		$(BIN)/streamlit run dashboard.py --server.port=$(PORT)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
