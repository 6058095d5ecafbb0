"""The other supplier's share of dissemination for the route walk
(tests/test_route_scoping.py): a document, version and file asked of it only, its
acknowledgement, a meeting it alone was invited to, its attendance and award, all at
OTHER_ID."""

from __future__ import annotations


def build(*, other, buyer) -> None:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from dissemination.models import (
        Acknowledgement,
        AcknowledgementRequest,
        Award,
        GuidelineDocument,
        GuidelineFile,
        GuidelineVersion,
        MeetingAttendance,
        PartnerMeeting,
    )
    from tests.test_route_scoping import OTHER_ID

    document = GuidelineDocument.objects.create(
        pk=OTHER_ID,
        code="asia-rules",
        title_en="hidden-site-name rules",
        category="procurement_policy",
    )
    version = GuidelineVersion.objects.create(
        pk=OTHER_ID,
        document=document,
        number="1",
        status="published",
        published_on="2026-04-01",
        audience="regions",
        audience_regions=["asia"],
        asked_count=1,
    )
    file = GuidelineFile(
        pk=OTHER_ID, version=version, language="en", original_name="hidden-site-name.pdf"
    )
    file.file.save("others-guideline.pdf", ContentFile(b"%PDF-1.4"), save=False)
    file.save()
    AcknowledgementRequest.objects.create(pk=OTHER_ID, version=version, supplier=other)
    Acknowledgement.objects.create(
        pk=OTHER_ID, version=version, supplier=other, acknowledged_at=timezone.now()
    )
    meeting = PartnerMeeting.objects.create(
        pk=OTHER_ID, date="2026-06-01", title="hidden-site-name meeting", place="Singapore"
    )
    MeetingAttendance.objects.create(
        pk=OTHER_ID, meeting=meeting, supplier=other, managers_attended=3
    )
    Award.objects.create(pk=OTHER_ID, meeting=meeting, supplier=other, category="environment")


def snapshot() -> tuple:
    from dissemination.models import (
        Acknowledgement,
        Award,
        GuidelineDocument,
        GuidelineFile,
        GuidelineVersion,
        MeetingAttendance,
        PartnerMeeting,
    )
    from tests.test_route_scoping import OTHER_ID

    return (
        list(GuidelineDocument.objects.values("pk", "title_en", "category")),
        list(GuidelineVersion.objects.values("pk", "status", "number", "reminder_round")),
        list(GuidelineFile.objects.filter(pk=OTHER_ID).values("pk", "file")),
        list(Acknowledgement.objects.values("pk", "supplier_id", "version_id")),
        list(PartnerMeeting.objects.values("pk", "title", "date")),
        list(MeetingAttendance.objects.values("pk", "supplier_id", "managers_attended")),
        list(Award.objects.values("pk", "supplier_id", "category")),
    )
