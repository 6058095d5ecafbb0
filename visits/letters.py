"""Improvement-guidance letters: one formal letter per visit with findings, in the
supplier's language, rendered by a worker through the documents service, issued (the
supplier sees the visit and the letter from then on) and announced by e-mail.

The steps, each safe to run again:

* ``letter_request`` (staff, or a batch's preparing task) checks the visit, renders the
  letter's HTML in the supplier's language and asks the documents service for it
  (``document_request``: the same content is the same keyed row, so asking again gives
  the same document; changed findings give the next version). The visit points at that
  document (``letter_document``); no render task of the documents service is started,
  because the letter's own task renders and then issues.
* ``letter_issue`` (the worker, ``letter_tasks.issue_letters``) renders the document
  (claim, render, store, confirm in the documents service) and, once it is ready, issues
  it in one transaction: the visit's ``letter_version`` and ``letter_issued_at``, and one
  e-mail per supplier contact queued in the outbox with the key
  ``visit-letter:<visit>:v<version>:<contact>``, so a letter is announced once per
  version however often the step runs (a redelivered task, a sweep after a kill).
* ``letter_batch_start`` (staff page) records a ``LetterBatch`` for a period; the workers
  prepare and issue its letters in chunks, and ``letter_batch_refresh`` counts the
  progress from the visits themselves (never by adding one per step, which a task run
  twice would count twice).

The letter's date is the documents service's ``printed_at``: when this content was first
asked for. It is left out of the content hash, so asking again another day still finds
the same document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments import notices
from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.errors import Conflict
from procurement_portal.documents.models import Document
from procurement_portal.documents.services import document_render, document_request
from procurement_portal.outbox.services import EmailSpec, emails_enqueue_many

from .models import (
    FINDING_OUTCOMES,
    LetterBatch,
    Visit,
    VisitAnswer,
    VisitKind,
    VisitStatus,
)
from .models._scope import visible_kinds

if TYPE_CHECKING:
    from accounts.models import User

LETTER_KIND = "improvement-letter"
LETTER_TEMPLATE = "visits/pdf/letter.html"
EMAIL_TEMPLATE = "visits/letter_issued"
LANGUAGES = ("en", "ja")


class NoFindings(Conflict):
    """A visit without minor or significant findings needs no improvement-guidance letter."""

    code = "no_findings"


def _language(supplier) -> str:
    language = (supplier.preferred_language or "en")[:2]
    return language if language in LANGUAGES else "en"


def letter_findings(visit: Visit) -> list[VisitAnswer]:
    """The visit's findings in checklist order, with what the letter prints of them."""
    return list(
        VisitAnswer.objects.filter(visit=visit, outcome__in=sorted(FINDING_OUTCOMES))
        .select_related("item", "guidance_category", "improvement_item__risk")
        .order_by("item__position", "id")
    )


def _contact_person(visit: Visit):
    """Whom the supplier contacts about the letter: who submitted the visit, else who
    logged it (the staff member who knows the findings)."""
    return visit.submitted_by or visit.created_by


def letter_context(visit: Visit, findings: list[VisitAnswer]) -> dict[str, Any]:
    """What the letter template prints, in the active language (the caller sets the
    supplier's). Plain values only, so the printed text is the template's alone."""
    supplier = visit.supplier
    primary = supplier.contacts.order_by("-is_primary", "name", "id").first()
    person = _contact_person(visit)
    rows = []
    for number, answer in enumerate(findings, start=1):
        rows.append(
            {
                "number": number,
                "code": answer.item.code,
                "item": answer.item.text,
                "severity": answer.get_outcome_display(),
                "significant": answer.outcome == "significant",
                "category": answer.guidance_category.name if answer.guidance_category else "",
                "note": answer.note,
                "required_action": answer.required_action,
                "due_date": answer.due_date,
            }
        )
    return {
        "visit": {
            "pk": visit.pk,
            "kind": VisitKind(visit.kind).label,
            "date": visit.visit_date,
            "result": visit.get_result_display(),
            "site_name": visit.site.name if visit.site else "",
            "site_address": "\n".join(
                part for part in (visit.site.address, visit.site.city) if part
            )
            if visit.site
            else "",
        },
        "supplier": {
            "code": supplier.code,
            "name": supplier.display_name,
            "legal_name": supplier.legal_name,
            "attention": primary.name if primary else "",
        },
        "findings": rows,
        "earliest_due": min((r["due_date"] for r in rows if r["due_date"]), default=None),
        "contact": {
            "name": (person.get_full_name() or person.email) if person else "",
            "email": person.email if person else settings.DEFAULT_FROM_EMAIL,
        },
        "sender": getattr(settings, "VISIT_LETTER_SENDER", "") or _("Procurement department"),
    }


