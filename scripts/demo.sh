#!/usr/bin/env bash
# Set up and start the portal with demo data on the embedded default: SQLite file,
# tasks run in-process, e-mail printed to the console. Usage: scripts/demo.sh [--suppliers N]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh base
unset DATABASE_URL REDIS_URL
export DJANGO_DEBUG=true
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo --if-empty "$@"
host="${PORTAL_HOST:-127.0.0.1}"; port="${PORTAL_PORT:-8000}"
echo
echo "Portal:    http://$host:$port/"
echo "API docs:  http://$host:$port/api/docs/"
.venv/bin/python manage.py seed_demo --print-logins
echo
exec .venv/bin/python manage.py runserver "$host:$port"
