"""The Server-Timing header: present for staff (and in debug), honest about the query count,
switchable; never sent to anonymous visitors or supplier users in production."""

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
    # Given production-like settings (DEBUG off: connection.queries stays empty), timing
    # sent to everyone as the benchmarks ask
    settings.DEBUG = False
    settings.SERVER_TIMING = "all"
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


def test_response_without_database_says_zero_queries(settings):
    # Given the middleware around a view that touches no database
    settings.SERVER_TIMING = "all"
    middleware = ServerTimingMiddleware(lambda request: HttpResponse("ok"))
    # When it handles a request
    response = middleware(RequestFactory().get("/"))
    # Then the header is there, with no queries
    assert _parse(response)["n"] == 0
    assert _parse(response)["db"] == 0.0


def test_metrics_set_by_the_view_are_kept(settings):
    settings.SERVER_TIMING = "all"

    def view(request):
        response = HttpResponse("ok")
        response.headers["Server-Timing"] = 'cache;desc="hit"'
        return response

    response = ServerTimingMiddleware(view)(RequestFactory().get("/"))

    assert response.headers["Server-Timing"].startswith("app;dur=")
    assert response.headers["Server-Timing"].endswith(', cache;desc="hit"')


@pytest.mark.django_db
@pytest.mark.parametrize("off", ["off", False])
def test_switched_off_by_the_setting(login, buyer, settings, off):
    settings.SERVER_TIMING = off
    client = login(buyer)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert "Server-Timing" not in response.headers


def test_value_format():
    value = server_timing_value(app_seconds=0.01234, db_seconds=0.002, queries=7)

    assert value == 'app;dur=12.3, db;dur=2.0;desc="7 queries"'


@pytest.mark.django_db
def test_not_sent_to_anonymous_visitors_in_production(client, settings):
    # Given production (DEBUG off) and the default setting
    settings.DEBUG = False
    assert settings.SERVER_TIMING == "staff"
    # When anonymous visitors fetch the health check, the log-in page and the API
    for url in ("/healthz", "/accounts/login/", "/api/v1/", "/api/schema/"):
        response = client.get(url)
        # Then no timing tells them how much work their request caused
        assert "Server-Timing" not in response.headers, url


@pytest.mark.django_db
def test_not_sent_to_supplier_users_in_production(login, supplier_user, settings):
    settings.DEBUG = False
    client = login(supplier_user)

    for url in ("/", "/api/v1/suppliers/", f"/api/v1/suppliers/{10**9}/"):
        assert "Server-Timing" not in client.get(url).headers, url


@pytest.mark.django_db
def test_sent_to_staff_users(login, buyer, settings):
    settings.DEBUG = False

    response = login(buyer).get("/suppliers/")

    assert response.status_code == 200
    assert _parse(response)["n"] >= 1


@pytest.mark.django_db
def test_sent_to_everyone_in_debug_mode(client, settings):
    settings.DEBUG = True

    assert _parse(client.get("/healthz"))["n"] == 1


@pytest.mark.parametrize(
    ("value", "mode"),
    [(None, "staff"), ("true", "staff"), ("false", "off")],
)
def test_setting_values(value, mode):
    from tests.test_settings import _manage

    env = (
        {"DJANGO_DEBUG": "true"}
        if value is None
        else {"DJANGO_DEBUG": "true", "DJANGO_SERVER_TIMING": value}
    )
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.SERVER_TIMING)", **env
    )
    assert result.stdout.strip().splitlines()[-1] == mode, result.stderr
