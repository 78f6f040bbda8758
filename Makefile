# Two commands on a fresh clone with only Python 3.11, make and git: `make run`, `make test`.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
# Reinstall only when pyproject.toml changes: its content hash names the stamp.
DEPS_KEY := $(shell git hash-object pyproject.toml 2>/dev/null || cksum < pyproject.toml | cut -d' ' -f1)
INSTALLED := .stamp-install-$(DEPS_KEY)
INSTALLED_TEST := .stamp-install-test-$(DEPS_KEY)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install install-test run test lint bench messages clean

help:
	@echo "make run       install, migrate, load the demo park, serve http://127.0.0.1:8000/"
	@echo "make test      install what the tests need and run them (PYTEST_ARGS=... to pass options)"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make bench     benchmarks: pages, page throughput, web checkout, ticket API, reports, memory (bench-results/)"
	@echo "make messages  refresh the Chinese message catalog and compile it"
	@echo "make clean     remove the virtual environment, caches and generated files"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install it or pass PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	rm -f .stamp-install-*
	touch $@

$(INSTALLED_TEST): $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	rm -f .stamp-install-*
	touch $@ $(INSTALLED)

install: $(INSTALLED)

install-test: $(INSTALLED_TEST)

run: $(INSTALLED)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@echo "Starting the task worker (emails, hold expiry, periodic jobs) and the web server."
	@$(BIN)/celery -A config worker --beat --pool=solo --loglevel=INFO & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Browser tests run one process each (see tests/run_browser_tests.py).
test: $(INSTALLED_TEST)
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)
	$(BIN)/python tests/run_browser_tests.py $(PYTEST_ARGS)

lint: $(INSTALLED_TEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The nursery, workforce and tickets benchmarks need PostgreSQL (BENCH_DATABASE_URL).
bench: $(INSTALLED)
	@# Every benchmark runs and prints its figures; make fails at the end if any missed its goal.
	@status=0; for name in pages page_throughput checkout tickets nursery workforce memory; do \
		echo "==> benchmarks/$$name.py"; $(BIN)/python benchmarks/$$name.py || status=1; \
	done; exit $$status

# makemessages needs GNU gettext (Debian: apt-get install gettext).
messages: $(INSTALLED)
	@command -v xgettext >/dev/null || { echo "install GNU gettext (apt-get install gettext) to extract messages" >&2; exit 1; }
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete \
		--ignore=.venv --ignore=node_modules --ignore=media --ignore=staticfiles \
		--ignore=tests --ignore=benchmarks
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) .stamp-install-* staticfiles bench-results test-results .ruff_cache .pytest_cache
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