def _check_letter(visit: Visit) -> list[VisitAnswer]:
    if visit.status != VisitStatus.SUBMITTED:
        raise Conflict(
            _("A letter is issued for a submitted visit only; this visit is %(status)s.")
            % {"status": VisitStatus(visit.status).label.lower()},
            status=visit.status,
        )
    findings = letter_findings(visit)
    if not findings:
        raise NoFindings(
            _(
                "This visit has no minor or significant findings, so there is nothing to "
                "write an improvement-guidance letter about."
            ),
            status=visit.status,
        )
    return findings


def _request_document(visit: Visit) -> Document:
    """The keyed document for the visit's letter as it reads now, and the visit pointed
    at it (the caller holds the visit's row lock)."""
    findings = _check_letter(visit)
    with translation.override(_language(visit.supplier)):
        document = document_request(
            kind=LETTER_KIND,
            subject=visit,
            template_name=LETTER_TEMPLATE,
            context=letter_context(visit, findings),
            filename=f"improvement-letter-{visit.supplier.code}-{visit.pk}.pdf",
            start=False,
        )
    if visit.letter_document_id != document.pk:
        visit.letter_document = document
        visit.save(update_fields=["letter_document", "updated_at"])
    return document


def _locked(visit_id: int) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("supplier", "site", "submitted_by", "created_by")
        .get(pk=visit_id)
    )


@transaction.atomic
def letter_request(*, actor: User, visit_id: int) -> Document:
    """Staff ask for (and thereby issue) the letter of one visit: the document is
    rendered and issued by a worker; the same findings give the same document."""
    from .letter_tasks import start_issue

    visit = Visit.objects.visible_to(actor).filter(pk=visit_id).first()
    if visit is None:
        raise Http404
    access.require(actor, Action.REVIEW_ASSESSMENTS, visit)
    visit = _locked(visit_id)
    document = _request_document(visit)
    start_issue([visit.pk])
    return document


@dataclass(frozen=True)
class IssueResult:
    visit_id: int
    outcome: str  # "issued", "already-issued", "failed", "held", "no-letter", "superseded"
    emails: int = 0


def letter_issue(*, visit_id: int, worker: str = "", in_process: bool = False) -> IssueResult:
    """Render the visit's letter (if not yet) and issue it with its e-mails (if not yet)."""
    visit = Visit.objects.only("letter_document").get(pk=visit_id)
    if visit.letter_document_id is None:
        return IssueResult(visit_id, "no-letter")
    document_id = visit.letter_document_id
    document_render(document_id=document_id, worker=worker, in_process=in_process)
    document = Document.objects.only("state", "version").get(pk=document_id)
    if document.state == Document.State.FAILED:
        return IssueResult(visit_id, "failed")
    if document.state != Document.State.READY:
        return IssueResult(visit_id, "held")  # another worker holds the claim
    with transaction.atomic():
        visit = _locked(visit_id)
        if visit.letter_document_id != document_id:
            return IssueResult(visit_id, "superseded")
        already = visit.letter_issued_at is not None and visit.letter_version == document.version
        if not already:
            visit.letter_version = document.version
            visit.letter_issued_at = timezone.now()
            visit.save(update_fields=["letter_version", "letter_issued_at", "updated_at"])
        # Queued in the same transaction as the issue: both happen, or neither. Keys
        # already in the outbox are left alone, so running this again sends nothing new.
        announcements = _announcements(visit, document)
        queued = emails_enqueue_many(messages=announcements, group="visits")
        _tell_portal_users(visit, told=[spec.to for spec in announcements])
    return IssueResult(visit_id, "already-issued" if already else "issued", len(queued))


def _tell_portal_users(visit: Visit, *, told: list[str]) -> None:
    """The items the visit raised reach the supplier with the letter: its portal users
    who were not among the letter's addressees hear of them through the item notices
    (keyed by the items, so issuing again tells nobody twice)."""
    items = [
        answer.improvement_item
        for answer in letter_findings(visit)
        if answer.improvement_item is not None
    ]
    labels = {}
    for language in ("en", "ja"):
        with translation.override(language):
            labels[language] = str(VisitKind(visit.kind).label)
    notices.visit_items_raised(visit=visit, items=items, visit_kind=labels, told=told)


def _announcements(visit: Visit, document: Document) -> list[EmailSpec]:
    """One message per contact of the supplier, each in the contact's own language (the
    supplier's when the contact has none the portal writes in)."""
    supplier = visit.supplier
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "documents:download", kwargs={"pk": document.pk}
    )
    specs = []
    for contact in supplier.contacts.exclude(email="").order_by("pk"):
        language = (contact.language or "")[:2]
        if language not in LANGUAGES:
            language = _language(supplier)
        with translation.override(language):
            kind = str(VisitKind(visit.kind).label)
            name = supplier.display_name
        specs.append(
            EmailSpec(
                key=f"visit-letter:{visit.pk}:v{document.version}:{contact.pk}",
                to=contact.email,
                template=EMAIL_TEMPLATE,
                language=language,
                context={
                    "contact_name": contact.name,
                    "supplier_name": name,
                    "visit_kind": kind,
                    "visit_date": visit.visit_date,
                    "site_name": visit.site.name if visit.site else "",
                    "version": document.version,
                    "link": link,
                },
            )
        )
    return specs


