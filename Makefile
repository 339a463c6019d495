# Resolve: the README's commands. Each target sets up what it needs on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tests run against the real PostgreSQL on this machine.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/resolve
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/resolve_bench
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_WORKERS ?= 2

.PHONY: demo test lint typecheck migrations-check pytest lock clean check-services chromium venv bench assets screenshots

NODE_STAMP := node_modules/.installed

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	touch $(STAMP)

venv: $(STAMP)

# Front-end packages (GOV.UK Frontend; axe-core for the accessibility tests), pinned by the lock.
$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The stylesheet: GOV.UK Frontend's Sass compiled with the system font stack (frontend/).
CSS := static/build/resolve.css
$(CSS): $(NODE_STAMP) $(wildcard frontend/*.scss)
	mkdir -p static/build
	npx sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps \
	  frontend/resolve.scss $(CSS)

assets: $(CSS)

# Debian's chromium for the browser tests (never a browser downloaded by a test tool);
# tests/e2e drives it at /usr/bin/chromium.
chromium:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## make demo: the product with demo data at http://127.0.0.1:8000, with a Celery worker and beat
## (SQLite and the filesystem broker: no server needed)
demo: $(STAMP) $(CSS)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_policies
	$(BIN)/python manage.py seed_demo
	@echo "Resolve is at http://127.0.0.1:8000 with a worker and beat (Ctrl-C stops all three)"
	$(BIN)/python scripts/run_demo.py

## make test: lint, types, migrations check, and the whole suite on the real PostgreSQL
test: $(STAMP) $(CSS) chromium check-services lint typecheck migrations-check pytest

check-services:
	@$(BIN)/python scripts/check_services.py "$(TEST_DATABASE_URL)" "$(BENCH_DATABASE_URL)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

migrations-check: $(STAMP)
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py makemigrations --check --dry-run

# The browser journeys (tests/e2e) need the stylesheet, axe-core (node_modules) and chromium;
# under xdist each worker runs its own live server and its own chromium.
# Tasks queued by pages under test go to an in-memory broker, not the demo's var/broker; the
# worker tests start their own Celery workers on Redis (tests/notifications/conftest.py).
pytest: $(STAMP) $(CSS) chromium
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL=memory:// \
	  $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make screenshots: PNGs of the main pages into docs/screenshots/ (the demo data on a
## throwaway SQLite database, served on 127.0.0.1:8104, driven in Debian's chromium)
screenshots: $(STAMP) $(CSS) chromium
	@command -v pdftoppm >/dev/null || { \
	  echo "Installing Debian's poppler-utils (pdftoppm) for the pro forma pictures"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }
	$(BIN)/python scripts/screenshots.py

## make bench: the benchmarks, on the real PostgreSQL; figures to bench/results.json
bench: $(STAMP) $(NODE_STAMP) check-services
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --no-input -v0
	BENCH_COMMAND="make bench$(if $(BENCH), BENCH='$(BENCH)')" DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench $(BENCH)

## make lock: refresh requirements.lock from pyproject.toml
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) db.sqlite3

## make prod-smoke: two gunicorn web processes, two Celery workers and one beat with production
## settings on a fresh database (Redis db 12), their probes checked, a journey over HTTP (sign in,
## raise, escalate from both web processes at once, sweep, mail delivered once, PDF), then all
## stopped and dropped
.PHONY: prod-smoke
prod-smoke: $(STAMP) $(CSS)
	$(VENV)/bin/python scripts/prod_smoke.py
