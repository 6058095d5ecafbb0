"""One supplier's timeline: everything that happened with it, across the four stages, in
date order.

Each source (signatures, revocations, acknowledgements, self-assessment steps and scores,
visits, letters, improvement items opened and closed, partner meetings, e-mails) is a
``values()`` queryset with the same columns, each read through ``visible_to(user)`` so a
supplier user sees on their own timeline only what they may see elsewhere; the sources
are joined with one SQL ``UNION ALL``, filtered, ordered and paginated by the database.
"""

from __future__ import annotations

from django.db.models import CharField, DateTimeField, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from assessments.models import AssessmentEvent, ImprovementItem, RiskScore
from procurement_portal import access
from suppliers.models import Supplier

from .figures.base import has, model

STAGES = {
    "declarations": _("Basic contract and declarations"),
    "dissemination": _("Dissemination"),
    "document_check": _("Document check"),
    "on_site": _("On-site assessment"),
    "improvement": _("Improvement"),
    "email": _("E-mail"),
}
KINDS = {
    "signed": _("Declaration signed"),
    "revoked": _("Declaration revoked"),
    "acknowledged": _("Guideline acknowledged"),
    "submitted": _("Self-assessment submitted"),
    "returned": _("Self-assessment returned"),
    "accepted": _("Self-assessment accepted"),
    "score": _("Self-assessment score"),
    "svr": _("Supplier Visit Record"),
    "infosec": _("Information-security visit"),
    "letter": _("Letter issued"),
    "item_opened": _("Improvement item opened"),
    "item_closed": _("Improvement item closed"),
    "meeting": _("Partner meeting attended"),
    "email": _("E-mail sent"),
}
COLUMNS = ("at", "stage", "kind", "risk", "title_en", "title_ja", "detail", "ref")


def _text(value: str = "") -> Value:
    return Value(value, output_field=CharField())


def _shape(
    rows: QuerySet, *, at, stage: str, kind, risk=None, title_en, title_ja=None, detail=None
):
    """A source as the timeline's columns, in the timeline's order (``union`` matches
    columns by position)."""
    return (
        rows.order_by()
        .annotate(
            t_at=Cast(at, DateTimeField()),
            t_stage=_text(stage),
            t_kind=kind if not isinstance(kind, str) else _text(kind),
            t_risk=risk if risk is not None else _text(""),
            t_title_en=Cast(title_en, CharField()),
            t_title_ja=Cast(title_ja if title_ja is not None else title_en, CharField()),
            t_detail=Cast(detail, CharField()) if detail is not None else _text(""),
            t_ref=Cast("pk", IntegerField()),
        )
        .values_list(
            "t_at", "t_stage", "t_kind", "t_risk", "t_title_en", "t_title_ja", "t_detail", "t_ref"
        )
    )


def sources(user, supplier: Supplier) -> list[QuerySet]:
    def seen(label: str) -> QuerySet:
        return model(label).objects.visible_to(user)

    found = [
        _shape(
            AssessmentEvent.objects.visible_to(user).filter(
                assessment__supplier=supplier,
                to_status__in=["submitted", "returned", "accepted"],
            ),
            at="at",
            stage="document_check",
            kind=F("to_status"),
            title_en=F("assessment__questionnaire__title_en"),
            title_ja=Coalesce(
                F("assessment__questionnaire__title_ja"), F("assessment__questionnaire__title_en")
            ),
            detail=F("assessment__fiscal_year"),
        ),
        _shape(
            RiskScore.objects.visible_to(user).filter(
                assessment__supplier=supplier, assessment__submitted_at__isnull=False
            ),
            at=Coalesce("assessment__reviewed_at", "assessment__submitted_at"),
            stage="document_check",
            kind="score",
            risk=F("risk__code"),
            title_en=F("risk__name_en"),
            title_ja=F("risk__name_ja"),
            detail=F("score"),
        ),
        _shape(
            ImprovementItem.objects.visible_to(user).filter(supplier=supplier),
            at="created_at",
            stage="improvement",
            kind="item_opened",
            risk=F("risk__code"),
            title_en=F("description"),
            title_ja=F("description"),
            detail=F("status"),
        ),
        _shape(
            ImprovementItem.objects.visible_to(user).filter(
                supplier=supplier, closed_at__isnull=False
            ),
            at="closed_at",
            stage="improvement",
            kind="item_closed",
            risk=F("risk__code"),
            title_en=F("description"),
            title_ja=F("description"),
            detail=F("status"),
        ),
    ]
    if has("declarations.Signature", "declarations.Revocation"):
        found += [
            _shape(
                seen("declarations.Signature").filter(supplier=supplier),
                at="signed_at",
                stage="declarations",
                kind="signed",
                title_en=F("version__title_en"),
                title_ja=F("version__title_ja"),
                detail=F("channel"),
            ),
            _shape(
                seen("declarations.Revocation").filter(signature__supplier=supplier),
                at="created_at",
                stage="declarations",
                kind="revoked",
                title_en=F("signature__version__title_en"),
                title_ja=F("signature__version__title_ja"),
                detail=F("effective_date"),
            ),
        ]
    if has("dissemination.Acknowledgement"):
        found.append(
            _shape(
                seen("dissemination.Acknowledgement").filter(supplier=supplier),
                at="acknowledged_at",
                stage="dissemination",
                kind="acknowledged",
                title_en=F("version__document__title_en"),
                title_ja=F("version__document__title_ja"),
                detail=F("version__number"),
            )
        )
    if has("dissemination.MeetingAttendance"):
        found.append(
            _shape(
                seen("dissemination.MeetingAttendance").filter(
                    supplier=supplier, managers_attended__gt=0
                ),
                at="meeting__date",
                stage="dissemination",
                kind="meeting",
                title_en=F("meeting__title"),
                detail=F("managers_attended"),
            )
        )
    if has("visits.Visit"):
        visits = seen("visits.Visit").filter(supplier=supplier, status="submitted")
        found += [
            _shape(
                visits,
                at="visit_date",
                stage="on_site",
                kind=F("kind"),
                title_en=F("site__name"),
                detail=F("result"),
            ),
            _shape(
                visits.filter(letter_issued_at__isnull=False),
                at="letter_issued_at",
                stage="on_site",
                kind="letter",
                title_en=F("site__name"),
                detail=F("letter_version"),
            ),
        ]
    found.append(_emails(user, supplier))
    return found


def _emails(user, supplier: Supplier) -> QuerySet:
    """E-mails sent to the supplier's contacts (staff), or to the supplier user."""
    from django.apps import apps

    Message = apps.get_model("outbox", "OutboxMessage")
    Contact = apps.get_model("suppliers", "Contact")
    sent = Message.objects.filter(status="sent", sent_at__isnull=False)
    if access.sees_all_suppliers(user):
        sent = sent.filter(to__in=Contact.objects.filter(supplier=supplier).values("email"))
    else:
        sent = sent.filter(to=user.email)
    return _shape(sent, at="sent_at", stage="email", kind="email", title_en=F("subject"))


def timeline(user, supplier: Supplier, *, stage: str = "", risk: str = "") -> QuerySet:
    """The supplier's events, newest first, as one SQL union (lazily: paginate it)."""
    parts = sources(user, supplier)
    rows = parts[0].union(*parts[1:], all=True)
    # A union cannot be filtered afterwards: the filters go into every part instead.
    if stage or risk:
        parts = [
            p.filter(**({"t_stage": stage} if stage else {}), **({"t_risk": risk} if risk else {}))
            for p in parts
        ]
        rows = parts[0].union(*parts[1:], all=True)
    return rows.order_by("-t_at", "t_stage", "-t_ref")
