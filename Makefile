# The README's two commands: `make run` and `make test`; `make run PORT=8001` serves elsewhere.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
# make run serves the app for trying it out: debug on, SQLite unless DATABASE_URL says otherwise.
DEV_ENV = DJANGO_DEBUG=1
# What WeasyPrint (PDF letters, Lampiran D) and the browser tests need from Debian.
SYSTEM_PACKAGES = libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 chromium
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PORT ?= 8000

.PHONY: run serve test setup system-packages lint test-sqlite test-postgres clean

run: setup
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_reference_data
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(MAKE) --no-print-directory serve

# The development server and one task worker beside it: Ctrl-C stops both, and so does the end
# of the server. Neither reloads on code changes (a reload would cut a running job, and the
# server's reloading child could outlive the Ctrl-C): stop and start again after editing code.
serve:
	@trap 'kill -TERM $$server $$worker 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	$(DEV_ENV) $(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT) & server=$$!; \
	wait $$server

test: setup lint test-sqlite test-postgres

setup: system-packages $(BIN)/.installed

# Installs the Debian packages only when run as root on a machine with apt and only those missing.
system-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi; \
	fi

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q '.[dev]'
	@rm -rf build *.egg-info
	touch $@

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py check --fail-level WARNING
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

test-sqlite:
	env -u DATABASE_URL $(BIN)/pytest

# Runs the suite again on PostgreSQL: in CI, when DATABASE_URL is set, or when one answers locally.
test-postgres:
	@if [ -n "$$DATABASE_URL" ]; then \
	  $(BIN)/pytest; \
	elif $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest; \
	elif [ -n "$$CI" ]; then \
	  echo "CI needs PostgreSQL: set DATABASE_URL or start one on 127.0.0.1:5432"; exit 1; \
	else \
	  echo "PostgreSQL not found: the suite ran on SQLite only."; \
	fi

clean:
	rm -rf $(VENV) db.sqlite3 build *.egg-info
