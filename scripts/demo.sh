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
# --- base URL (tests/suppliers/test_demo.py runs this block)
# Links in e-mail point where this portal listens, unless PORTAL_BASE_URL says otherwise
# (an IPv6 address needs brackets in a URL; 0.0.0.0 listens everywhere, so name this host).
url_host="$host"
case "$url_host" in
  0.0.0.0) url_host=127.0.0.1 ;;
  ::|'[::]') url_host='[::1]' ;;
  \[*) ;;
  *:*) url_host="[$url_host]" ;;
esac
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://$url_host:$port}"
# --- end base URL
echo
echo "Portal:    $PORTAL_BASE_URL/"
echo "API docs:  $PORTAL_BASE_URL/api/docs/"
.venv/bin/python manage.py seed_demo --print-logins
echo
exec .venv/bin/python manage.py runserver "$host:$port"
