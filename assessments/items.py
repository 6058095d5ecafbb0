"""Improvement items: raised by low-scoring answers, answered by the supplier with an
action plan, verified and closed by staff.

States: open -> action plan submitted -> verified -> closed; staff may send a submitted
or verified item back to open with a note (a better plan is needed). A step from the
wrong state raises ``TransitionConflict`` (answered 409) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.text import clean_text
from procurement_portal.uploads import (
    KIND_CONTENT_TYPES,
    display_name,
    private_storage,
    safe_storage_name,
    validate_upload,
)

from . import notices
from .answering.validation import format_number
from .models import (
    Assessment,
    ImprovementEvidence,
    ImprovementItem,
    ImprovementItemEvent,
    ImprovementSource,
    ImprovementStatus,
)
from .scoring import answer_label, compute, scoring_questions
from .workflow import TransitionConflict

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

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

    The finding and required action are kept in English and Japanese, as the
    questionnaire's texts are, so each reader sees their own language. An answer already
    holding an item gets no second one, so running this again raises nothing new. Returns
    the new items.
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
    for answer in answers:
        score = report.answer_scores.get(answer.pk)
        if score is None or score >= policy.improvement_below or answer.pk in existing:
            continue
        question = questions_by_id[answer.question_id]
        texts = {lang: _finding_in(lang, question, answer, score) for lang in ("en", "ja")}
        item = ImprovementItem.objects.create(
            supplier_id=assessment.supplier_id,
            risk_id=question.risk_id,
            source=ImprovementSource.SELF_ASSESSMENT,
            assessment=assessment,
            answer=answer,
            description=texts["en"][0],
            description_ja=texts["ja"][0],
            required_action=texts["en"][1],
            required_action_ja=texts["ja"][1],
            due_date=due,
        )
        _record(item, from_status="", actor=None)
        created.append(item)
    return created


def _finding_in(language: str, question, answer, score) -> tuple[str, str]:
    """The finding and the required action in one language, from the questionnaire's
    texts in that language (which has both), the score written the language's way."""
    with translation.override(language):
        finding = _("%(question)s\nAnswer given: %(answer)s (score %(score)s/100)") % {
            "question": question.text,
            "answer": answer_label(question, answer),
            "score": format_number(score),
        }
        return finding, question.help or str(GENERIC_ACTION)


def _record(
    item: ImprovementItem, *, from_status: str, actor: User | None, note: str = ""
) -> ImprovementItemEvent:
    """One step of the item's history, with the note written at it and its language."""
    return ImprovementItemEvent.objects.create(
        item=item,
        from_status=from_status,
        to_status=item.status,
        actor=actor,
        note=note,
        note_language=(translation.get_language() or "en")[:2] if note else "",
    )


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


@access.rule("assessments.ImprovementItem", Action.REVIEW_ASSESSMENTS)
def may_follow_up(user: User | None, item: ImprovementItem) -> bool:
    """Whether the user may verify, close or reopen the item. Information-security
    assessors follow up information-security items only, as they review only those
    questionnaires (registered when assessments is ready; callers ask
    ``access.can(user, Action.REVIEW_ASSESSMENTS, item)``)."""
    if not access.can(user, Action.REVIEW_ASSESSMENTS):
        return False
    if not access.can(user, Action.REVIEW_EVERY_QUESTIONNAIRE):
        return item.risk.code == "information_security"
    return True


def _require_reviewer(actor: User, item: ImprovementItem) -> None:
    access.require(actor, Action.REVIEW_ASSESSMENTS, item, _("Only reviewers can do this."))


PLAN_FILE_KINDS = ("pdf", "png", "jpeg", "xlsx", "docx")
PLAN_MAX_FILES = 5
PLAN_FOLDER = "action-plans"


