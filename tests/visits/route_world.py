"""The other supplier's share of visits for the route walk (tests/test_route_scoping.py):
a submitted SVR with its letter issued (so only the supplier scope protects it), an
answer with a finding and its raised item, a photo, a change, an amendment, a follow-up
and a letter batch, all at OTHER_ID."""

from __future__ import annotations


def build(*, other, buyer) -> None:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from assessments.models import ImprovementItem
    from suppliers.models import Site
    from tests.test_route_scoping import OTHER_ID
    from visits.models import (
        LetterBatch,
        Visit,
        VisitAmendment,
        VisitAnswer,
        VisitChange,
        VisitFollowUp,
        VisitPhoto,
    )
    from visits.reference_data import ensure_reference_data

    ensure_reference_data()
    from visits.authoring import published_template

    template = published_template("svr")
    visit = Visit.objects.create(
        pk=OTHER_ID,
        supplier=other,
        site=Site.objects.get(pk=OTHER_ID),
        kind="svr",
        visit_date="2026-05-01",
        fiscal_year=2027,
        status="submitted",
        result="minor",
        template=template,
        supplier_attendees="hidden-site-name manager",
        methods=["inspection"],
        submitted_at=timezone.now(),
        letter_issued_at=timezone.now(),
    )
    item = template.items.get(code="working-hours")
    answer = VisitAnswer.objects.create(
        pk=OTHER_ID,
        visit=visit,
        item=item,
        outcome="minor",
        note="Other Components overtime",
        required_action="Fix it",
        due_date="2026-06-01",
        revision=1,
        improvement_item=ImprovementItem.objects.filter(pk=OTHER_ID).first(),
    )
    VisitChange.objects.create(pk=OTHER_ID, visit=visit, answer=answer, client_key="k", revision=1)
    photo = VisitPhoto(
        pk=OTHER_ID,
        visit=visit,
        answer=answer,
        original_name="hidden-site-name.jpg",
        content_type="image/jpeg",
        size=4,
        width=1,
        height=1,
    )
    photo.file.save("others-visit-photo.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=False)
    photo.save()
    VisitAmendment.objects.create(pk=OTHER_ID, visit=visit, by=buyer, reason="x", changes={})
    if ImprovementItem.objects.filter(pk=OTHER_ID).exists():
        VisitFollowUp.objects.create(
            pk=OTHER_ID, visit=visit, improvement_item_id=OTHER_ID, decision="close"
        )
    LetterBatch.objects.create(
        pk=OTHER_ID, period_start="2026-04-01", period_end="2026-06-30", created_by=buyer
    )


def snapshot() -> tuple:
    from visits.models import (
        LetterBatch,
        Visit,
        VisitAmendment,
        VisitAnswer,
        VisitChange,
        VisitFollowUp,
        VisitPhoto,
    )

    return (
        list(
            Visit.objects.values(
                "pk",
                "status",
                "result",
                "visit_date",
                "site_id",
                "supplier_attendees",
                "letter_issued_at",
                "letter_version",
                "letter_document_id",
            )
        ),
        list(
            VisitAnswer.objects.values("pk", "outcome", "note", "revision", "improvement_item_id")
        ),
        list(VisitChange.objects.values("pk", "client_key")),
        list(VisitPhoto.objects.values("pk", "file")),
        list(VisitAmendment.objects.values("pk", "reason")),
        list(VisitFollowUp.objects.values("pk", "decision", "applied_at")),
        list(LetterBatch.objects.values("pk", "total", "done", "failed", "finished_at")),
    )
