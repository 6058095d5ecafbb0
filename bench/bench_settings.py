"""Settings for benchmark runs only: the portal's own settings plus a floor view.

bench/ starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.bench_settings``; nothing in
the portal itself knows about the floor view.
"""

import os

from procurement_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
# Collected static files go outside the working tree.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/portal-bench-static")
