"""Response headers the portal adds itself: Server-Timing, Permissions-Policy, Cache-Control.

Server-Timing: ``app;dur=<ms>, db;dur=<ms>;desc="<n> queries"``. ``app`` is the whole time
spent below this middleware (it is first in MIDDLEWARE, so that is the view, the other
middleware, template rendering and the session save); ``db`` is the part of it spent
executing SQL. Browsers' developer tools show the header, and the benchmarks in bench/
read it. Timings tell an outsider which requests did more work (a lookup that found a row
takes longer than one that did not), so by default only staff users get the header, and
everyone when DEBUG is on; ``settings.SERVER_TIMING`` is ``"staff"`` (default), ``"all"``
(benchmarks) or ``"off"``.

Queries are counted with ``connection.execute_wrapper``, which sees every query the
backend runs, with DEBUG on or off, without keeping the SQL text: the overhead is one
``perf_counter`` pair per query.
"""

from __future__ import annotations

from contextlib import ExitStack
from time import perf_counter

from django.conf import settings
from django.db import connections
from django.utils.cache import patch_cache_control


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


def _server_timing_mode() -> str:
    mode = getattr(settings, "SERVER_TIMING", "off")
    if mode is True:
        return "staff"
    return mode if mode in ("staff", "all") else "off"


def _is_staff(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_active and getattr(user, "is_portal_staff", False))


class ServerTimingMiddleware:
    """Adds the Server-Timing header for those who may see it; reads the setting per request
    so tests can toggle it."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        mode = _server_timing_mode()
        if mode == "off":
            return self.get_response(request)
        timer = _QueryTimer()
        start = perf_counter()
        with ExitStack() as stack:
            # Wrapping a connection object does not open a database connection.
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(timer))
            response = self.get_response(request)
        elapsed = perf_counter() - start
        if mode != "all" and not settings.DEBUG and not _is_staff(request):
            return response
        value = server_timing_value(
            app_seconds=elapsed, db_seconds=timer.seconds, queries=timer.count
        )
        # Keep any metrics a view set itself, after ours.
        existing = response.headers.get("Server-Timing")
        response.headers["Server-Timing"] = f"{value}, {existing}" if existing else value
        return response


# Every API answer is someone's data or a token: never stored, whoever asked.
API_PREFIX = "/api/"


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response, and ``Cache-Control: private, no-store`` on
    every response to a logged-in user and on every API answer.

    No shared cache (a proxy, a CDN) may keep one person's page for another, and no browser
    keeps a copy on disk after log-out (a shared office PC). Static files are left alone:
    WhiteNoise answers them before authentication runs (``request.user`` is not set yet),
    with long-lived caching of their hashed names.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", None)
        if policy and "Permissions-Policy" not in response.headers:
            response.headers["Permissions-Policy"] = permissions_policy_value(policy)
        if request.path.startswith(API_PREFIX) or _is_logged_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _is_logged_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def permissions_policy_value(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` -> ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())
