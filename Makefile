# town311: `make run` serves the demo town, `make test` runs the suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/town311_test
HOST ?= 127.0.0.1
PORT ?= 8000
BENCH_REQUESTS ?= 1000000
BENCH_DATABASES ?= postgresql sqlite
POSTGRES_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/town311_bench
SQLITE_BENCH_URL ?= sqlite:///$(CURDIR)/.bench/town311-bench.sqlite3

.PHONY: install run demo test test-postgres lint format migrations-check ci clean bench

install: $(STAMP)

$(STAMP): pyproject.toml package.json package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "town311 needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@command -v npm >/dev/null || { echo "town311 needs Node.js with npm for its browser libraries (Leaflet, htmx)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo_town --if-empty
	@# The worker sends e-mail from the outbox; it stops when the server does.
	$(BIN)/python manage.py db_worker --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest

test-postgres: install
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

ci: lint migrations-check test test-postgres

# Times the metrics on a generated town (kept in .bench/ and town311_bench
# between runs); see docs/benchmarks.md.
bench: install
	@mkdir -p .bench
	@for database in $(BENCH_DATABASES); do \
		case $$database in \
			postgresql) url='$(POSTGRES_BENCH_URL)' ;; \
			sqlite) url='$(SQLITE_BENCH_URL)' ;; \
			*) echo "BENCH_DATABASES takes postgresql and sqlite, not $$database"; exit 2 ;; \
		esac; \
		DATABASE_URL=$$url $(BIN)/python manage.py bench --requests $(BENCH_REQUESTS) --api || exit 1; \
	done

clean:
	rm -rf $(VENV) staticfiles
