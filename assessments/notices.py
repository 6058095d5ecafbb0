"""Who hears about what happens to a self-assessment or an improvement item, and what they
are told: the assessments side of ``procurement_portal.notifications``.

The services (review, items, answering) call one function here per event, inside their
transaction; each builds the recipients, the context and the event key and hands them to
``notify``, which applies preferences, digests and the outbox (so nothing is sent when
the transaction rolls back, and an event notified twice is sent once).

Who is told (the programme's rules, decided here once):

* **Supplier-facing events** (returned, accepted, items raised, item verified / closed /
  reopened, items overdue, level set by staff, a reviewer's reply) go to the supplier's
  active portal users. Supplier contacts without a portal account also get the notices the
  programme requires (returned, reopened, overdue), as they cannot choose otherwise, and
  every supplier notice while the supplier has no active portal user at all (else nobody
  would hear). A reviewer's reply goes to portal users only.
* **Supplier actions** go to the reviewer who handles the work: a resubmitted assessment
  to the reviewer who returned it; a supplier's reply to the staff in that thread; an
  action plan to the reviewer who verified the item before, else the one who accepted the
  assessment that raised it (for an on-site visit's finding, who submitted the visit).
  When that person is gone (inactive, no longer a reviewer) or unknown, every active
  procurement staff member is told (and information-security assessors for
  information-security work).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.accounts.models import User
from procurement_portal.accounts.roles import Role
from procurement_portal.notifications import kinds as K
from procurement_portal.notifications.services import Recipient, notify
from suppliers.models import Contact, Supplier

from .models import (
    AnswerComment,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    ImprovementItem,
    ImprovementItemEvent,
    ImprovementStatus,
    QuestionnaireKind,
)

if TYPE_CHECKING:
    from .models import InformationSecurityLevel

INFOSEC_RISK = "information_security"


# --- recipients ----------------------------------------------------------------------------


def supplier_recipients(supplier: Supplier, *, contacts: bool) -> list[Recipient]:
    """The supplier's active portal users; with ``contacts`` also its contacts without an
    account. Contacts are added anyway when no user is active (someone must hear)."""
    users = User.objects.filter(
        is_active=True, role=Role.SUPPLIER, memberships__supplier=supplier
    ).order_by("pk")
    recipients = [Recipient.for_user(u) for u in users]
    if contacts or not recipients:
        known = {r.email.lower() for r in recipients}
        for c in Contact.objects.filter(supplier=supplier).order_by("pk"):
            if c.email.lower() in known or c.email.endswith(".invalid"):
                continue
            recipients.append(Recipient(email=c.email, language=c.language, name=c.name))
    return recipients


def _portal_users_only(supplier: Supplier) -> list[Recipient]:
    return [r for r in supplier_recipients(supplier, contacts=False) if r.user_id]


def _is_reviewer(user: User | None) -> bool:
    return access.can(user, access.Action.REVIEW_ASSESSMENTS)


def _fallback_staff(*, infosec: bool) -> list[Recipient]:
    roles = [Role.PROCUREMENT, Role.INFOSEC_ASSESSOR] if infosec else [Role.PROCUREMENT]
    users = User.objects.filter(is_active=True, role__in=roles).order_by("pk")
    return [Recipient.for_user(u) for u in users]


def _staff(users: Iterable[User | None], *, infosec: bool) -> list[Recipient]:
    chosen = [Recipient.for_user(u) for u in users if _is_reviewer(u)]
    return chosen or _fallback_staff(infosec=infosec)


def _last_actor(assessment: Assessment, to_status: str) -> User | None:
    event = (
        AssessmentEvent.objects.filter(assessment=assessment, to_status=to_status)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    return event.actor if event else None


# --- context pieces ------------------------------------------------------------------------


def _both(en: str, ja: str) -> dict[str, str]:
    return {"en": en, "ja": ja or en}


def _fiscal_year(year: int) -> dict[str, str]:
    """ "FY2026" / "2026年度": the label in both languages (the reader's is chosen later)."""
    from django.utils import translation

    from procurement_portal.fiscal import FiscalYear

    labels = {}
    for language in ("en", "ja"):
        with translation.override(language):
            labels[language] = str(FiscalYear(year))
    return labels


def _supplier_context(supplier: Supplier) -> dict:
    return {
        "supplier_name": _both(supplier.legal_name, supplier.local_name),
        "supplier_code": supplier.code,
    }


def _assessment_context(assessment: Assessment) -> dict:
    q = assessment.questionnaire
    return {
        **_supplier_context(assessment.supplier),
        "questionnaire": _both(q.title_en, q.title_ja),
        "fiscal_year": _fiscal_year(assessment.fiscal_year),
    }


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0][:300]


