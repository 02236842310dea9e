# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install lock lint run test test-fast fuzz bench maps sample validate browser-deps i18n \
	postgres-deps pdf-deps clean

install: $(STAMP)

# Re-install when the lock or the project metadata change. requirements.lock holds every
# package at one exact version (made by `make lock`); the project itself goes in editable.
$(STAMP): pyproject.toml setup.py requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test,bench,build,lint]"
	touch $(STAMP)

# Re-resolve requirements.lock from pyproject.toml (after changing a dependency or a floor).
lock: install
	$(BIN)/python -m pip install --quiet "uv>=0.9"
	$(BIN)/uv pip compile pyproject.toml --extra test --extra bench --extra build --extra lint \
	  --python-version 3.11 --custom-compile-command "make lock" -o requirements.lock

# Starts the dashboard on http://127.0.0.1:8501. An empty store (./coalition.db) is loaded with the
# sample city first, and `init` says so; an existing store is left as it is.
run: install
	$(BIN)/coalition init --if-empty
	$(BIN)/coalition serve

# Debian's Chromium drives the browser tests (never a browser download).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium); }

# Debian's poppler-utils (pdftoppm): tests/test_brief.py draws the commission brief's pages to PNG.
pdf-deps:
	@command -v pdftoppm >/dev/null 2>&1 || { \
	  echo "Installing Debian poppler-utils for the brief's tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils) \
	  || (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils); }

# Debian's PostgreSQL server programs: the store tests run on PostgreSQL too, on a throwaway server
# that tests/conftest.py starts from them (as the postgres user, on a free port of 127.0.0.1) unless
# COALITION_TEST_POSTGRES names a server (a URL of a role that may CREATE DATABASE).
postgres-deps:
	@test -n "$$COALITION_TEST_POSTGRES" || command -v initdb >/dev/null 2>&1 \
	  || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian postgresql for the store tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) \
	  || (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql); }

# ruff (lint and format) over the project, mypy over the package (settings in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install browser-deps postgres-deps pdf-deps lint
	$(BIN)/python -m pytest

# The strings marked for translation that the Spanish catalogue lacks, as .po entries to paste
# into coalition/locale/es/LC_MESSAGES/<area>.po and translate; then every catalogue problem.
i18n: install
	$(BIN)/python -c "from coalition import i18n; print(i18n.missing_entries('es'), end='')"
	$(BIN)/python -c "from coalition import i18n; print(*i18n.catalogue_problems('es'), sep='\\n')"

test-fast: install
	$(BIN)/python -m pytest -m "not browser"

# Mutation fuzzing of city folders: 10,000 cases shared by one worker per core (fixed seeds);
# prints cases, crashes and partial loads, and exits 1 on any crash or partial load.
fuzz: install
	$(BIN)/python -m tests.fuzz_ingest --cases 10000

bench: install browser-deps
	$(BIN)/python -m benchmarks.run

maps: install
	$(BIN)/coalition maps

# Rebuilds data/hartford/ from the raw public files in data/hartford/raw/.
sample: install
	$(BIN)/python scripts/build_hartford_sample.py

validate: install
	$(BIN)/coalition validate data/hartford

clean:
	rm -rf $(VENV) coalition.db coalition.db-* .pytest_cache
