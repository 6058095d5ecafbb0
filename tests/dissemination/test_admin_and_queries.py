"""The admin authors through the services; pages and lists cost the same number of
queries with one row as with many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dissemination import services
from dissemination.models import GuidelineDocument, GuidelineVersion, PartnerMeeting
from tests.factories import SupplierFactory

from .builders import pdf_upload, published_version

pytestmark = pytest.mark.django_db


def test_the_admin_adds_a_document_and_publishes_a_draft_through_the_services(
    login, admin_user, supplier
):
    client = login(admin_user)
    response = client.post(
        reverse("admin:dissemination_guidelinedocument_add"),
        {
            "code": "policy",
            "title_en": "Group Procurement Policy",
            "title_ja": "",
            "category": "procurement_policy",
        },
    )
    assert response.status_code == 302
    document = GuidelineDocument.objects.get(code="policy")
    version = services.version_create(actor=admin_user, document_id=document.pk, number="1")
    changelist = reverse("admin:dissemination_guidelineversion_changelist")
    refused = client.post(
        changelist, {"action": "publish", "_selected_action": [version.pk]}, follow=True
    )
    assert "Attach the English PDF first" in refused.content.decode()
    services.version_file_attach(
        actor=admin_user, version_id=version.pk, language="en", upload=pdf_upload()
    )
    client.post(changelist, {"action": "publish", "_selected_action": [version.pk]})
    version.refresh_from_db()
    assert version.status == "published" and version.asked_count == 1
    # A published version is read-only in the admin.
    page = client.get(reverse("admin:dissemination_guidelineversion_change", args=[version.pk]))
    assert 'name="number"' not in page.content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_cost_the_same_queries_with_one_row_and_with_many(
    login, buyer, supplier_user, supplier
):
    published_version(actor=buyer, code="d0")
    meeting = services.meeting_create(actor=buyer, date="2026-06-01", title="M0")
    services.meeting_invite(actor=buyer, meeting_id=meeting.pk, supplier_codes=["ACME-001"])
    urls = {
        "supplier": ["/dissemination/", "/dissemination/meetings/"],
        "staff": [
            "/dissemination/",
            "/dissemination/meetings/",
            f"/dissemination/meetings/{meeting.pk}/",
            f"/dissemination/versions/{GuidelineVersion.objects.get().pk}/",
            "/api/v1/guideline-versions/",
            "/api/v1/guideline-documents/",
            "/api/v1/partner-meetings/",
            "/api/v1/meeting-attendances/",
        ],
    }
    users = {"supplier": supplier_user, "staff": buyer}
    one = {(who, url): _count(login(users[who]), url) for who in urls for url in urls[who]}
    for n in range(1, 6):
        published_version(actor=buyer, code=f"d{n}")
        m = services.meeting_create(actor=buyer, date="2026-06-01", title=f"M{n}")
        code = SupplierFactory(code=f"MORE-{n}").code
        services.meeting_invite(actor=buyer, meeting_id=m.pk, supplier_codes=["ACME-001", code])
        services.meeting_invite(actor=buyer, meeting_id=meeting.pk, supplier_codes=[code])
        services.award_create(
            actor=buyer, meeting_id=meeting.pk, supplier_code=code, category="quality"
        )
    many = {(who, url): _count(login(users[who]), url) for who in urls for url in urls[who]}
    assert many == one
    assert PartnerMeeting.objects.count() == 6
