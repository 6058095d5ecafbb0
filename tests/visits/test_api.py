"""The visits API: who reads what (the permission matrix), and staff creating, answering,
submitting and amending through the same services as the pages, earlier years included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assessments.models import ImprovementItem
from tests.visits.conftest import answer_all, finding
from visits import services
from visits.models import Visit, VisitChange, VisitStatus

pytestmark = pytest.mark.django_db

LIST = "/api/v1/visits/"


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.fixture
def world(make_visit, buyer, infosec_assessor, supplier, site, other_supplier, other_site):
    """A submitted SVR (letter not issued), a submitted information-security visit with
    its letter issued, both of the supplier, and another supplier's issued SVR."""
    svr = make_visit(supplier=supplier, site=site)
    answer_all(svr, buyer)
    services.visit_submit(actor=buyer, visit_id=svr.pk)
    infosec = make_visit(supplier=supplier, site=site, kind="infosec", actor=infosec_assessor)
    answer_all(infosec, infosec_assessor, prefix="i")
    services.visit_submit(actor=infosec_assessor, visit_id=infosec.pk)
    others = make_visit(supplier=other_supplier, site=other_site)
    answer_all(others, buyer, prefix="o")
    services.visit_submit(actor=buyer, visit_id=others.pk)
    Visit.objects.filter(pk__in=[infosec.pk, others.pk]).update(letter_issued_at=timezone.now())
    return {"svr": svr, "infosec": infosec, "others": others}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("buyer", {"svr", "infosec", "others"}),
        ("csco", {"svr", "infosec", "others"}),
        ("compliance_officer", {"svr", "infosec", "others"}),
        ("infosec_assessor", {"infosec"}),
        ("supplier_user", {"infosec"}),  # its own, and only once the letter is issued
        ("other_supplier_user", {"others"}),
    ],
)
def test_the_read_matrix(request, api_client, world, role, sees):
    client = _as(api_client, request.getfixturevalue(role))
    listed = {v["id"] for v in client.get(LIST).json()["results"]}
    assert listed == {world[name].pk for name in sees}
    for name, visit in world.items():
        detail = client.get(f"{LIST}{visit.pk}/")
        assert detail.status_code == (200 if name in sees else 404), (role, name)


def test_anonymous_gets_nothing(api_client, world):
    assert api_client.get(LIST).status_code in (401, 403)
    assert api_client.get(f"{LIST}{world['svr'].pk}/").status_code in (401, 403)


def test_a_supplier_reads_its_answers_and_raised_items_after_the_letter(
    api_client, supplier_user, buyer, draft
):
    answer_all(draft, buyer, findings={"wages": finding(draft, category="wages")})
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    client = _as(api_client, supplier_user)
    assert client.get(f"{LIST}{draft.pk}/").status_code == 404
    Visit.objects.filter(pk=draft.pk).update(letter_issued_at=timezone.now())
    body = client.get(f"{LIST}{draft.pk}/").json()
    wages = next(a for a in body["answers"] if a["item"] == "wages")
    assert (
        wages["outcome"] == "minor"
        and wages["improvement_item"] == ImprovementItem.objects.get().pk
    )


def _create_body(supplier, site, **extra):
    return {
        "supplier": supplier.pk,
        "kind": "svr",
        "site": site.pk,
        "visit_date": "2019-10-15",
        "methods": ["interview"],
        **extra,
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("buyer", 201),
        ("admin_user", 201),
        ("csco", 403),
        ("compliance_officer", 403),
        ("infosec_assessor", 403),  # an SVR: assessors log information-security visits only
        ("supplier_user", 403),
    ],
)
def test_the_create_matrix(request, api_client, visits_reference, supplier, site, role, expected):
    client = _as(api_client, request.getfixturevalue(role))
    response = client.post(LIST, _create_body(supplier, site), format="json")
    assert response.status_code == expected, response.content
    assert Visit.objects.count() == (1 if expected == 201 else 0)