# --- Batches -----------------------------------------------------------------------------


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError(
            {field: _("Enter a date as YYYY-MM-DD, for example 2026-03-31.")}
        ) from None


def batch_visits(batch: LetterBatch) -> QuerySet[Visit]:
    """The visits a batch issues letters for: submitted (before the batch was started),
    dated within its period, of its kind, with at least one finding. Fixed once the batch
    exists, so its progress can be counted from them at any time."""
    findings = VisitAnswer.objects.filter(
        visit=OuterRef("pk"), outcome__in=sorted(FINDING_OUTCOMES)
    )
    visits = Visit.objects.filter(
        status=VisitStatus.SUBMITTED,
        visit_date__gte=batch.period_start,
        visit_date__lte=batch.period_end,
        submitted_at__lte=batch.created_at,
    ).filter(Exists(findings))
    if batch.kind:
        visits = visits.filter(kind=batch.kind)
    return visits.order_by("pk")


@transaction.atomic
def letter_batch_start(
    *, actor: User, period_start: Any, period_end: Any, kind: str | None = None
) -> LetterBatch:
    """Staff start the letters of every submitted visit with findings in a period; the
    workers render and issue them (``letter_tasks.prepare_batch``)."""
    from .letter_tasks import start_batch

    access.require_staff(actor)
    access.require_capability(actor, Action.REVIEW_ASSESSMENTS)
    start = _date(period_start, "period_start")
    end = _date(period_end, "period_end")
    if end < start:
        raise ValidationError({"period_end": _("The end of the period is before its start.")})
    kind = kind or None
    if kind is not None and kind not in VisitKind.values:
        raise ValidationError({"kind": _("Choose a kind of visit.")})
    kinds = visible_kinds(actor)
    if kinds is not None:
        if kind is None and len(kinds) == 1:
            kind = next(iter(kinds))
        if kind not in kinds:
            raise ValidationError({"kind": _("You may not issue letters for this kind of visit.")})
    batch = LetterBatch.objects.create(
        period_start=start, period_end=end, kind=kind, created_by=actor
    )
    total = batch_visits(batch).count()
    if total == 0:
        raise ValidationError(
            {"period_start": _("No submitted visit with findings was made in this period.")}
        )
    LetterBatch.objects.filter(pk=batch.pk).update(total=total)
    batch.total = total
    start_batch(batch.pk)
    return batch


def letter_batch_prepare(*, batch_id: int, visit_ids: list[int]) -> list[int]:
    """Ask for the letters of these visits of a batch (each in its own short transaction,
    so a kill keeps what was done); returns the visits now waiting to be issued."""
    ready = []
    for visit_id in visit_ids:
        with transaction.atomic():
            visit = _locked(visit_id)
            try:
                _request_document(visit)
            except Conflict:
                continue  # amended since the batch started: no findings any more
            ready.append(visit_id)
    return ready


def letter_batch_refresh(*, batch_id: int) -> LetterBatch:
    """Count the batch's progress from its visits: issued (the ready document of the
    latest version issued), failed (the document could not be made). The same counts
    however often it runs; finished once every letter is one or the other."""
    batch = LetterBatch.objects.get(pk=batch_id)
    visits = batch_visits(batch)
    done = visits.filter(
        letter_issued_at__isnull=False,
        letter_document__state=Document.State.READY,
        letter_version=F("letter_document__version"),
    ).count()
    failed = visits.filter(letter_document__state=Document.State.FAILED).count()
    # A visit amended since the batch started may have lost its findings: the total is
    # what the batch still covers.
    total = visits.count()
    finished = batch.finished_at
    if finished is None and done + failed >= total:
        finished = timezone.now()
    LetterBatch.objects.filter(pk=batch_id).update(
        total=total, done=done, failed=failed, finished_at=finished
    )
    batch.total, batch.done, batch.failed, batch.finished_at = total, done, failed, finished
    return batch


def letters_unissued(*, older_than: dt.timedelta, limit: int = 500) -> list[int]:
    """Visits whose letter was asked for but not issued for a while (their task was lost
    with a killed worker): the sweep hands them out again."""
    cutoff = timezone.now() - older_than
    unissued = Visit.objects.filter(letter_document__isnull=False).exclude(
        letter_issued_at__isnull=False, letter_version=F("letter_document__version")
    )
    return list(
        unissued.filter(letter_document__created_at__lt=cutoff)
        .exclude(letter_document__state=Document.State.FAILED)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
