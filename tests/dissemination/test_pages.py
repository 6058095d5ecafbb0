"""The dissemination pages as people use them: staff author and publish, suppliers read
and acknowledge, staff follow coverage and remind; meetings, attendance and awards."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dissemination.models import (
    Acknowledgement,
    Award,
    GuidelineDocument,
    GuidelineVersion,
    MeetingAttendance,
    PartnerMeeting,
)
from procurement_portal.outbox.models import OutboxMessage
from tests.factories import ContactFactory, SupplierFactory

from .builders import pdf_upload, published_version

pytestmark = pytest.mark.django_db


def test_staff_author_a_document_and_publish_its_first_version(
    login, buyer, supplier, django_capture_on_commit_callbacks
):
    ContactFactory(supplier=supplier, email="hanako@acme.example", language="ja")
    client = login(buyer)
    response = client.post(
        reverse("dissemination:document-create"),
        {
            "code": "green",
            "title_en": "Green Procurement Guidelines",
            "title_ja": "グリーン調達",
            "category": "green_procurement",
        },
    )
    document = GuidelineDocument.objects.get(code="green")
    assert response.status_code == 302
    response = client.post(
        reverse("dissemination:version-create", args=[document.pk]),
        {"number": "1.0", "audience": "all_active", "reminder_every_days": "0"},
    )
    version = GuidelineVersion.objects.get(document=document)
    assert response["Location"] == reverse("dissemination:version-detail", args=[version.pk])
    for language in ("en", "ja"):
        response = client.post(
            reverse("dissemination:version-file-upload", args=[version.pk]),
            {"language": language, "file": pdf_upload(f"green-{language}.pdf")},
        )
        assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dissemination:version-publish", args=[version.pk]), follow=True
        )
    assert "1 supplier is asked" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "published"
    assert OutboxMessage.objects.get(to="hanako@acme.example").language == "ja"


def test_bad_version_input_is_named_and_nothing_saved(login, buyer):
    document = GuidelineDocument.objects.create(
        code="p", title_en="Policy", category="procurement_policy"
    )
    response = login(buyer).post(
        reverse("dissemination:version-create", args=[document.pk]),
        {
            "number": "1",
            "audience": "listed",
            "audience_codes": "NOPE-1",
            "reminder_every_days": "0",
        },
    )
    assert response.status_code == 400
    assert "Unknown supplier code: NOPE-1" in response.content.decode()
    assert not GuidelineVersion.objects.exists()


def test_a_file_that_is_not_a_pdf_is_refused_on_the_page(login, buyer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = GuidelineDocument.objects.create(
        code="p", title_en="P", category="procurement_policy"
    )
    version = GuidelineVersion.objects.create(document=document, number="1")
    response = login(buyer).post(
        reverse("dissemination:version-file-upload", args=[version.pk]),
        {"language": "en", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert response.status_code == 400
    assert "PDF file" in response.content.decode()
    assert not version.files.exists()


def test_a_supplier_user_reads_in_japanese_and_acknowledges_once(
    client, login, buyer, supplier_user, supplier
):
    version = published_version(actor=buyer)
    client = login(supplier_user)
    page = client.get(reverse("dissemination:library"), HTTP_ACCEPT_LANGUAGE="ja")
    html = page.content.decode()
    assert page.status_code == 200 and "グリーン調達ガイドライン" in html
    ja_file = version.files.get(language="ja")
    assert reverse("dissemination:file-download", args=[ja_file.pk]) in html
    download = client.get(reverse("dissemination:file-download", args=[ja_file.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")

    url = reverse("dissemination:version-acknowledge", args=[version.pk])
    first = client.post(url, {"supplier": supplier.pk}, follow=True)
    assert "acknowledgement is recorded" in first.content.decode()
    second = client.post(url, {"supplier": supplier.pk}, follow=True)
    assert "already acknowledged" in second.content.decode()
    assert Acknowledgement.objects.filter(supplier=supplier, version=version).count() == 1


def test_acknowledging_a_retired_version_on_the_page_says_why(login, buyer, supplier_user):
    old = published_version(actor=buyer)
    published_version(actor=buyer, number="2.0")
    response = login(supplier_user).post(
        reverse("dissemination:version-acknowledge", args=[old.pk]), follow=True
    )
    assert "This version was retired" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_coverage_rises_and_the_csco_reads_it_without_the_remind_button(
    login, client, buyer, csco, supplier_user, other_supplier
):
    version = published_version(actor=buyer)
    url = reverse("dissemination:version-detail", args=[version.pk])
    page = login(csco).get(url).content.decode()
    assert 'data-testid="acknowledged">0 ' in page and "Remind the missing" not in page
    from dissemination.services import acknowledgement_create

    acknowledgement_create(user=supplier_user, version_id=version.pk)
    page = login(csco).get(url).content.decode()
    assert 'data-testid="acknowledged">1 ' in page and "OTHER-002" in page
    assert (
        login(csco).post(reverse("dissemination:version-remind", args=[version.pk])).status_code
        == 403
    )
    staff_page = login(buyer).get(url).content.decode()
    assert "Remind the missing" in staff_page


def test_the_library_answers_staff_with_every_document_and_coverage(login, buyer, supplier):
    version = published_version(actor=buyer)
    page = login(buyer).get(reverse("dissemination:library")).content.decode()
    assert "Green Procurement Guidelines" in page and f'data-testid="coverage-{version.pk}"' in page


def test_a_supplier_user_cannot_open_staff_pages_of_what_it_was_asked(login, buyer, supplier_user):
    version = published_version(actor=buyer)
    client = login(supplier_user)
    assert client.get(reverse("dissemination:version-detail", args=[version.pk])).status_code == 403
    assert (
        client.post(reverse("dissemination:version-publish", args=[version.pk])).status_code == 403
    )
    assert client.get(reverse("dissemination:document-create")).status_code == 403


def test_the_supplier_page_panel_shows_acknowledgements_and_meetings(
    login, buyer, supplier, supplier_user
):
    from dissemination import services

    version = published_version(actor=buyer)
    services.acknowledgement_create(user=supplier_user, version_id=version.pk)
    meeting = services.meeting_create(actor=buyer, date="2026-06-01", title="Partners 2026")
    services.meeting_invite(actor=buyer, meeting_id=meeting.pk, supplier_codes=["ACME-001"])
    page = login(buyer).get(reverse("suppliers:detail", args=[supplier.pk])).content.decode()
    assert 'data-testid="supplier-guidelines"' in page
    assert "Green Procurement Guidelines 1.0" in page and "Partners 2026" in page


# --- meetings -----------------------------------------------------------------------------


def test_staff_record_a_meeting_and_the_figures_come_from_the_records(
    login, buyer, supplier, other_supplier
):
    SupplierFactory(code="PARTNER-9", is_strategic_partner=True)
    client = login(buyer)
    response = client.post(
        reverse("dissemination:meeting-create"),
        {"date": "2026-06-10", "title": "Strategic partners 2026", "place": "Tokyo"},
    )
    meeting = PartnerMeeting.objects.get()
    assert response.status_code == 302 and meeting.fiscal_year.year == 2027
    response = client.post(
        reverse("dissemination:meeting-invite", args=[meeting.pk]),
        {"supplier_codes": "ACME-001, other-002", "strategic_partners": "on"},
    )
    assert response.status_code == 302
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == 3
    for s, n in ((supplier, "4"), (other_supplier, "2")):
        client.post(
            reverse("dissemination:attendance-record", args=[meeting.pk, s.pk]),
            {"managers_attended": n},
        )
    client.post(
        reverse("dissemination:award-create", args=[meeting.pk]),
        {"supplier_code": "ACME-001", "category": "environment", "note": "Packaging"},
    )
    page = client.get(reverse("dissemination:meeting-detail", args=[meeting.pk])).content.decode()
    assert "6 managers from 2 suppliers" in page and "Environmental contribution" in page
    listing = client.get(reverse("dissemination:meetings") + f"?fy={meeting.fiscal_year.year}")
    assert "6 managers from 2 suppliers" in listing.content.decode()


@pytest.mark.parametrize("value", ["201", "-1", "1e3", "abc"])
def test_attendance_outside_its_bounds_is_refused_naming_the_field(login, buyer, supplier, value):
    from dissemination import services

    meeting = services.meeting_create(actor=buyer, date="2026-06-01", title="M")
    services.meeting_invite(actor=buyer, meeting_id=meeting.pk, supplier_codes=["ACME-001"])
    response = login(buyer).post(
        reverse("dissemination:attendance-record", args=[meeting.pk, supplier.pk]),
        {"managers_attended": value},
    )
    assert response.status_code == 400
    assert "Managers attended:" in response.content.decode()
    assert MeetingAttendance.objects.get().managers_attended is None


def test_an_award_for_an_unknown_supplier_is_refused(login, buyer):
    from dissemination import services

    meeting = services.meeting_create(actor=buyer, date="2026-06-01", title="M")
    response = login(buyer).post(
        reverse("dissemination:award-create", args=[meeting.pk]),
        {"supplier_code": "NOPE", "category": "environment"},
    )
    assert (
        response.status_code == 400 and "Unknown supplier code: NOPE" in response.content.decode()
    )
    assert not Award.objects.exists()


def test_a_supplier_user_sees_its_own_invitations_and_awards_only(
    login, buyer, supplier_user, supplier, other_supplier
):
    from dissemination import services

    meeting = services.meeting_create(actor=buyer, date="2026-06-01", title="Partners 2026")
    services.meeting_invite(
        actor=buyer, meeting_id=meeting.pk, supplier_codes=["ACME-001", "OTHER-002"]
    )
    services.award_create(
        actor=buyer,
        meeting_id=meeting.pk,
        supplier_code="OTHER-002",
        category="quality",
        note="Other Components did well",
    )
    services.award_create(
        actor=buyer, meeting_id=meeting.pk, supplier_code="ACME-001", category="environment"
    )
    page = login(supplier_user).get(reverse("dissemination:meetings")).content.decode()
    assert "Partners 2026" in page and "Environmental contribution" in page
    assert "Other Components" not in page and "Quality" not in page
    assert (
        login(supplier_user)
        .get(reverse("dissemination:meeting-detail", args=[meeting.pk]))
        .status_code
        == 403
    )
