# 先锋 Xianfeng — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# The suite runs on every core (pytest-xdist, one test database per worker); `make pytest XDIST=` runs it serially.
XDIST ?= -n auto --dist loadgroup

.PHONY: run test lint check pytest browser assets fonts bench clean

$(STAMP): requirements.lock requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt -c requirements.lock
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py generate_demo --scale county --seed 1 --if-empty
	$(BIN)/python manage.py demo_logins
	$(BIN)/python scripts/run_all.py $(HOST)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

check: $(STAMP)
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: $(STAMP)
	$(BIN)/pytest -q $(XDIST)

test: lint check pytest

browser: $(STAMP)
	$(BIN)/pytest -q -m browser browser_tests

# Front-end libraries from npm at pinned versions; the built files are committed under static/vendor.
assets:
	cd frontend && npm ci --no-audit --no-fund
	cd frontend && node copy-assets.mjs

# The two CJK fonts the PDFs ship (Noto CJK cut to GB 2312, from Debian's fonts-noto-cjk); committed.
fonts: $(STAMP)
	$(BIN)/python scripts/build_cjk_font.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
