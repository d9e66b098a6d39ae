# The README's commands. Only Python 3.11+ is needed: uv is bootstrapped into .tools/ if absent.
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
PYTEST_ARGS ?=

.PHONY: run test test-reliability bench lint sync token

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv>=0.5,<1"

# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (CI, containers) Python never caches
# what it compiles, and every process start compiled ~2,000 modules again (~5 s CPU an app).
.venv/.synced: uv.lock pyproject.toml Makefile | $(UV)
	$(UV) sync --frozen --all-packages --compile-bytecode
	@touch $@

sync: .venv/.synced

## Start everything: PostgreSQL (embedded unless DKBUZA_POSTGRES_URL), migrations, demo data,
## the five apps and their workers. Ctrl-C stops all of it.
run: sync
	$(UV) run --frozen --no-sync dkbuza run

## All tests (embedded PostgreSQL unless TEST_DATABASE_URL is set).
test: sync
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	$(UV) run --frozen --no-sync pytest $(PYTEST_ARGS)

test-reliability: sync
	$(UV) run --frozen --no-sync pytest tests/reliability $(PYTEST_ARGS)

## Benchmarks P1-P9 of quality.md and P10 (issue 19) as ratios (bench/results/latest.json, bench/README.md).
bench: sync
	$(UV) run --frozen --no-sync python bench/run.py

lint: sync
	$(UV) run --frozen --no-sync ruff check .

## make token ROLE=planning.reader ORG=dkbuza
token: sync
	@$(UV) run --frozen --no-sync dkbuza token --role $(or $(ROLE),planning.reader) --org $(or $(ORG),dkbuza)
