# Everything creates .venv and installs the pinned requirements first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt functions/requirements.txt functions/layers/*.txt | sha256sum | cut -c1-12)
STACK  ?= dev
# Two workers; the 10 slowest tests printed at the end.
PYTEST_ARGS ?= -n 2 --durations=10

.PHONY: install system-deps test test-unit fuzz preview-offline local wheel clean

$(STAMP): requirements.txt requirements-dev.txt functions/requirements.txt $(wildcard functions/layers/*.txt)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Debian's packages the tests use, installed here when missing (as root; otherwise the command is printed):
# Chromium for the browser tests (no browser downloads) and the cache server of local mode, Valkey where
# Debian has it, else Redis.
system-deps:
	@browser=; cache=; \
	command -v chromium >/dev/null 2>&1 || browser=chromium; \
	command -v valkey-server >/dev/null 2>&1 || command -v redis-server >/dev/null 2>&1 || cache=1; \
	if [ -n "$$browser$$cache" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "missing: sudo apt-get install $$browser$${cache:+ valkey-server (or redis-server)}" >&2; exit 1; fi; \
	  apt-get update -qq; \
	  [ -z "$$cache" ] || cache=$$(apt-cache show valkey-server >/dev/null 2>&1 && echo valkey-server || echo redis-server); \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$browser $$cache >/dev/null; fi

test: install system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	node --test tests/site/

test-unit: install
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

# The fuzzing of every API for longer than `make test` does (5 s per operation instead of 1).
fuzz: install system-deps
	MULTITIER_FUZZ_SECONDS=$${MULTITIER_FUZZ_SECONDS:-5} $(BIN)/python -m pytest tests/local/test_fuzz.py

preview-offline: install
	$(BIN)/python -m local preview --stack $(STACK)

local: install
	$(BIN)/python -m local up --stack $(STACK)

# The components as a package: dist/pulumi_serverless_multitier-<version>-py3-none-any.whl
wheel: install
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation -w dist .

clean:
	rm -rf .build .pytest_cache dist
