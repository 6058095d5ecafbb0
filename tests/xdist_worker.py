"""Gives each pytest-xdist worker its own Redis database and media folder.

Loaded with ``-p tests.xdist_worker`` (scripts/test.sh does), so that it is imported before
pytest-django sets Django up (in ``pytest_load_initial_conftests``, before any conftest):
the settings read ``REDIS_URL`` and ``DJANGO_MEDIA_ROOT`` once, at import. Without xdist
(or with ``-n 0``) it changes nothing. (Not in pyproject's addopts: ``.venv/bin/pytest``,
unlike ``python -m pytest``, does not have the checkout on sys.path that early; a worker
without it stops at once, see ``tests/conftest.py:pytest_configure``.)

What else each worker has of its own, without help from here:
- the test database: pytest-django names it ``test_<name>_gw0``, ``test_<name>_gw1``...,
  and the real Celery workers and the lock-holding connections of the tests take its
  name from the open connection (``tests/services.py:_database_url_for_subprocess``);
- ports: the live server, the SMTP sinks and gunicorn bind free ports the system gives;
- files: ``tmp_path`` is under a base folder per worker; Chromium is one per worker.

The Redis database: every test clears the cache, which is the whole database, and the
real Celery workers' broker lives there too, so two workers cannot share one. Worker
``gwN`` uses database ``(base + 1 + N) % 16``, where base is the number REDIS_URL names
(0 if none): base 2 gives 3 and 4 to two workers, base 15 gives 0 and 1, base 0 gives 1
and 2. The base itself is never used by a worker, so a run that uses it (a developer's
portal, another run) is not flushed; at most 15 workers fit.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16


def worker_index() -> int | None:
    """0 for gw0, 1 for gw1...; None outside an xdist worker."""
    match = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
    return int(match.group(1)) if match else None


def redis_url_for_worker(url: str, index: int) -> str:
    """The URL with its database number moved to the worker's own (see the docstring)."""
    if index >= REDIS_DATABASES - 1:
        raise RuntimeError(f"at most {REDIS_DATABASES - 1} xdist workers fit in Redis")
    parts = urlsplit(url)
    path = parts.path.strip("/")
    base = int(path) if path.isdigit() else 0
    number = (base + 1 + index) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{number}"))


def _isolate(index: int) -> None:
    worker = f"gw{index}"
    for name in ("REDIS_URL", "OUTBOX_RATE_LIMIT_REDIS_URL"):
        if os.environ.get(name):
            os.environ[name] = redis_url_for_worker(os.environ[name], index)
    root = Path(__file__).resolve().parent.parent
    media = Path(os.environ.get("DJANGO_MEDIA_ROOT") or root / "media")
    os.environ["DJANGO_MEDIA_ROOT"] = str(media / f"xdist-{worker}")
    os.environ["PORTAL_XDIST_ISOLATED"] = worker


_index = worker_index()
if _index is not None and os.environ.get("PORTAL_XDIST_ISOLATED") != f"gw{_index}":
    _isolate(_index)
