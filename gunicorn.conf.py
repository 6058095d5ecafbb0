"""Gunicorn settings for the portal (Dockerfile, docker-compose web, bench/).

Every value can be overridden from the environment, so one file serves the container,
a bare host and the benchmarks.
"""

import os

# Workers: measured with bench/gunicorn_workers.py (see bench/README.md), MEASURED_ON.
# MEASUREMENT_SUMMARY
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