def _finding(item: ImprovementItem) -> dict[str, str]:
    """The finding's first line in both languages where the item keeps both (a
    questionnaire's or checklist's wording); a free text written in one language is
    given as written, saying which language it is in to a reader of the other."""
    from django.utils import translation

    if item.description_ja:
        return _both(_first_line(item.description), _first_line(item.description_ja))
    text = _first_line(item.description)
    pair = {}
    for language in ("en", "ja"):
        if not item.written_in or item.written_in == language:
            pair[language] = text
            continue
        with translation.override(language):
            pair[language] = _("%(text)s (written in %(language)s)") % {
                "text": text,
                "language": item.get_written_in_display(),
            }
    return pair


def _item_context(item: ImprovementItem) -> dict:
    return {
        **_supplier_context(item.supplier),
        "risk": _both(item.risk.name_en, item.risk.name_ja),
        "finding": _finding(item),
    }


def _ts(value: dt.datetime | None) -> str:
    return str(int((value or timezone.now()).timestamp() * 1000))


def _overview(assessment: Assessment) -> str:
    return reverse("assessments:overview", kwargs={"pk": assessment.pk})


def _item_path(item: ImprovementItem) -> str:
    return reverse("assessments:item-detail", kwargs={"pk": item.pk})


# --- the assessment ------------------------------------------------------------------------


def assessment_returned(*, assessment: Assessment, event: AssessmentEvent) -> None:
    """The supplier is told that the assessment came back, with the note and how many
    answers carry a comment."""
    comments = AnswerComment.objects.filter(
        answer__assessment=assessment, parent__isnull=True, resolved_at__isnull=True
    ).count()
    reviewer = event.actor.get_full_name() if event.actor else ""
    notify(
        kind=K.ASSESSMENT_RETURNED,
        recipients=supplier_recipients(assessment.supplier, contacts=True),
        context={
            **_assessment_context(assessment),
            "note": event.note,
            "comment_count": comments,
            "reviewer_name": reviewer,
        },
        key=f"assessment:{assessment.pk}:event:{event.pk}",
        path=_overview(assessment),
        subject_obj=assessment,
    )


def assessment_accepted(*, assessment: Assessment, note: str, items: list[ImprovementItem]) -> None:
    """The supplier is told of the acceptance and, separately, of the items it raised."""
    supplier = assessment.supplier
    recipients = supplier_recipients(supplier, contacts=False)
    context = _assessment_context(assessment)
    notify(
        kind=K.ASSESSMENT_ACCEPTED,
        recipients=recipients,
        context={**context, "note": note},
        key=f"assessment:{assessment.pk}:accepted",
        path=reverse("assessments:review-scores", kwargs={"pk": assessment.pk}),
        subject_obj=assessment,
    )
    if items:
        notify(
            kind=K.ITEMS_RAISED,
            recipients=recipients,
            context={
                **context,
                "count": len(items),
                "items": [
                    {
                        "risk": _both(i.risk.name_en, i.risk.name_ja),
                        "finding": _finding(i),
                    }
                    for i in items
                ],
                "due": min(i.due_date for i in items),
            },
            key=f"assessment:{assessment.pk}:items:{','.join(str(i.pk) for i in items)}",
            path=reverse("assessments:items"),
            subject_obj=assessment,
        )


