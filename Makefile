# The two commands a newcomer needs:
#   make run    set everything up (virtualenv, dependencies, database) and run the bot
#   make test   set everything up and run the whole test suite (lint, types, migrations, tests)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CANDOR_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export CANDOR_TEST_POSTGRES_URL

# The time-sensitive tests run twice more with the process clock shifted (time-machine, ticking) to moments
# just before a daylight-saving change: one before the dates the tests simulate (New York springs forward on
# 2026-03-08 at 07:00 UTC) and one long after them (Europe springs forward on 2027-03-28 at 01:00 UTC). A
# test that mixes a simulated date with the wall clock fails there. SQLite only: the shift is in Python's
# clock, which both databases see the same way.
SHIFTED_CLOCKS ?= 2026-03-08T06:59:30+00:00 2027-03-28T00:59:30+00:00

.PHONY: run test lint typecheck migrations-check pytest pytest-shifted bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Candor needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/candor run

test: lint typecheck migrations-check pytest pytest-shifted

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

migrations-check: $(STAMP)
	$(BIN)/python -m tests.migrations_check

# Tests marked `alone` hold the app to a real deadline under a load they make themselves; they run after the
# parallel run, one process, so the other workers' load cannot fail them.
pytest: $(STAMP)
	$(BIN)/python -m pytest -n 4 --dist loadgroup -q -m "not alone"
	$(BIN)/python -m pytest -q -p no:cacheprovider -m alone

pytest-shifted: $(STAMP)
	@for at in $(SHIFTED_CLOCKS); do \
		echo "time-sensitive tests with the process clock at $$at"; \
		$(BIN)/python -m pytest -n 4 --dist loadgroup -q -p no:cacheprovider -m "time_sensitive and not slow and not alone" \
			-k "not postgres" --clock-at "$$at" || exit 1; \
		$(BIN)/python -m pytest -q -p no:cacheprovider -m "time_sensitive and not slow and alone" \
			-k "not postgres" --clock-at "$$at" || exit 1; \
	done

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
