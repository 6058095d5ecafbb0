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
echo "==> pytest (database: ${DATABASE_URL:-sqlite}, broker: ${REDIS_URL:-in-process})"
.venv/bin/python -m pytest "$@"