def test_staff_load_an_earlier_years_visit_answer_and_submit_it(
    api_client, buyer, supplier, site, visits_reference
):
    client = _as(api_client, buyer)
    created = client.post(LIST, _create_body(supplier, site), format="json").json()
    assert created["fiscal_year"] == 2020 and len(created["answers"]) == 10
    url = f"{LIST}{created['id']}/answers/"
    for n, answer in enumerate(created["answers"]):
        values = {"outcome": "conforming"}
        if answer["item"] == "wages":
            values = {
                "outcome": "minor",
                "guidance_category": "wages",
                "required_action": "Pay overtime at the legal rate.",
                "due_date": "2019-12-31",
            }
        body = {
            "item": answer["item"],
            "client_key": f"load-{n}",
            "base_revision": 0,
            "values": values,
        }
        first = client.post(url, body, format="json")
        again = client.post(url, body, format="json")
        assert (first.json()["result"], again.json()["result"]) == ("saved", "duplicate")
    stale = client.post(
        url,
        {"item": "wages", "client_key": "stale", "base_revision": 0, "values": {"note": "x"}},
        format="json",
    )
    assert stale.status_code == 409 and stale.json()["current"]["outcome"] == "minor"
    done = client.post(f"{LIST}{created['id']}/submit/", format="json")
    assert done.status_code == 200 and done.json()["result"] == "minor"
    assert VisitChange.objects.count() == 10
    again = client.post(f"{LIST}{created['id']}/submit/", format="json")
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"site": None}, "site"),
        ({"visit_date": None}, "visit_date"),
        ({"methods": ["telepathy"]}, "methods"),
        ({"kind": "audit"}, "kind"),
        ({"supplier": 987654}, "supplier"),
        ({"supplier_attendees": "a\x00b"}, "supplier_attendees"),
    ],
)
def test_bad_create_input_names_the_field(
    api_client, buyer, supplier, site, visits_reference, body, field
):
    client = _as(api_client, buyer)
    response = client.post(LIST, {**_create_body(supplier, site), **body}, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Visit.objects.exists()


def test_a_site_of_another_supplier_is_refused(
    api_client, buyer, supplier, other_site, visits_reference
):
    client = _as(api_client, buyer)
    response = client.post(LIST, _create_body(supplier, other_site), format="json")
    assert response.status_code == 400
    assert response.json()["site"] == ["This site belongs to another supplier."]


def test_a_future_visit_cannot_be_submitted_over_the_api(
    api_client, buyer, make_visit, supplier, site
):
    visit = make_visit(
        supplier=supplier, site=site, visit_date=timezone.localdate() + dt.timedelta(days=5)
    )
    answer_all(visit, buyer)
    response = _as(api_client, buyer).post(f"{LIST}{visit.pk}/submit/", format="json")
    assert response.status_code == 400 and "visit_date" in response.json()
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.DRAFT


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("buyer", 200),
        ("csco", 403),
        ("infosec_assessor", 404),
        ("supplier_user", 404),
        ("other_supplier_user", 404),
    ],
)
def test_the_write_matrix_on_a_visit(request, api_client, draft, role, expected):
    client = _as(api_client, request.getfixturevalue(role))
    body = {
        "item": "wages",
        "client_key": "m-1",
        "base_revision": 0,
        "values": {"outcome": "conforming"},
    }
    response = client.post(f"{LIST}{draft.pk}/answers/", body, format="json")
    assert response.status_code == expected
    assert VisitChange.objects.count() == (1 if expected == 200 else 0)


def test_staff_amend_over_the_api_with_a_reason(api_client, buyer, csco, draft):
    answer_all(draft, buyer)
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    url = f"{LIST}{draft.pk}/amend/"
    body = {"reason": "Late evidence.", "answers": {"wages": finding(draft, category="wages")}}
    assert _as(api_client, csco).post(url, body, format="json").status_code == 403
    response = _as(api_client, buyer).post(url, body, format="json")
    assert response.status_code == 200 and response.json()["result"] == "minor"
    assert _as(api_client, buyer).post(url, {"reason": ""}, format="json").status_code == 400


def test_guidance_categories_are_read_by_every_signed_in_user(
    api_client, supplier_user, visits_reference
):
    rows = _as(api_client, supplier_user).get("/api/v1/guidance-categories/").json()
    codes = {row["code"] for row in rows}
    assert {"confidential_labelling", "confidential_disposal_return", "working_hours"} <= codes
