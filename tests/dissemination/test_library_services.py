"""The guideline library through its services: author, publish, ask, acknowledge, remind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from dissemination import services
from dissemination.models import (
    Acknowledgement,
    AcknowledgementRequest,
    GuidelineFile,
    GuidelineVersion,
    VersionStatus,
)
from dissemination.selectors import library_for, version_coverage
from procurement_portal.core.errors import Conflict
from procurement_portal.outbox.models import OutboxMessage
from tests.factories import ContactFactory, DesignationFactory, SupplierFactory

from .builders import pdf_upload, published_version

pytestmark = pytest.mark.django_db


def test_publishing_asks_the_audience_in_each_contacts_language(
    buyer, supplier, other_supplier, on_commit
):
    ContactFactory(supplier=supplier, email="hanako@acme.example", language="ja")
    ContactFactory(supplier=other_supplier, email="lee@other.example", language="en")
    SupplierFactory(code="GONE-1", status="inactive")

    version = on_commit(published_version, actor=buyer)

    assert version.status == VersionStatus.PUBLISHED and version.asked_count == 2
    assert set(AcknowledgementRequest.objects.values_list("supplier__code", flat=True)) == {
        "ACME-001",
        "OTHER-002",
    }
    ja = OutboxMessage.objects.get(to="hanako@acme.example")
    en = OutboxMessage.objects.get(to="lee@other.example")
    assert ja.language == "ja" and "グリーン調達ガイドライン" in ja.subject
    assert en.language == "en" and "Green Procurement Guidelines 1.0" in en.subject
    assert "/dissemination/" in en.body_text
    # The task running again (a redelivery) queues nothing twice.
    assert services.version_requests_send(version_id=version.pk) == 0
    assert OutboxMessage.objects.count() == 2


def test_the_audience_can_be_critical_suppliers_of_a_year_or_regions(
    buyer, supplier, other_supplier
):
    DesignationFactory(supplier=other_supplier, fiscal_year=2026)
    critical = published_version(actor=buyer, audience="critical", audience_fiscal_year=2026)
    assert list(critical.requests.values_list("supplier__code", flat=True)) == ["OTHER-002"]
    japan = published_version(
        actor=buyer, code="policy", audience="regions", audience_regions=["japan"]
    )
    assert list(japan.requests.values_list("supplier__code", flat=True)) == ["ACME-001"]


def test_an_audience_without_its_year_or_regions_is_refused_by_field(buyer):
    document = services.document_create(
        actor=buyer, code="sec", title_en="Security rules", category="information_security"
    )
    with pytest.raises(ValidationError) as year:
        services.version_create(
            actor=buyer, document_id=document.pk, number="1", audience="critical"
        )
    assert "audience_fiscal_year" in year.value.message_dict
    with pytest.raises(ValidationError) as regions:
        services.version_create(
            actor=buyer,
            document_id=document.pk,
            number="1",
            audience="regions",
            audience_regions=["atlantis"],
        )
    assert "audience_regions" in regions.value.message_dict
    assert not GuidelineVersion.objects.exists()


def test_a_published_version_is_frozen_and_the_next_one_retires_it(buyer, supplier):
    first = published_version(actor=buyer)
    with pytest.raises(Conflict):
        services.version_update(actor=buyer, version_id=first.pk, number="1.1")
    with pytest.raises(Conflict):
        services.version_file_attach(
            actor=buyer, version_id=first.pk, language="en", upload=pdf_upload()
        )
    second = published_version(actor=buyer, number="2.0")
    first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED and second.status == VersionStatus.PUBLISHED


def test_publishing_needs_the_english_pdf(buyer, supplier):
    document = services.document_create(
        actor=buyer, code="p", title_en="Policy", category="procurement_policy"
    )
    version = services.version_create(actor=buyer, document_id=document.pk, number="1")
    services.version_file_attach(
        actor=buyer, version_id=version.pk, language="ja", upload=pdf_upload()
    )
    with pytest.raises(ValidationError) as refused:
        services.version_publish(actor=buyer, version_id=version.pk)
    assert "files" in refused.value.message_dict
    version.refresh_from_db()
    assert version.is_draft and not AcknowledgementRequest.objects.exists()


def test_a_file_that_is_not_a_pdf_is_refused_naming_the_file(buyer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = services.document_create(
        actor=buyer, code="p", title_en="Policy", category="procurement_policy"
    )
    version = services.version_create(actor=buyer, document_id=document.pk, number="1")
    fake = SimpleUploadedFile("policy.pdf", b"%PDF-1.4 not really", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.version_file_attach(actor=buyer, version_id=version.pk, language="en", upload=fake)
    assert "file" in refused.value.message_dict
    assert not GuidelineFile.objects.exists()


def test_the_csco_and_supplier_users_author_nothing(csco, supplier_user):
    for user in (csco, supplier_user):
        with pytest.raises(PermissionDenied):
            services.document_create(
                actor=user, code="x", title_en="X", category="procurement_policy"
            )


def test_a_supplier_user_acknowledges_once_and_coverage_counts_it(
    buyer, supplier, other_supplier, supplier_user
):
    version = published_version(actor=buyer)
    ack, created = services.acknowledgement_create(user=supplier_user, version_id=version.pk)
    assert created and ack.supplier == supplier and ack.user == supplier_user
    again, created_again = services.acknowledgement_create(
        user=supplier_user, version_id=version.pk
    )
    assert again.pk == ack.pk and not created_again
    assert Acknowledgement.objects.count() == 1

    coverage = version_coverage(user=buyer, version=version)
    assert (coverage.asked, coverage.acknowledged, coverage.missing_count) == (2, 1, 1)
    assert [s.code for s in coverage.missing] == ["OTHER-002"]


def test_acknowledging_a_retired_version_is_refused_naming_the_field(buyer, supplier_user):
    old = published_version(actor=buyer)
    published_version(actor=buyer, number="2.0")
    with pytest.raises(ValidationError) as refused:
        services.acknowledgement_create(user=supplier_user, version_id=old.pk)
    assert "version" in refused.value.message_dict
    assert not Acknowledgement.objects.exists()


def test_a_draft_or_another_suppliers_version_is_not_there_for_a_supplier_user(
    buyer, supplier_user, other_supplier
):
    draft_doc = services.document_create(
        actor=buyer, code="d", title_en="Draft", category="procurement_policy"
    )
    draft = services.version_create(actor=buyer, document_id=draft_doc.pk, number="1")
    others = published_version(actor=buyer, audience="regions", audience_regions=["asia"])
    for version in (draft, others):
        with pytest.raises(Http404):
            services.acknowledgement_create(user=supplier_user, version_id=version.pk)
    assert not Acknowledgement.objects.exists()


def test_staff_cannot_acknowledge_for_a_supplier(buyer, supplier):
    version = published_version(actor=buyer)
    with pytest.raises(PermissionDenied):
        services.acknowledgement_create(user=buyer, version_id=version.pk, supplier_id=supplier.pk)


def test_the_library_shows_the_readers_language_with_english_as_fallback(
    buyer, supplier_user, supplier
):
    from django.utils import translation

    published_version(actor=buyer)
    published_version(actor=buyer, code="chem", number="5", ja=False)
    with translation.override("ja"):
        entries = library_for(user=supplier_user)
        files = {e.version.document.code: e.file.language for e in entries}
    assert files == {"green-proc": "ja", "chem": "en"}


def test_reminders_go_to_the_missing_only_once_per_round(
    buyer, supplier, other_supplier, supplier_user
):
    ContactFactory(supplier=supplier, email="a@acme.example")
    ContactFactory(supplier=other_supplier, email="b@other.example", language="ja")
    version = published_version(actor=buyer)
    services.acknowledgement_create(user=supplier_user, version_id=version.pk)

    assert services.version_remind(actor=buyer, version_id=version.pk) == 1
    reminder = OutboxMessage.objects.get(key__startswith=f"dissemination:reminder:{version.pk}:1:")
    assert reminder.to == "b@other.example" and reminder.language == "ja"
    # A second round by hand at once is a double click: refused, nothing queued.
    with pytest.raises(Conflict):
        services.version_remind(actor=buyer, version_id=version.pk)
    assert OutboxMessage.objects.filter(key__contains=":reminder:").count() == 1


def test_beat_reminds_when_the_interval_has_passed(buyer, other_supplier):
    from dissemination.tasks import dissemination_tick

    ContactFactory(supplier=other_supplier, email="b@other.example")
    version = published_version(actor=buyer, reminder_every_days=7)
    assert services.reminders_due() == []
    GuidelineVersion.objects.filter(pk=version.pk).update(
        published_at=timezone.now() - dt.timedelta(days=8)
    )
    assert dissemination_tick.delay().get() == 1
    assert (
        OutboxMessage.objects.filter(
            key__startswith=f"dissemination:reminder:{version.pk}:1:"
        ).count()
        == 1
    )
    assert services.reminders_due() == []  # the round just sent resets the clock
