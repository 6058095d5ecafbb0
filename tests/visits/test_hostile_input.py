"""The visit form's JSON endpoint (outside the API, for the offline script) meets the
probe's inputs as the API does (issue 8, item 6): 100,000 levels of nesting, a lone
UTF-16 surrogate in a field that is looked up, a NUL in a form post, and digits that
``int()`` refuses. Each is a 400 naming the field (or no error at all), never a 500,
and nothing is saved."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from visits.models import VisitChange

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def staff_client(buyer) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(buyer)
    return client


def _post_json(client, url: str, body: str):
    return client.post(url, data=body.encode(), content_type="application/json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (DEEP, "body"),
        ('{"client_key": "k", "base_revision": 0, "values": ' + DEEP + "}", "body"),
        (
            '{"client_key": "k", "base_revision": 0, "values": {"guidance_category": "\\ud800"}}',
            "guidance_category",
        ),
        (
            '{"client_key": "k", "base_revision": 0, "values": {"note": "a\\u001b[2Jb"}}',
            "note",
        ),
        ('{"client_key": "k\\u0000", "base_revision": 0, "values": {}}', "client_key"),
    ],
    ids=["deep-body", "deep-values", "surrogate-in-lookup", "escape-in-note", "nul-in-key"],
)
def test_hostile_json_is_400_naming_the_field(staff_client, draft, body, field):
    url = reverse("visits:answer", args=[draft.pk, "wages"])
    response = _post_json(staff_client, url, body)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()["errors"]
    assert not VisitChange.objects.filter(visit=draft).exists()


def test_a_nul_in_a_posted_form_field_is_refused_not_a_500(staff_client, draft):
    url = reverse("visits:answer", args=[draft.pk, "wages"])
    response = staff_client.post(
        url, {"base_revision": "0", "outcome": "conforming", "guidance_category": "a\x00b"}
    )
    assert response.status_code == 302  # back to the item, with the message
    assert not VisitChange.objects.filter(visit=draft).exists()


@pytest.mark.parametrize("odd", ["²", "١٢", "9" * 30])
def test_digits_int_refuses_are_no_500_on_the_visit_pages(staff_client, draft, odd):
    answer = reverse("visits:answer", args=[draft.pk, "wages"])
    follow_up = reverse("visits:follow-up", args=[draft.pk])
    responses = [
        staff_client.get(reverse("visits:plan"), {"year": odd}),
        staff_client.get(reverse("visits:new"), {"supplier": odd}),
        staff_client.get("/api/v1/visits/", {"fiscal_year": odd}),
        staff_client.post(answer, {"base_revision": odd, "outcome": "conforming"}),
        staff_client.post(follow_up, {"improvement_item": odd, "decision": "close"}),
    ]
    assert [r.status_code for r in responses if r.status_code >= 500] == []
    assert not VisitChange.objects.filter(visit=draft).exists()
