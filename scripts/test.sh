#!/usr/bin/env bash
# Set up and run every check and test. Uses PostgreSQL and Redis when DATABASE_URL /
# REDIS_URL are set (CI sets both), SQLite and in-process tasks otherwise.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/suppliers -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> django checks"
.venv/bin/python manage.py check --fail-level WARNING
.venv/bin/python manage.py makemigrations --check --dry-run
echo "==> bandit"
# Fails on medium or high severity at any confidence: those are the injection, unsafe
# deserialisation, shell, weak-crypto and TLS findings, and the SQL-injection check (B608)
# reports SQL built from strings at low confidence, so a confidence floor would hide it.
# Low-severity findings (subprocess imports, assert, non-crypto random) are ruff's S rules'
# business, already answered line by line with noqa. Accept a finding only with
# `# nosec BXXX  # why` on its line.
# (bandit warns "nosec encountered ... but no failed test" for every other node on a nosec
# line, e.g. each part of an f-string: noise, filtered out)
.venv/bin/bandit --configfile pyproject.toml --recursive --quiet \
  --severity-level medium --confidence-level all \
  procurement_portal suppliers assessments declarations dissemination visits reports \
  2> >(grep -v "nosec encountered" >&2)
# On PostgreSQL the tests run in PYTEST_WORKERS (default 2) pytest-xdist processes, a test
# file at a time each (--dist loadfile: a file's module fixtures, such as the gunicorn
# server or the generated API client, start once), the files with browser and worker tests
# first (tests/conftest.py orders them). Each worker has its own test database, Redis
# database and media folder (tests/xdist_worker.py). On SQLite, and with PYTEST_WORKERS=0
# or arguments that choose for themselves (-n, -p no:xdist, --pdb), they run in this process.
parallel=()
workers="${PYTEST_WORKERS:-2}"
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://* | pgsql://*) ;;
  *) workers="${PYTEST_WORKERS:-0}" ;;
esac
for arg in "$@"; do
  case "$arg" in
    -n | -n* | --numprocesses* | no:xdist | -pno:xdist | --pdb) workers=0 ;;
  esac
done
if [ "$workers" != 0 ]; then
  parallel=(-p tests.xdist_worker -n "$workers" --dist loadfile --no-loadscope-reorder)
fi
echo "==> pytest (database: ${DATABASE_URL:-sqlite}, broker: ${REDIS_URL:-in-process}," \
  "xdist workers: $workers)"
# The slowest tests are named at the end, to keep the suite's time in view.
.venv/bin/python -m pytest "${parallel[@]}" --durations=25 "$@"
# After the tests, so that a vulnerability service that cannot be reached (which fails the
# run where the audit is required) does not also hide the test results.
echo "==> pip-audit (requirements/*.lock)"
.venv/bin/python scripts/audit_deps.py