def visit_items_raised(
    *,
    visit,
    items: list[ImprovementItem],
    visit_kind: dict[str, str],
    told: Iterable[str],
) -> None:
    """An on-site visit's findings reach the supplier with its letter (the items are
    hidden from the supplier until then): the letter's e-mail goes to the supplier's
    contacts, and the portal users who are not among them (``told``: the addresses the
    letter went to) are told here of the items it raised."""
    if not items:
        return
    already = {e.lower() for e in told}
    recipients = [r for r in _portal_users_only(visit.supplier) if r.email.lower() not in already]
    notify(
        kind=K.ITEMS_RAISED,
        recipients=recipients,
        context={
            **_supplier_context(visit.supplier),
            "visit_kind": visit_kind,
            "visit_date": visit.visit_date,
            "count": len(items),
            "items": [
                {"risk": _both(i.risk.name_en, i.risk.name_ja), "finding": _finding(i)}
                for i in items
            ],
            "due": min(i.due_date for i in items),
        },
        key=f"visit:{visit.pk}:items:{','.join(str(i.pk) for i in items)}",
        path=reverse("assessments:items"),
        subject_obj=visit.supplier,
    )


def assessment_resubmitted(*, assessment: Assessment, event: AssessmentEvent) -> None:
    """A returned assessment is submitted again: its reviewer is told (a first submission
    goes to the review queue without a notice)."""
    if event.from_status != AssessmentStatus.RETURNED:
        return
    assessment = Assessment.objects.select_related("supplier", "questionnaire").get(
        pk=assessment.pk
    )
    infosec = assessment.questionnaire.kind == QuestionnaireKind.INFORMATION_SECURITY
    notify(
        kind=K.ASSESSMENT_RESUBMITTED,
        recipients=_staff([_last_actor(assessment, AssessmentStatus.RETURNED)], infosec=infosec),
        context=_assessment_context(assessment),
        key=f"assessment:{assessment.pk}:event:{event.pk}",
        path=reverse("assessments:review-detail", kwargs={"pk": assessment.pk}),
        subject_obj=assessment,
    )


# --- comment threads -----------------------------------------------------------------------


def comment_replied(*, reply: AnswerComment, root: AnswerComment, actor: User) -> None:
    """A reply in a thread: the supplier's goes to the staff in the thread, a reviewer's to
    the supplier's portal users (once they can read it: while the assessment is returned)."""
    answer = reply.answer
    assessment = Assessment.objects.select_related("supplier", "questionnaire").get(
        pk=answer.assessment_id
    )
    question = answer.question
    context = {
        **_assessment_context(assessment),
        "question": _both(question.text_en, question.text_ja),
        "body": reply.body,
        "author_name": actor.get_full_name(),
    }
    if actor.is_portal_staff:
        if assessment.status != AssessmentStatus.RETURNED:
            return  # a reply during the review is hidden from the supplier until it returns
        notify(
            kind=K.REVIEWER_REPLIED,
            recipients=_portal_users_only(assessment.supplier),
            context=context,
            key=f"comment:{reply.pk}",
            path=_answer_path(assessment, answer),
            subject_obj=assessment,
        )
        return
    authors = User.objects.filter(
        Q(pk=root.author_id) | Q(pk__in=root.replies.values("author_id")),
        role__in=access.roles_that_can(access.Action.REVIEW_ASSESSMENTS),
    )
    infosec = assessment.questionnaire.kind == QuestionnaireKind.INFORMATION_SECURITY
    notify(
        kind=K.SUPPLIER_REPLIED,
        recipients=_staff(authors, infosec=infosec),
        context=context,
        key=f"comment:{reply.pk}",
        path=reverse("assessments:review-detail", kwargs={"pk": assessment.pk})
        + f"#answer-{answer.pk}",
        subject_obj=assessment,
    )


def _answer_path(assessment: Assessment, answer) -> str:
    """The section page at the answer's question, where the supplier sees the thread."""
    question = answer.question
    url = reverse(
        "assessments:section",
        kwargs={"pk": assessment.pk, "section_code": question.section.code},
    )
    return f"{url}#q-{question.code}"


# --- improvement items ---------------------------------------------------------------------


def _item(item_id: int) -> ImprovementItem:
    return ImprovementItem.objects.select_related("supplier", "risk", "verified_by").get(pk=item_id)


