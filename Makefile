# Taller: `make run` to try it, `make test` to check it. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
# `make test` runs the suite on two processes (pytest-xdist; each has its own databases, Redis
# database and ports: see tests/conftest.py). `make test PYTEST_ARGS=` runs it in one process;
# `python -m pytest tests/...` alone is always one process.
PYTEST_ARGS ?= -n 2 --dist worksteal
PORT ?= 5000

.PHONY: run test lint i18n translations install install-dev bench clean

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d shop/translations

run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Taller is on http://$(HOST):$(PORT)  (demo payments and an e-mail outbox in instance/outbox)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Refresh the catalogues after adding or changing user-facing strings, then translate the new
# Spanish entries in shop/translations/es/LC_MESSAGES/messages.po (a test checks none is missing).
i18n: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o shop/translations/messages.pot --no-location --sort-output --width 100 .
	$(BIN)/pybabel update -i shop/translations/messages.pot -d shop/translations --no-fuzzy-matching --ignore-obsolete --width 100

bench: install-dev translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# 1, 2 and 4 gunicorn workers on PostgreSQL + Redis, and the checkout figure (see bench/scaleout.py;
# BENCH_DATABASE_URL's schema is dropped and rebuilt, BENCH_REDIS_URL's database flushed).
.PHONY: bench-scaleout
bench-scaleout: install-dev translations
	$(BIN)/python -m bench.scaleout $(BENCH_ARGS)
