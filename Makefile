# Two commands for a fresh machine with Python 3.11 and make: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test lint fmt serve setup browser-deps clean messages

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

demo: setup
	$(BIN)/cakupan migrate --noinput
	$(BIN)/cakupan regions load
	$(BIN)/cakupan demo load
	$(BIN)/cakupan collectstatic --noinput --verbosity 0
	$(BIN)/cakupan serve --host 127.0.0.1 --port 8000

serve: setup
	$(BIN)/cakupan serve --host 127.0.0.1 --port 8000

# Browser tests need Debian's chromium; install it when it is missing (root on CI and dev machines).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium not found and cannot be installed here: browser tests will be skipped"; fi; }

test: setup browser-deps
	$(BIN)/cakupan makemigrations --check --dry-run
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

fmt: setup
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) $(TOOLS) var/*.sqlite3 staticfiles
