"""Query counts of the visit list (page and API) and the visit page: the same with one
visit as with many, and with one finding as with many (no query per row or per item)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.visits.conftest import answer_all, finding
from visits import services

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_visit_list_takes_the_same_queries_for_one_visit_and_many(
    login, api_client, buyer, supplier, site, make_visit
):
    make_visit(supplier=supplier, site=site)
    client = login(buyer)
    api_client.force_authenticate(buyer)
    _count(client, reverse("visits:list"))  # the session's first request loads more
    page_one, api_one = (
        _count(client, reverse("visits:list")),
        _count(api_client, "/api/v1/visits/"),
    )
    for _ in range(6):
        make_visit(supplier=supplier, site=site)
    assert _count(client, reverse("visits:list")) == page_one
    assert _count(api_client, "/api/v1/visits/") == api_one


def test_the_visit_page_takes_the_same_queries_for_one_finding_and_many(
    login, buyer, supplier, site, make_visit
):
    few = make_visit(supplier=supplier, site=site)
    answer_all(few, buyer, findings={"wages": finding(few, category="wages")})
    services.visit_submit(actor=buyer, visit_id=few.pk)
    many = make_visit(supplier=supplier, site=site)
    codes = ["wages", "working-hours", "grievance", "waste-handling", "emergency-exits"]
    answer_all(
        many, buyer, prefix="m", findings={c: finding(many, category="other") for c in codes}
    )
    services.visit_submit(actor=buyer, visit_id=many.pk)
    client = login(buyer)
    _count(client, reverse("visits:list"))  # the session's first request loads more
    assert _count(client, reverse("visits:detail", args=[few.pk])) == _count(
        client, reverse("visits:detail", args=[many.pk])
    )
