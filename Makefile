# Two commands for a newcomer: `make run` and `make test`. Each installs what is
# missing (a .venv from pyproject.toml, node_modules from package-lock.json) first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

PEERS_STAMP := bench/peers/node_modules/.installed
MORPHO_STAMP := bench/peers/morpho/node_modules/.installed
AUDIT_STAMP := .venv-audit/.installed

.PHONY: install run test lint static-checks audit mutation compile node bench snapshot clean browser screenshots

install: $(VENV_STAMP) $(NODE_STAMP)

$(VENV_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# No package's install scripts run: anvil and forge are found in their platform packages,
# and swagger-ui-dist's telemetry (scarf) has no business on a bank's machine.
$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	$(PYTHON) scripts/vendor_assets.py
	touch $@

run: install
	$(BIN)/ipledger demo

# Test workers: three on these 2-core machines (each brings up its own eth-tester and
# anvil): the tests wait on anvil, subprocesses and sockets part of the time, and a third
# worker fills those waits (measured: pytest 4:59 with 3, 5:09 with 2).
WORKERS ?= 3
PYTEST := $(BIN)/python -m pytest -n $(WORKERS) --maxprocesses=4 --dist loadgroup

# make audit's checks (Slither; the state machines at 200 examples) and every other test,
# in one pytest run: the long state machines start first and the rest fill the other
# worker around them (measured: ~30 s less than two runs back to back).
# Lint (mypy is single-threaded, and slow on a fresh clone's empty cache) runs beside the
# static checks rather than before them.
test: install $(AUDIT_STAMP) browser
	$(MAKE) --no-print-directory -j2 lint static-checks
	HYPOTHESIS_PROFILE=audit $(PYTEST)

static-checks: install $(AUDIT_STAMP)
	scripts/static-checks

# The browser tests drive Debian's Chromium (Playwright's own download cannot reach its
# host from these machines): installed from the distribution when it is missing.
browser:
	@command -v chromium >/dev/null || test -n "$$IPLEDGER_CHROMIUM" || { \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || \
	  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; }

# The README's pictures of the pages, taken by the browser tests on a populated anvil.
screenshots: install browser
	IPLEDGER_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q \
	  tests/web/test_browser.py -k every_page

lint: install
	$(BIN)/ruff check src tests bench $(wildcard scripts/*.py)
	$(BIN)/ruff format --check src tests bench $(wildcard scripts/*.py)
	$(BIN)/mypy --strict src

$(PEERS_STAMP): bench/peers/package-lock.json
	npm ci --prefix bench/peers --no-audit --no-fund --ignore-scripts
	touch $@

# Morpho Blue pins another solc (0.8.19): a node_modules of its own. Its package scripts
# (husky, forge install) are for its developers; nothing of them is needed here.
$(MORPHO_STAMP): bench/peers/morpho/package-lock.json
	npm ci --prefix bench/peers/morpho --no-audit --no-fund --ignore-scripts
	touch $@

# Slither pins web3 7; it gets a virtualenv of its own so ipledger keeps web3 8.
$(AUDIT_STAMP):
	test -x .venv-audit/bin/python || $(PYTHON) -m venv .venv-audit
	.venv-audit/bin/python -m pip install --quiet slither-analyzer==0.11.6
	touch $@

# Slither, forge's fuzz and invariant tests of the loan book (tests/forge/), then the hypothesis state machines (token, valuation registry) at 200
# examples each on both backends.
audit: install $(AUDIT_STAMP)
	scripts/static-checks
	HYPOTHESIS_PROFILE=audit $(PYTEST) -q -m stateful

# Mutation testing of the modules whose bugs lose data or money (pyproject [tool.mutmut]);
# long (hours for all of them on 2 cores), so not part of make test. MUTANTS picks some
# (e.g. MUTANTS='ipledger.mirror.settle*'); an interrupted run resumes. Scores per module
# go to bench/mutation.json (read in bench/MUTATION.md), with each equivalent mutant's
# reason; `scripts/mutation_report.py --survivors` lists what lived.
mutation: install
	IPLEDGER_PROJECT=$(CURDIR) $(BIN)/mutmut run $(MUTANTS) --max-children $(or $(MUTATION_WORKERS),3)
	$(BIN)/python scripts/mutation_report.py

bench: install $(PEERS_STAMP) $(MORPHO_STAMP)
	$(BIN)/python -m bench.run

snapshot: install
	$(BIN)/python -m bench.snapshot --update

compile: install
	$(BIN)/ipledger compile

node: install
	$(BIN)/ipledger node

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache mutants
