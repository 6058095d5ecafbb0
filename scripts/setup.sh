#!/usr/bin/env bash
# Set up everything the portal needs in this checkout: a virtual environment with the
# locked Python packages, the front-end libraries from the npm lock file (served by the
# portal itself), and the compiled translations. Safe to run again; it only redoes
# what changed. Usage: scripts/setup.sh [base|test]
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-base}"

PYTHON="${PYTHON:-python3}"
"$PYTHON" - <<'PY' || { echo "Python 3.11 or newer is needed (set PYTHON=...)." >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
lock="requirements/${profile}.lock"
stamp=".venv/.installed-${profile}"
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  echo "==> installing Python packages from $lock"
  # (this machine's pip config adds local indexes that may be absent: hide that noise)
  { .venv/bin/python -m pip install --quiet --upgrade pip \
      && .venv/bin/python -m pip install --quiet -r "$lock"; } 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; }
  touch "$stamp"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "Node.js (npm) is needed for the front-end libraries." >&2; exit 1; }
  echo "==> installing front-end libraries from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
# Chart.js with its source map (the file names it, and collectstatic checks the reference)
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
  static/vendor/

echo "==> compiling translations"
.venv/bin/pybabel compile --domain=django --directory=locale --statistics 2>&1 \
  | grep -v '^compiling' || true
if compgen -G "locale/*/LC_MESSAGES/djangojs.po" >/dev/null; then
  .venv/bin/pybabel compile --domain=djangojs --directory=locale >/dev/null
fi
