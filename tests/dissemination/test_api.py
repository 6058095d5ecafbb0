"""The dissemination API: what each role reads and may write (the permission matrix),
and the same refusals as the pages, by field."""

from __future__ import annotations

import pytest

from dissemination import services
from dissemination.models import Acknowledgement, GuidelineDocument, MeetingAttendance
from tests.factories import ContactFactory

from .builders import published_version

pytestmark = pytest.mark.django_db

ROLES = [
    "supplier_user",
    "other_supplier_user",
    "buyer",
    "infosec_assessor",
    "csco",
    "compliance_officer",
    "admin_user",
]
WRITERS = {"buyer", "admin_user"}


@pytest.fixture
def world(buyer, supplier, other_supplier):
    """One version asked of the supplier only, one meeting it was invited to."""
    version = published_version(actor=buyer, audience="listed", audience_codes=["ACME-001"])
    meeting = services.meeting_create(actor=buyer, date="2026-06-01", title="Partners 2026")
    services.meeting_invite(actor=buyer, meeting_id=meeting.pk, supplier_codes=["ACME-001"])
    award = services.award_create(
        actor=buyer, meeting_id=meeting.pk, supplier_code="ACME-001", category="environment"
    )
    return {"version": version, "meeting": meeting, "award": award}


def _client(api_client, request, role):
    if role != "anonymous":
        api_client.force_authenticate(request.getfixturevalue(role))
    return api_client


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_reads_by_role(request, api_client, world, role):
    client = _client(api_client, request, role)
    version, meeting = world["version"], world["meeting"]
    expected_rows = {
        "anonymous": None,
        "other_supplier_user": 0,
        "supplier_user": 1,
    }.get(role, 1)
    for url in (
        "/api/v1/guideline-documents/",
        "/api/v1/guideline-versions/",
        "/api/v1/partner-meetings/",
        "/api/v1/meeting-attendances/",
        "/api/v1/meeting-awards/",
    ):
        response = client.get(url)
        if expected_rows is None:
            assert response.status_code in (401, 403), url
        else:
            assert response.status_code == 200, url
            assert response.json()["count"] == expected_rows, url
    detail = client.get(f"/api/v1/guideline-versions/{version.pk}/")
    coverage = client.get(f"/api/v1/guideline-versions/{version.pk}/coverage/")
    meeting_detail = client.get(f"/api/v1/partner-meetings/{meeting.pk}/")
    if role == "anonymous":
        assert detail.status_code in (401, 403)
    elif role == "other_supplier_user":
        assert (detail.status_code, coverage.status_code, meeting_detail.status_code) == (
            404,
            404,
            404,
        )
    elif role == "supplier_user":
        assert detail.status_code == 200 and meeting_detail.status_code == 200
        assert {f["language"] for f in detail.json()["files"]} == {"en", "ja"}
        assert coverage.status_code == 403
    else:
        assert coverage.status_code == 200
        assert coverage.json()["asked"] == 1 and coverage.json()["missing"][0]["code"] == "ACME-001"


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_staff_writes_by_role(request, api_client, world, role):
    client = _client(api_client, request, role)
    meeting = world["meeting"]
    created = client.post(
        "/api/v1/guideline-documents/",
        {"code": "new-doc", "title_en": "New", "category": "procurement_policy"},
    )
    invited = client.post(
        f"/api/v1/partner-meetings/{meeting.pk}/invite/", {"supplier_codes": ["OTHER-002"]}
    )
    if role in WRITERS:
        assert created.status_code == 201 and invited.status_code == 200
        assert invited.json() == {"invited": 1}
    else:
        expected = {"anonymous": (401, 403), "other_supplier_user": (404,)}.get(role, (403,))
        assert created.status_code in (401, 403)
        assert invited.status_code in expected
        assert not GuidelineDocument.objects.filter(code="new-doc").exists()
        assert MeetingAttendance.objects.count() == 1


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_acknowledgement_create_by_role(request, api_client, world, role):
    client = _client(api_client, request, role)
    response = client.post("/api/v1/guideline-acknowledgements/", {"version": world["version"].pk})
    if role == "supplier_user":
        assert response.status_code == 201
        again = client.post("/api/v1/guideline-acknowledgements/", {"version": world["version"].pk})
        assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
        listed = client.get("/api/v1/guideline-acknowledgements/").json()
        assert listed["count"] == 1
    elif role == "other_supplier_user":
        assert response.status_code == 400 and "version" in response.json()
    else:
        assert response.status_code in (401, 403)
    assert Acknowledgement.objects.count() == (1 if role == "supplier_user" else 0)


