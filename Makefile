# Everything creates .venv and installs the pinned requirements first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt functions/requirements.txt | sha256sum | cut -c1-12)
STACK  ?= dev
PYTEST_ARGS ?=

.PHONY: install test test-unit preview-offline local clean

$(STAMP): requirements.txt requirements-dev.txt functions/requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

test: install
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
