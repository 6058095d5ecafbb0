"""Gunicorn settings for the portal (Dockerfile, docker-compose web, bench/).

Every value can be overridden from the environment, so one file serves the container,
a bare host and the benchmarks.
"""

import os

# Workers: 3 by measurement (bench/gunicorn_workers.py, 2026-11-23, 2 cores, PostgreSQL on
# the same host, 50,000 suppliers, 8 clients on the same machine). Supplier list page,
# req/s and p95 ms over 2-4 runs each: sync 1: 29-32 / 288-384; sync 2: 57-66 / 139-213;
# sync 3: 60-67 / 149-177; sync 4: 59-61 / 165-171; sync 5: 53-58 / 198-267; gthread 2x4:
# 55-59 / 241-252. 2 and 3 tie (means 62.0 vs 62.1 req/s, p95 166 vs 164 ms); 3 wins the
# tie because a sync worker held by one slow request (export, PDF) then leaves two, not
# one, for everyone else; it costs ~90 MB. The CPU is the limit: 5 (2 x cores + 1) is
# slower. On other hardware, re-measure and set WEB_CONCURRENCY.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# A request that takes longer than this is killed and logged: the slowest page (an
# export, a PDF) must finish well inside it; bulk work runs as Celery tasks instead.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The default format plus the time taken, in microseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind the compose network or a proxy on the same host, trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# ...but the scheme (X-Forwarded-Proto and the like) only when a TLS proxy in front sets it,
# the same switch as Django's SECURE_PROXY_SSL_HEADER: otherwise a client that claims
# HTTPS over plain HTTP would get HSTS and Secure cookies' trust.
if os.environ.get("DJANGO_BEHIND_TLS_PROXY", "").strip().lower() not in {"1", "true", "yes", "on"}:
    secure_scheme_headers = {}


def post_worker_init(worker):
    """Freeze the objects the worker has after loading the app (modules, settings, URLs).

    Python's full garbage collections then skip them. Measured 2026-11-23 (bench, 50,000
    suppliers): the API list at page size 200 went from p95 107-118 ms to 65 ms, the
    median unchanged (37 ms); without it one request in 16 paid a ~90 ms collection.
    """
    import gc

    gc.freeze()


def _without_server_header() -> None:
    """Send no ``Server: gunicorn`` header: it tells a scanner which server (and which of
    its known flaws) to try, and nobody else needs it. gunicorn has no setting for it and
    adds it after the application, so no WSGI wrapper can remove it: its response's
    default headers are filtered here, in the master, before the workers fork.
    tests/test_gunicorn.py starts gunicorn with this file and reads a response."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response.default_headers, "portal_without_server", False):
        return
    default_headers = wsgi.Response.default_headers

    def default_headers_without_server(self):
        return [h for h in default_headers(self) if not h.lower().startswith("server:")]

    default_headers_without_server.portal_without_server = True
    wsgi.Response.default_headers = default_headers_without_server


_without_server_header()