def test_acknowledging_a_retired_version_is_a_400_naming_the_version(
    api_client, buyer, supplier_user
):
    old = published_version(actor=buyer)
    published_version(actor=buyer, number="2.0")
    api_client.force_authenticate(supplier_user)
    response = api_client.post("/api/v1/guideline-acknowledgements/", {"version": old.pk})
    assert response.status_code == 400
    assert "retired" in response.json()["version"][0]
    assert not Acknowledgement.objects.exists()


def test_a_draft_is_not_there_for_a_supplier_user(api_client, buyer, supplier_user):
    document = services.document_create(
        actor=buyer, code="d", title_en="Draft", category="procurement_policy"
    )
    draft = services.version_create(actor=buyer, document_id=document.pk, number="1")
    api_client.force_authenticate(supplier_user)
    response = api_client.post("/api/v1/guideline-acknowledgements/", {"version": draft.pk})
    assert response.status_code == 400 and "version" in response.json()
    assert api_client.get(f"/api/v1/guideline-versions/{draft.pk}/").status_code == 404


@pytest.mark.parametrize("value", [201, -1, 2.5, "many", True])
def test_attendance_out_of_bounds_is_a_400_naming_the_field(
    api_client, buyer, world, supplier, value
):
    api_client.force_authenticate(buyer)
    response = api_client.post(
        f"/api/v1/partner-meetings/{world['meeting'].pk}/attendance/",
        {"supplier": supplier.pk, "managers_attended": value},
    )
    assert response.status_code == 400 and "managers_attended" in response.json()
    assert MeetingAttendance.objects.get().managers_attended is None


def test_staff_publish_through_the_api_and_figures_add_up(
    api_client, buyer, supplier, other_supplier, django_capture_on_commit_callbacks
):
    from procurement_portal.outbox.models import OutboxMessage

    from .builders import pdf_upload

    ContactFactory(supplier=other_supplier, email="lee@other.example")
    api_client.force_authenticate(buyer)
    document = api_client.post(
        "/api/v1/guideline-documents/",
        {"code": "sec", "title_en": "Security rules", "category": "information_security"},
    ).json()
    version = api_client.post(
        "/api/v1/guideline-versions/",
        {
            "document": document["id"],
            "number": "1",
            "audience": "regions",
            "audience_regions": ["asia"],
        },
    ).json()
    services.version_file_attach(
        actor=buyer, version_id=version["id"], language="en", upload=pdf_upload()
    )
    with django_capture_on_commit_callbacks(execute=True):
        published = api_client.post(f"/api/v1/guideline-versions/{version['id']}/publish/")
    assert published.status_code == 200 and published.json()["asked_count"] == 1
    assert OutboxMessage.objects.filter(to="lee@other.example").count() == 1
    again = api_client.post(f"/api/v1/guideline-versions/{version['id']}/publish/")
    assert again.status_code == 409

    meeting = api_client.post(
        "/api/v1/partner-meetings/", {"date": "2026-05-20", "title": "Partners", "place": "Osaka"}
    ).json()
    assert meeting["fiscal_year"] == 2027
    for s, n in ((supplier, 3), (other_supplier, 0)):
        assert (
            api_client.post(
                f"/api/v1/partner-meetings/{meeting['id']}/attendance/",
                {"supplier": s.pk, "managers_attended": n},
            ).status_code
            == 200
        )
    figures = api_client.get("/api/v1/partner-meetings/figures/?fiscal_year=2027").json()
    assert figures == {"fiscal_year": 2027, "managers": 3, "suppliers": 1}


def test_meeting_figures_selector_counts_a_supplier_once_per_year(buyer, supplier, other_supplier):
    from dissemination.selectors import meeting_figures

    for date, counts in (("2026-05-01", (2, 3)), ("2026-11-01", (1, None)), ("2026-03-01", (9, 9))):
        meeting = services.meeting_create(actor=buyer, date=date, title=f"M {date}")
        for s, n in zip((supplier, other_supplier), counts, strict=True):
            services.attendance_record(
                actor=buyer, meeting_id=meeting.pk, supplier_id=s.pk, managers_attended=n
            )
    assert meeting_figures(2027) == {"managers": 6, "suppliers": 2}
    assert meeting_figures(2026) == {"managers": 18, "suppliers": 2}