def _checked_files(files: Sequence[UploadedFile]) -> list[str]:
    """Each file's kind, by the one upload check; a ValidationError under ``files``."""
    files = [f for f in files if f]
    if len(files) > PLAN_MAX_FILES:
        raise ValidationError(
            {"files": [_("At most %(max)s files per action plan.") % {"max": PLAN_MAX_FILES}]}
        )
    kinds = []
    for uploaded in files:
        try:
            kinds.append(validate_upload(uploaded, allowed=PLAN_FILE_KINDS))
        except ValidationError as exc:
            name = display_name(uploaded.name)
            raise ValidationError(
                {"files": [f"{name}: {message}" for message in exc.messages]}
            ) from None
    return kinds


def _store_files(
    *,
    item: ImprovementItem,
    event: ImprovementItemEvent,
    actor: User,
    files: Sequence[UploadedFile],
    kinds: list[str],
) -> None:
    """Store checked files privately; if storing one fails, none stays on disk."""
    stored: list[str] = []
    try:
        for uploaded, kind in zip([f for f in files if f], kinds, strict=True):
            name = private_storage.save(f"{PLAN_FOLDER}/{safe_storage_name(kind)}", uploaded)
            stored.append(name)
            ImprovementEvidence.objects.create(
                item=item,
                event=event,
                file=name,
                original_name=display_name(uploaded.name),
                content_type=KIND_CONTENT_TYPES[kind],
                size=uploaded.size,
                uploaded_by=actor,
            )
    except Exception:
        for name in stored:
            private_storage.delete(name)
        raise


def _clean_text(value: str, *, field: str, required: str = "") -> str:
    """The text stripped; ``required`` is the message when it must not be empty."""
    return clean_text(value, field=field, max_length=NOTE_MAX, required_message=required or None)


@transaction.atomic
def item_action_plan_submit(
    *, actor: User, item_id: int, action_plan: str, files: Sequence[UploadedFile] = ()
) -> ImprovementItem:
    """The supplier says how and by when it will fix the item (open -> plan submitted),
    with evidence files if it has them (PDF, images, Excel, Word: judged by content by the
    one upload check; at most ``PLAN_MAX_FILES`` per plan). A bad file refuses the whole
    plan and stores nothing."""
    item = _locked_item(actor=actor, item_id=item_id)
    if not access.can(actor, Action.ANSWER_ASSESSMENTS):
        raise PermissionDenied(_("Only the supplier's users submit action plans."))
    plan = _clean_text(action_plan, field="action_plan", required=_("Write an action plan."))
    _require_state(item, {ST.OPEN}, _("given an action plan"))
    kinds = _checked_files(files)
    item.action_plan = plan
    item.action_plan_submitted_at = timezone.now()
    item.status = ST.ACTION_PLAN_SUBMITTED
    item.save(update_fields=["action_plan", "action_plan_submitted_at", "status", "updated_at"])
    event = _record(item, from_status=ST.OPEN, actor=actor, note=plan)
    _store_files(item=item, event=event, actor=actor, files=files, kinds=kinds)
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
    _record(item, from_status=ST.ACTION_PLAN_SUBMITTED, actor=actor, note=note)
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
    _record(item, from_status=ST.VERIFIED, actor=actor, note=note)
    notices.item_followed_up(item=item, kind=notices.K.ITEM_CLOSED, note=note)
    return item


@transaction.atomic
def item_reopen(*, actor: User, item_id: int, note: str) -> ImprovementItem:
    """Staff send the item back to the supplier with a note saying what is missing."""
    item = _locked_item(actor=actor, item_id=item_id)
    _require_reviewer(actor, item)
    note = _clean_text(note, field="note", required=_("Say what the plan is missing."))
    _require_state(item, {ST.ACTION_PLAN_SUBMITTED, ST.VERIFIED}, _("reopened"))
    before = item.status
    item.status = ST.OPEN
    item.review_note = note
    item.verified_by = None
    item.verified_at = None
    item.save(update_fields=["status", "review_note", "verified_by", "verified_at", "updated_at"])
    _record(item, from_status=before, actor=actor, note=note)
    notices.item_followed_up(item=item, kind=notices.K.ITEM_REOPENED, note=note)
    return item
