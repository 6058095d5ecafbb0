"""The Server-Timing header: present, honest about the query count, switchable."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from procurement_portal.core.middleware import ServerTimingMiddleware, server_timing_value
from tests.factories import SupplierFactory

HEADER = re.compile(
    r'^app;dur=(?P<app>\d+\.\d), db;dur=(?P<db>\d+\.\d);desc="(?P<n>\d+) quer(?:y|ies)"'
)


def _parse(response) -> dict[str, float]:
    match = HEADER.match(response.headers["Server-Timing"])
    assert match, response.headers["Server-Timing"]
    return {"app": float(match["app"]), "db": float(match["db"]), "n": int(match["n"])}


@pytest.mark.django_db
def test_header_counts_the_queries_of_a_response_with_debug_off(client, settings):
    # Given production-like settings (DEBUG off: connection.queries stays empty)
    settings.DEBUG = False
    # When the health check, which runs exactly one query, is fetched
    response = client.get("/healthz")
    # Then the header reports that one query, and db time within app time
    timing = _parse(response)
    assert response.status_code == 200
    assert timing["n"] == 1
    assert 0 <= timing["db"] <= timing["app"]
    assert 'desc="1 query"' in response.headers["Server-Timing"]


@pytest.mark.django_db
def test_query_count_matches_what_django_executed(login, buyer):
    # Given a logged-in buyer and a few suppliers on the list page
    SupplierFactory.create_batch(3)
    client = login(buyer)
    # When the page is fetched while Django's own query capture watches
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/suppliers/")
    # Then the header's count is the number of queries actually run
    assert response.status_code == 200
    assert _parse(response)["n"] == len(captured.captured_queries)
    assert _parse(response)["n"] >= 2  # session/user lookup and the list at least


def test_response_without_database_says_zero_queries():
    # Given the middleware around a view that touches no database
    middleware = ServerTimingMiddleware(lambda request: HttpResponse("ok"))
    # When it handles a request
    response = middleware(RequestFactory().get("/"))
    # Then the header is there, with no queries
    assert _parse(response)["n"] == 0
    assert _parse(response)["db"] == 0.0


def test_metrics_set_by_the_view_are_kept():
    def view(request):
        response = HttpResponse("ok")
        response.headers["Server-Timing"] = 'cache;desc="hit"'
        return response

    response = ServerTimingMiddleware(view)(RequestFactory().get("/"))

    assert response.headers["Server-Timing"].startswith("app;dur=")
    assert response.headers["Server-Timing"].endswith(', cache;desc="hit"')


@pytest.mark.django_db
def test_switched_off_by_the_setting(client, settings):
    settings.SERVER_TIMING = False

    response = client.get("/healthz")

    assert response.status_code == 200
    assert "Server-Timing" not in response.headers


def test_value_format():
    value = server_timing_value(app_seconds=0.01234, db_seconds=0.002, queries=7)

    assert value == 'app;dur=12.3, db;dur=2.0;desc="7 queries"'
