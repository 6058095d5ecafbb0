"""Improvement items: raised by low-scoring answers, answered by the supplier with an
action plan, verified and closed by staff.

States: open -> action plan submitted -> verified -> closed; staff may send a submitted
or verified item back to open with a note (a better plan is needed). A step from the
wrong state raises ``TransitionConflict`` (answered 409) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.text import clean_text

from . import notices
from .models import Assessment, ImprovementItem, ImprovementSource, ImprovementStatus
from .scoring import answer_label, compute, scoring_questions
from .workflow import TransitionConflict

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

    from .models import ScoringPolicy

ST = ImprovementStatus
NOTE_MAX = 4000

GENERIC_ACTION = gettext_lazy(
    "Describe the measures you will take so that this requirement is fully met, who is "
    "responsible, and by when each step will be done."
)


def items_raise_for_assessment(
    *, assessment: Assessment, policy: ScoringPolicy
) -> list[ImprovementItem]:
    """One open item for every counted answer scoring below ``policy.improvement_below``.

    The text is written in the supplier's preferred language. An answer already holding an
    item gets no second one, so running this again raises nothing new. Returns the new items.
    """
    questions = scoring_questions(assessment.version_id)
    answers = list(assessment.answers.all())
    report = compute(assessment, policy=policy, questions=questions, answers=answers)
    questions_by_id = {q.pk: q for q in questions}
    existing = set(
        ImprovementItem.objects.filter(answer__assessment=assessment).values_list(
            "answer_id", flat=True
        )
    )
    reviewed = assessment.reviewed_at or timezone.now()
    due = timezone.localdate(reviewed) + dt.timedelta(days=policy.improvement_due_days)
    created = []
    with translation.override(assessment.supplier.preferred_language or "en"):
        for answer in answers:
            score = report.answer_scores.get(answer.pk)
            if score is None or score >= policy.improvement_below or answer.pk in existing:
                continue
            question = questions_by_id[answer.question_id]
            created.append(
                ImprovementItem.objects.create(
                    supplier_id=assessment.supplier_id,
                    risk_id=question.risk_id,
                    source=ImprovementSource.SELF_ASSESSMENT,
                    assessment=assessment,
                    answer=answer,
                    description=_("%(question)s\nAnswer given: %(answer)s (score %(score)s/100)")
                    % {
                        "question": question.text,
                        "answer": answer_label(question, answer),
                        "score": score.normalize(),
                    },
                    required_action=question.help or str(GENERIC_ACTION),
                    due_date=due,
                )
            )
    return created


def _locked_item(*, actor: User, item_id: int) -> ImprovementItem:
    """The item, locked, among those the actor may see (else DoesNotExist: 404)."""
    return ImprovementItem.objects.visible_to(actor).select_for_update().get(pk=item_id)


def _require_state(item: ImprovementItem, allowed: set[str], action: str) -> None:
    if item.status not in allowed:
        raise TransitionConflict(
            _("This improvement item is %(status)s: it cannot be %(action)s now.")
            % {"status": ST(item.status).label.lower(), "action": action},
            status=item.status,
        )


def may_follow_up(user: User | None, item: ImprovementItem) -> bool:
    """Whether the user may verify, close or reopen the item. Information-security
    assessors follow up information-security items only, as they review only those
    questionnaires (assessments.review.services.reviewable_kinds)."""
    from procurement_portal.accounts.roles import Role

    if not access.can(user, Action.REVIEW_ASSESSMENTS):
        return False
    if user.role == Role.INFOSEC_ASSESSOR:
        return item.risk.code == "information_security"
    return True


def _require_reviewer(actor: User, item: ImprovementItem) -> None:
    if not may_follow_up(actor, item):
        raise PermissionDenied(_("Only reviewers can do this."))


def _clean_text(value: str, *, field: str, required: str = "") -> str:
    """The text stripped; ``required`` is the message when it must not be empty."""
    return clean_text(value, field=field, max_length=NOTE_MAX, required_message=required or None)


@transaction.atomic
def item_action_plan_submit(*, actor: User, item_id: int, action_plan: str) -> ImprovementItem:
    """The supplier says how and by when it will fix the item (open -> plan submitted)."""
    item = _locked_item(actor=actor, item_id=item_id)
    if not access.can(actor, Action.ANSWER_ASSESSMENTS):
        raise PermissionDenied(_("Only the supplier's users submit action plans."))
    plan = _clean_text(action_plan, field="action_plan", required=_("Write an action plan."))
    _require_state(item, {ST.OPEN}, _("given an action plan"))
    item.action_plan = plan
    item.action_plan_submitted_at = timezone.now()
    item.status = ST.ACTION_PLAN_SUBMITTED
    item.save(update_fields=["action_plan", "action_plan_submitted_at", "status", "updated_at"])
    notices.action_plan_submitted(item=item)
    return item


@transaction.atomic
def item_verify(*, actor: User, item_id: int, note: str = "") -> ImprovementItem:
    """Staff confirm the plan (and, later, its effect): plan submitted -> verified."""
    item = _locked_item(actor=actor, item_id=item_id)
    _require_reviewer(actor, item)
    note = _clean_text(note, field="note")
    _require_state(item, {ST.ACTION_PLAN_SUBMITTED}, _("verified"))
    item.status = ST.VERIFIED
    item.verified_by = actor
    item.verified_at = timezone.now()
    item.review_note = note
    item.save(update_fields=["status", "verified_by", "verified_at", "review_note", "updated_at"])
    notices.item_followed_up(item=item, kind=notices.K.ITEM_VERIFIED, note=note)
    return item


@transaction.atomic
def item_close(*, actor: User, item_id: int, note: str = "") -> ImprovementItem:
    """Staff close a verified item: nothing more is expected of the supplier."""
    item = _locked_item(actor=actor, item_id=item_id)
    _require_reviewer(actor, item)
    note = _clean_text(note, field="note")
    _require_state(item, {ST.VERIFIED}, _("closed"))
    item.status = ST.CLOSED
    item.closed_at = timezone.now()
    fields = ["status", "closed_at", "updated_at"]
    if note:
        item.review_note = note
        fields.append("review_note")
    item.save(update_fields=fields)
    notices.item_followed_up(item=item, kind=notices.K.ITEM_CLOSED, note=note)
    return item


@transaction.atomic
def item_reopen(*, actor: User, item_id: int, note: str) -> ImprovementItem:
    """Staff send the item back to the supplier with a note saying what is missing."""
    item = _locked_item(actor=actor, item_id=item_id)
    _require_reviewer(actor, item)
    note = _clean_text(note, field="note", required=_("Say what the plan is missing."))
    _require_state(item, {ST.ACTION_PLAN_SUBMITTED, ST.VERIFIED}, _("reopened"))
    item.status = ST.OPEN
    item.review_note = note
    item.verified_by = None
    item.verified_at = None
    item.save(update_fields=["status", "review_note", "verified_by", "verified_at", "updated_at"])
    notices.item_followed_up(item=item, kind=notices.K.ITEM_REOPENED, note=note)
    return item
