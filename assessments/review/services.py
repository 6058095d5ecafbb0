"""The company's review of a submitted self-assessment, and information-security levels.

Reviewers comment on single answers, return the assessment for clarification or accept
it. Acceptance stores the scores, sets the supplier's information-security level (for an
information-security questionnaire) and raises improvement items, all in one
transaction. Status moves go through ``assessments.workflow.assessment_transition``
(row lock, allowed moves, history), so a second accept or return is a conflict (409)
that changes nothing.

Information-security assessors review information-security questionnaires only;
procurement staff and administrators review every kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.text import clean_text

from .. import notices
from ..items import items_raise_for_assessment
from ..models import (
    Answer,
    AnswerComment,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    InformationSecurityLevel,
    QuestionnaireKind,
)
from ..scoring import ScoreReport, assessment_score_save, current_policy
from ..workflow import TransitionConflict, assessment_transition

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

    from ..models import ScoringPolicy

S = AssessmentStatus
COMMENT_MAX = 4000
NOTE_MAX = 4000
COMMENTABLE = frozenset({S.SUBMITTED, S.RETURNED})


def reviewable_kinds(user: User | None) -> frozenset[str] | None:
    """The questionnaire kinds the user may review (and sees in the queue): None for every
    kind. Reviewers without ``REVIEW_EVERY_QUESTIONNAIRE`` review information security."""
    if access.can(user, Action.REVIEW_ASSESSMENTS) and not access.can(
        user, Action.REVIEW_EVERY_QUESTIONNAIRE
    ):
        return frozenset({QuestionnaireKind.INFORMATION_SECURITY})
    return None


@access.rule("assessments.Assessment", Action.REVIEW_ASSESSMENTS)
def review_rule(user: User, assessment: Assessment) -> bool:
    """Who may comment on, return and accept this assessment (registered when assessments
    is ready; ask ``access.can(user, Action.REVIEW_ASSESSMENTS, assessment)``)."""
    if not access.can(user, Action.REVIEW_ASSESSMENTS):
        return False
    kinds = reviewable_kinds(user)
    return kinds is None or assessment.questionnaire.kind in kinds


@access.row_rule("assessments.Assessment", Action.REVIEW_ASSESSMENTS)
def review_rows(user: User, queryset):
    """The assessments the user may review, among those they see."""
    kinds = reviewable_kinds(user)
    return queryset if kinds is None else queryset.filter(questionnaire__kind__in=kinds)


def _require_reviewer(actor: User, assessment: Assessment) -> None:
    access.require(
        actor,
        Action.REVIEW_ASSESSMENTS,
        assessment,
        _("You may not review this self-assessment."),
    )


def _visible_assessment(actor: User, assessment_id: int) -> Assessment:
    """The assessment among those the actor sees (else Assessment.DoesNotExist: 404)."""
    return (
        Assessment.objects.visible_to(actor)
        .select_related("questionnaire", "supplier")
        .get(pk=assessment_id)
    )


def _clean(value: str, *, field: str, limit: int, required_message: str | None) -> str:
    return clean_text(value, field=field, max_length=limit, required_message=required_message)


def conflict_message(assessment_id: int, exc: TransitionConflict) -> str:
    """The conflict in words, naming who made the last move and when ("already accepted
    by Bunta Buyer on 2 Dec 2026")."""
    event = (
        AssessmentEvent.objects.filter(assessment_id=assessment_id)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if event is None or event.to_status not in (S.ACCEPTED, S.RETURNED):
        return exc.message
    who = event.actor.get_full_name() if event.actor else _("someone")
    when = date_format(localtime(event.at), "DATETIME_FORMAT")
    if event.to_status == S.ACCEPTED:
        return _("This self-assessment was already accepted by %(who)s on %(when)s.") % {
            "who": who,
            "when": when,
        }
    return _("This self-assessment was already returned by %(who)s on %(when)s.") % {
        "who": who,
        "when": when,
    }


def _transition(*, actor: User, assessment: Assessment, to: str, note: str) -> Assessment:
    try:
        return assessment_transition(assessment_id=assessment.pk, to=to, actor=actor, note=note)
    except TransitionConflict as exc:
        raise TransitionConflict(conflict_message(assessment.pk, exc), status=exc.status) from exc


@transaction.atomic
def answer_comment_add(*, actor: User, answer_id: int, body: str) -> AnswerComment:
    """A reviewer's comment on one answer; the supplier sees it when the assessment is
    returned. Allowed while the assessment is submitted or returned."""
    answer = (
        Answer.objects.visible_to(actor)
        .select_related("assessment__questionnaire")
        .get(pk=answer_id)
    )
    _require_reviewer(actor, answer.assessment)
    text = _clean(body, field="body", limit=COMMENT_MAX, required_message=_("Write a comment."))
    assessment = Assessment.objects.select_for_update().get(pk=answer.assessment_id)
    if assessment.status not in COMMENTABLE:
        raise TransitionConflict(
            _("This self-assessment is %(status)s: answers cannot be commented on now.")
            % {"status": S(assessment.status).label.lower()},
            status=assessment.status,
        )
    return AnswerComment.objects.create(answer=answer, author=actor, body=text)


def _thread_root(actor: User, comment_id: int) -> AnswerComment:
    """The first comment of the thread holding ``comment_id``, locked, among the comments
    the actor may see (a supplier's users do not see the reviewers' comments of a review
    in progress): else AnswerComment.DoesNotExist (404)."""
    from .selectors import comment_list

    comment = comment_list(user=actor).get(pk=comment_id)
    root_id = comment.parent_id or comment.pk
    return (
        AnswerComment.objects.select_for_update()
        .select_related("answer__assessment__questionnaire", "answer__question__section")
        .get(pk=root_id)
    )


@transaction.atomic
def answer_comment_reply(*, actor: User, comment_id: int, body: str) -> AnswerComment:
    """A reply in the thread of a reviewer's comment on an answer.

    The supplier's users reply while the assessment is returned to them; reviewers while
    it is submitted or returned. A resolved thread stays readable but takes no replies.
    The other side is told (``notices.comment_replied``).
    """
    root = _thread_root(actor, comment_id)
    assessment = root.answer.assessment
    if actor.is_portal_staff:
        _require_reviewer(actor, assessment)
        allowed = COMMENTABLE
    else:
        if not access.can(actor, Action.ANSWER_ASSESSMENTS):
            raise PermissionDenied(_("You may not reply to comments."))
        allowed = frozenset({S.RETURNED})
    text = _clean(body, field="body", limit=COMMENT_MAX, required_message=_("Write a reply."))
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status not in allowed:
        raise TransitionConflict(
            _("This self-assessment is %(status)s: comments cannot be replied to now.")
            % {"status": S(assessment.status).label.lower()},
            status=assessment.status,
        )
    if root.resolved_at:
        raise ValidationError({"body": _("This thread is resolved: it takes no more replies.")})
    reply = AnswerComment.objects.create(answer=root.answer, parent=root, author=actor, body=text)
    notices.comment_replied(reply=reply, root=root, actor=actor)
    return reply


@transaction.atomic
def answer_comment_resolve(*, actor: User, comment_id: int, resolved: bool = True) -> AnswerComment:
    """A reviewer marks a thread resolved (or open again). Resolved threads stay readable
    to both sides; marking twice changes nothing."""
    root = _thread_root(actor, comment_id)
    _require_reviewer(actor, root.answer.assessment)
    if resolved and root.resolved_at is None:
        root.resolved_at = timezone.now()
        root.resolved_by = actor
    elif not resolved and root.resolved_at is not None:
        root.resolved_at = None
        root.resolved_by = None
    else:
        return root
    root.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    return root


def _comments_this_round(assessment: Assessment) -> bool:
    """Whether a reviewer commented on an answer since the last submission."""
    comments = AnswerComment.objects.filter(answer__assessment=assessment)
    if assessment.submitted_at:
        comments = comments.filter(created_at__gte=assessment.submitted_at)
    return comments.exists()


@transaction.atomic
def assessment_return(*, actor: User, assessment_id: int, note: str = "") -> Assessment:
    """Send a submitted assessment back to the supplier for clarification.

    Needs a note or at least one comment on an answer made since it was submitted, so
    that the supplier knows what to fix.
    """
    assessment = _visible_assessment(actor, assessment_id)
    _require_reviewer(actor, assessment)
    note = _clean(note, field="note", limit=NOTE_MAX, required_message=None)
    if assessment.status == S.SUBMITTED and not note and not _comments_this_round(assessment):
        raise ValidationError(
            {
                "note": _(
                    "Say what needs clarification: write a note, or comment on at least "
                    "one answer first."
                )
            }
        )
    returned = _transition(actor=actor, assessment=assessment, to=S.RETURNED, note=note)
    event = AssessmentEvent.objects.filter(assessment=returned).order_by("-at", "-id").first()
    notices.assessment_returned(assessment=assessment, event=event)
    return returned


@transaction.atomic
def assessment_accept(*, actor: User, assessment_id: int, note: str = "") -> ScoreReport:
    """Accept a submitted assessment: store its scores, set the information-security
    level (for that kind of questionnaire) and raise improvement items. Returns the
    stored score report."""
    assessment = _visible_assessment(actor, assessment_id)
    _require_reviewer(actor, assessment)
    note = _clean(note, field="note", limit=NOTE_MAX, required_message=None)
    accepted = _transition(actor=actor, assessment=assessment, to=S.ACCEPTED, note=note)
    policy = current_policy()
    report = assessment_score_save(assessment_id=accepted.pk, policy=policy)
    accepted.refresh_from_db()
    if assessment.questionnaire.kind == QuestionnaireKind.INFORMATION_SECURITY:
        infosec_level_set_from_assessment(assessment=accepted, policy=policy, report=report)
    items = items_raise_for_assessment(assessment=accepted, policy=policy)
    notices.assessment_accepted(assessment=assessment, note=note, items=items)
    return report


# --- information-security levels --------------------------------------------------------


@transaction.atomic
def infosec_level_set_from_assessment(
    *, assessment: Assessment, policy: ScoringPolicy, report: ScoreReport
) -> InformationSecurityLevel | None:
    """Set the supplier's level for the assessment's fiscal year from its overall score.

    A level staff overrode keeps the override; only the computed level is updated, so
    the page can show both. No score (nothing scored) sets nothing.
    """
    computed = policy.infosec_level_for(report.overall)
    if computed is None:
        return None
    level = (
        InformationSecurityLevel.objects.select_for_update()
        .filter(supplier_id=assessment.supplier_id, fiscal_year=assessment.fiscal_year)
        .first()
    )
    if level is None:
        return InformationSecurityLevel.objects.create(
            supplier_id=assessment.supplier_id,
            fiscal_year=assessment.fiscal_year,
            level=computed,
            computed_level=computed,
            assessment=assessment,
        )
    level.computed_level = computed
    level.assessment = assessment
    if not level.overridden:
        level.level = computed
    level.save(update_fields=["computed_level", "assessment", "level", "updated_at"])
    return level


def policy_levels(policy: ScoringPolicy) -> list[int]:
    return sorted({row["level"] for row in policy.infosec_levels})


@transaction.atomic
def infosec_level_override(
    *, actor: User, supplier_id: int, fiscal_year: int, level: int, reason: str
) -> InformationSecurityLevel:
    """Staff set a supplier's level for a year by hand, with a reason. The audit history
    keeps every earlier value and reason."""
    if not access.can(actor, Action.REVIEW_ASSESSMENTS):
        raise PermissionDenied(_("Only reviewers may set information-security levels."))
    from procurement_portal.fiscal import validate_fiscal_year
    from suppliers.models import Supplier

    supplier = Supplier.objects.visible_to(actor).get(pk=supplier_id)
    reason = _clean(
        reason,
        field="reason",
        limit=NOTE_MAX,
        required_message=_("Give a reason for the override."),
    )
    allowed = policy_levels(current_policy())
    if level not in allowed:
        raise ValidationError(
            {
                "level": _("Choose one of the levels %(levels)s.")
                % {"levels": ", ".join(str(n) for n in allowed)}
            }
        )
    try:
        validate_fiscal_year(fiscal_year)
    except ValidationError as exc:
        raise ValidationError({"fiscal_year": exc.messages}) from exc
    row, _created = InformationSecurityLevel.objects.select_for_update().get_or_create(
        supplier=supplier,
        fiscal_year=fiscal_year,
        defaults={"level": level, "overridden": True, "override_reason": reason, "set_by": actor},
    )
    if not _created:
        row.level = level
        row.overridden = True
        row.override_reason = reason
        row.set_by = actor
        row.save(update_fields=["level", "overridden", "override_reason", "set_by", "updated_at"])
    notices.level_overridden(level=row)
    return row