def _raised_by(item: ImprovementItem) -> User | None:
    """Who raised the item (its first step's actor): for an on-site visit's finding, the
    staff member who submitted the visit."""
    first = (
        ImprovementItemEvent.objects.filter(item=item, from_status="")
        .select_related("actor")
        .order_by("id")
        .first()
    )
    return first.actor if first else None


def action_plan_submitted(*, item: ImprovementItem) -> None:
    item = _item(item.pk)
    reviewers: list[User | None] = [item.verified_by]
    if item.assessment_id:
        reviewers.append(_last_actor(item.assessment, AssessmentStatus.ACCEPTED))
    else:
        reviewers.append(_raised_by(item))
    notify(
        kind=K.ACTION_PLAN_SUBMITTED,
        recipients=_staff(reviewers, infosec=item.risk.code == INFOSEC_RISK),
        context={**_item_context(item), "action_plan": item.action_plan},
        key=f"item:{item.pk}:plan:{_ts(item.action_plan_submitted_at)}",
        path=_item_path(item),
        subject_obj=item,
    )


def item_followed_up(*, item: ImprovementItem, kind: str, note: str) -> None:
    """Verified, closed or reopened: the supplier is told, with the reviewer's note (not
    while the supplier may not see the item yet: a visit's finding before its letter)."""
    if not access.as_supplier_sees(ImprovementItem.objects.filter(pk=item.pk)).exists():
        return
    item = _item(item.pk)
    at = {
        K.ITEM_VERIFIED: item.verified_at,
        K.ITEM_CLOSED: item.closed_at,
        K.ITEM_REOPENED: item.updated_at,
    }[kind]
    notify(
        kind=kind,
        recipients=supplier_recipients(item.supplier, contacts=K.kind(kind).required),
        context={**_item_context(item), "note": note},
        key=f"item:{item.pk}:{kind}:{_ts(at)}",
        path=_item_path(item),
        subject_obj=item,
    )


def items_overdue_notify(*, today: dt.date | None = None) -> int:
    """The daily check (settings.NOTIFICATIONS_DAILY_CHECKS): each supplier with open items
    past their due date is told once a week (the key holds the ISO week), listing them.
    Returns how many suppliers were told."""
    today = today or timezone.localdate()
    year, week, _day = today.isocalendar()
    overdue = (
        access.as_supplier_sees(
            ImprovementItem.objects.filter(status=ImprovementStatus.OPEN, due_date__lt=today)
        )
        .select_related("risk")
        .order_by("supplier_id", "due_date", "id")
    )
    by_supplier: dict[int, list[ImprovementItem]] = defaultdict(list)
    for item in overdue:
        by_supplier[item.supplier_id].append(item)
    suppliers = Supplier.objects.in_bulk(list(by_supplier))
    for supplier_id, items in by_supplier.items():
        supplier = suppliers[supplier_id]
        notify(
            kind=K.ITEMS_OVERDUE,
            recipients=supplier_recipients(supplier, contacts=True),
            context={
                **_supplier_context(supplier),
                "count": len(items),
                "items": [
                    {
                        "risk": _both(i.risk.name_en, i.risk.name_ja),
                        "finding": _finding(i),
                        "due": i.due_date,
                    }
                    for i in items
                ],
            },
            key=f"supplier:{supplier_id}:overdue:{year}-W{week:02d}",
            path=reverse("assessments:items"),
            subject_obj=supplier,
        )
    return len(by_supplier)


# --- information-security level ------------------------------------------------------------


def level_overridden(*, level: InformationSecurityLevel) -> None:
    supplier = Supplier.objects.get(pk=level.supplier_id)
    path = (
        reverse("assessments:review-scores", kwargs={"pk": level.assessment_id})
        if level.assessment_id
        else reverse("home")
    )
    notify(
        kind=K.LEVEL_OVERRIDDEN,
        recipients=supplier_recipients(supplier, contacts=False),
        context={
            **_supplier_context(supplier),
            "fiscal_year": _fiscal_year(level.fiscal_year),
            "level": level.level,
            # Not the reason: it is the company's own (assessments.review.internal), kept
            # from supplier users in e-mail as on pages, in the API and in PDFs.
        },
        key=f"level:{level.pk}:{_ts(level.updated_at)}",
        path=path,
        subject_obj=supplier,
    )
