# One command each: `make demo` (install + run the demo on SQLite), `make test` (install + lint + tests),
# `make lint` (ruff + strict mypy).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint bench messages system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/journey demo

# Debian packages the tests use: headless Chromium for the browser tests, LibreOffice and poppler-utils to
# turn the Word documents into PDF pages and read them (Carlito has Calibri's metrics). Installed only as root
# or on CI (CI=true, see .ci/run); otherwise nothing is installed and those tests skip.
SYSTEM_PACKAGES = chromium libreoffice-writer-nogui poppler-utils fonts-crosextra-carlito
system-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	{ command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; } || missing="$$missing libreoffice"; \
	[ -z "$$missing" ] && exit 0; \
	{ [ "$$(id -u)" = 0 ] || [ "$$CI" = true ]; } || { echo "not found:$$missing: those tests will skip (run as root or with CI=true to install $(SYSTEM_PACKAGES))"; exit 0; }; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null

# ruff on the code, tests and benchmarks; mypy --strict on journey/ (configured in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check journey tests benchmarks
	$(BIN)/mypy

test: lint system-deps
	$(BIN)/python -m pytest -n 4 -q

# Translations (docs/translations.md): extract journey's and click's messages into journey/locale/messages.pot,
# merge them into the Swedish catalog, compile it. Then translate every new msgid in messages.po and run again.
CLICK_DIR = $(shell $(BIN)/python -c 'import click, os; print(os.path.dirname(click.__file__))')
messages: $(STAMP)
	PYTHONPATH=scripts $(BIN)/pybabel -q extract -F babel.cfg -k msg -k nmsg:1,2 --no-location --sort-output \
		--omit-header -o journey/locale/messages.pot journey $(CLICK_DIR)
	$(BIN)/pybabel -q update -i journey/locale/messages.pot -d journey/locale -l sv --no-fuzzy-matching --ignore-pot-creation-date \
		--ignore-obsolete
	$(BIN)/pybabel -q compile -d journey/locale

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
