# Two commands for a fresh machine with Python 3.11 and make: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test lint fmt serve setup system-deps clean messages bench

# uv lives in its own small virtualenv so that `uv sync` never uninstalls itself from .venv.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON) --quiet
	@touch $@

setup: $(VENV)/.synced messages

# Translations are compiled from the committed .po files with Babel (pure Python, no GNU gettext needed).
messages: $(VENV)/.synced
	@$(BIN)/python -m cakupan.core.i18n_compile

# Demo mode: the public demo key may sign sessions when CAKUPAN_SECRET_KEY is unset (a deployment sets it;
# `cakupan serve` refuses the demo key outside demo mode).
demo serve: export CAKUPAN_DEMO = 1

demo: setup
	$(BIN)/cakupan migrate --noinput
	$(BIN)/cakupan regions load
	$(BIN)/cakupan demo load
	$(BIN)/cakupan collectstatic --noinput --verbosity 0
	$(BIN)/cakupan serve --host 127.0.0.1 --port 8000

serve: setup
	$(BIN)/cakupan serve --host 127.0.0.1 --port 8000

# Debian packages the suite uses: chromium (browser tests), LibreOffice Calc (rosters written by real
# spreadsheet software), poppler-utils (PDFs read back as text), Pango (WeasyPrint). Installed when missing
# and we are root; otherwise the tests that need them say so and skip (CI=true makes them fail instead).
SYSTEM_PACKAGES := chromium libreoffice-calc-nogui poppler-utils libpango-1.0-0 libpangoft2-1.0-0
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing: $$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "could not install $$missing: the tests that need them will skip"; \
	  else echo "missing Debian packages ($$missing): the tests that need them will skip"; fi; fi

test: setup system-deps
	$(BIN)/cakupan makemigrations --check --dry-run
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/ruff format --check src tests bench conftest.py
	$(BIN)/mypy

# The benchmarks (billing, rosters, coverage, compliance; bench/__main__.py). PostgreSQL from DATABASE_URL, default
# the test database; each benchmark makes and drops a database of its own. Then the national data set (kept in
# bench_national, built once), the page benchmark at 50,000 and 10 M persons, and the 200-user load test.
bench: setup
	$(BIN)/python -m bench

fmt: setup
	$(BIN)/ruff format src tests bench conftest.py
	$(BIN)/ruff check --fix src tests bench conftest.py

clean:
	rm -rf $(VENV) $(TOOLS) var/*.sqlite3 staticfiles
