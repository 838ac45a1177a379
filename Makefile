# Lotsenportal: `make run` sets everything up and serves on http://127.0.0.1:8000, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UV := $(VENV)/bin/uv
# uv installs exactly uv.lock into .venv (never a newer release from the registry); --inexact keeps uv itself.
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: lock lock-check run test lint beat format bench bench-seed bench-claims bench-certificates bench-statements bench-reports bench-load prod-local prod-local-stop drills messages compilemessages migrate seed worker clean browsers

# uv itself, pinned with hashes; the rest comes from uv.lock.
$(UV): uv-bootstrap.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r uv-bootstrap.txt
	touch $(UV)

$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --inexact --quiet --python $(PY)
	touch $(STAMP)

# Refresh uv.lock on purpose (e.g. after editing pyproject.toml); `make lock ARGS="--upgrade-package django"`
# upgrades one dependency, `make lock ARGS=--upgrade` all of them. Commit uv.lock with the change.
# (Needs only uv, not the installed environment, which the outdated lock would refuse to build.)
lock: $(UV)
	$(UV) lock $(ARGS)

# Fails when pyproject.toml and uv.lock disagree (part of `make test`).
lock-check: $(UV)
	$(UV) lock --check

compilemessages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v0

messages: $(STAMP)
	$(PY) manage.py makemessages -l de -l en --ignore=.venv --ignore=tests --ignore=staticfiles --no-obsolete -v0
	$(PY) manage.py makemessages -d djangojs -l de -l en --ignore=.venv --ignore=staticfiles --ignore=static/vendor -v0

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

run: $(STAMP) compilemessages migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: $(STAMP)
	$(VENV)/bin/celery -A portal worker --loglevel=INFO --concurrency=2

# Periodic tasks (CELERY_BEAT_SCHEDULE): one scheduler next to the worker(s).
beat: $(STAMP)
	$(VENV)/bin/celery -A portal beat --loglevel=INFO --schedule=/tmp/lotsenportal-celerybeat-schedule

browsers:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium not installed: browser tests will be skipped (they run in CI)"

test: lock-check lint $(STAMP) compilemessages browsers
	$(PY) manage.py makemigrations --check --dry-run --settings=portal.test_settings
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every benchmark prints its figures as lines `BENCH <name> <value> <unit>`.
bench: bench-seed bench-claims bench-certificates bench-statements bench-reports

bench-seed: $(STAMP)
	$(PY) benchmarks/bench_seed.py

# The claim queue, the pay page and a payout batch with 1 and 500 claims (issue #12).
bench-claims: $(STAMP) compilemessages
	$(PY) benchmarks/bench_claims.py

# Added by the certificates and reports issues; until their scripts exist the targets say so.
bench-certificates: $(STAMP) compilemessages
	@if [ -f benchmarks/bench_certificates.py ]; then $(PY) benchmarks/bench_certificates.py; \
	else echo "benchmarks/bench_certificates.py not there yet"; fi

bench-statements: $(STAMP) compilemessages
	$(PY) benchmarks/bench_statements.py

bench-reports: $(STAMP) compilemessages
	@if [ -f benchmarks/bench_reports.py ]; then $(PY) benchmarks/bench_reports.py; \
	else echo "benchmarks/bench_reports.py not there yet"; fi

# What docker-compose.yml starts (nginx, gunicorn, Celery worker and beat, PostgreSQL 15, Redis), on this machine
# without Docker, parsed from the compose file (benchmarks/prodlocal.py; README "Production shape on this machine").
# Own PostgreSQL (5433) and Redis (6380) with their data in PROD_LOCAL_DIR (/var/tmp/lotsenportal-prod); Ctrl-C stops.
prod-local: $(STAMP) compilemessages
	$(PY) benchmarks/prodlocal.py up

prod-local-stop: $(STAMP)
	$(PY) benchmarks/prodlocal.py stop

# 100 Lotsen and 10 coordinators for LOAD_MINUTES (3) against prod-local, then the saturation ratio.
bench-load: $(STAMP) compilemessages
	$(PY) benchmarks/bench_load.py

# Redis stopped for 30 s, PostgreSQL restarted, a worker killed, under light load against prod-local.
drills: $(STAMP) compilemessages
	$(PY) benchmarks/drills.py

clean:
	rm -rf $(VENV) staticfiles .test-media db.sqlite3
