# siyu: `make run` starts the bot on the embedded default, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install run demo test test-sqlite test-postgres lint bench mutants

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,train]"
	touch $@

install: $(VENV)/.installed /usr/bin/chromium

# tests/console drive Debian's Chromium (Playwright's own browser download is not used);
# the CJK font makes the Chinese UI readable in the screenshots
/usr/bin/chromium:
	$(if $(filter 0,$(shell id -u)),,sudo) sh -c "apt-get update -qq && apt-get install -y chromium fonts-wqy-microhei"

run: install
	$(VENV)/bin/siyu demo

test: install lint test-sqlite test-postgres

test-sqlite: install
	$(PY) -m pytest -q

test-postgres: install
	SIYU_TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: install
	$(PY) bench/webhook.py

# Mutation testing of handlers/ and bot/webhooks/ (mutmut, config in pyproject): slow, not in CI.
# `make mutants MUTANTS='handlers.errors*'` runs only the mutants whose names match.
MUTANTS ?=
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
mutants: install
	$(PY) -m pip install --quiet -e ".[mutants]"
	SIYU_TEST_REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/mutmut run $(MUTANTS)
	$(VENV)/bin/mutmut results
