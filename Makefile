# One command each: `make demo` (install + run the demo on SQLite), `make test` (install + lint + tests),
# `make lint` (ruff + strict mypy).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/journey demo

# Debian packages the tests use (headless Chromium for the dashboard test). Installed only as root or on
# CI (CI=true, see .ci/run); otherwise nothing is installed and the browser test skips without chromium.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] || [ "$$CI" = true ]; } || { echo "chromium not found: the browser test will skip (install chromium, or run as root or with CI=true)"; exit 0; }; \
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# ruff on the code, tests and benchmarks; mypy --strict on journey/ (configured in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check journey tests benchmarks
	$(BIN)/mypy

test: lint system-deps
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
