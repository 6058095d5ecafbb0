"""Server-Timing header: server time and query count of each response.

Every response gets ``Server-Timing: app;dur=<ms>, db;dur=<ms>;desc="<n> queries"``.
``app`` is the whole time spent below this middleware (it is first in MIDDLEWARE, so that
is the view, the other middleware, template rendering and the session save); ``db`` is the
part of it spent executing SQL. Browsers' developer tools show the header, and the
benchmarks in bench/ read it.

Queries are counted with ``connection.execute_wrapper``, which sees every query the
backend runs, with DEBUG on or off, without keeping the SQL text: the overhead is one
``perf_counter`` pair per query. ``settings.SERVER_TIMING`` switches it off.
"""

from __future__ import annotations

from contextlib import ExitStack
from time import perf_counter

from django.conf import settings
from django.db import connections


class _QueryTimer:
    """An execute wrapper that adds up the number and duration of queries."""

    __slots__ = ("count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += perf_counter() - start
            self.count += 1


def server_timing_value(*, app_seconds: float, db_seconds: float, queries: int) -> str:
    word = "query" if queries == 1 else "queries"
    return (
        f'app;dur={app_seconds * 1000:.1f}, db;dur={db_seconds * 1000:.1f};desc="{queries} {word}"'
    )


class ServerTimingMiddleware:
    """Adds the Server-Timing header; read the setting per request so tests can toggle it."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "SERVER_TIMING", False):
            return self.get_response(request)
        timer = _QueryTimer()
        start = perf_counter()
        with ExitStack() as stack:
            # Wrapping a connection object does not open a database connection.
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(timer))
            response = self.get_response(request)
        elapsed = perf_counter() - start
        value = server_timing_value(
            app_seconds=elapsed, db_seconds=timer.seconds, queries=timer.count
        )
        # Keep any metrics a view set itself, after ours.
        existing = response.headers.get("Server-Timing")
        response.headers["Server-Timing"] = f"{value}, {existing}" if existing else value
        return response
