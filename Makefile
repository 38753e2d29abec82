# Everything creates .venv and installs the pinned requirements first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt functions/requirements.txt functions/layers/*.txt | sha256sum | cut -c1-12)
STACK  ?= dev
PYTEST_ARGS ?=

.PHONY: install system-deps test test-unit preview-offline local clean

$(STAMP): requirements.txt requirements-dev.txt functions/requirements.txt $(wildcard functions/layers/*.txt)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# The browser test drives Debian's Chromium (no browser downloads); installed here when missing.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium" >&2; exit 1; fi; }

test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	node --test tests/site/

test-unit: install
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

preview-offline: install
	$(BIN)/python -m local preview --stack $(STACK)

local: install
	$(BIN)/python -m local up --stack $(STACK)

clean:
	rm -rf .build .pytest_cache
