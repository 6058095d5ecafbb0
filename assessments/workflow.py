"""The assessment's states and the one function that moves between them.

Both sides call ``assessment_transition``: the supplier's answering (start, submit) and
the company's review (return, accept). It locks the assessment row, checks that the move
is allowed from the state the row is in *now* (so two reviewers, or a double submit,
cannot both succeed), records the step in the status history and saves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement_portal.core.errors import Conflict

from .models import Assessment, AssessmentEvent, AssessmentStatus

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

S = AssessmentStatus

ALLOWED: dict[str, frozenset[str]] = {
    S.NOT_STARTED: frozenset({S.IN_PROGRESS, S.SUBMITTED}),
    S.IN_PROGRESS: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.RETURNED, S.ACCEPTED}),
    S.RETURNED: frozenset({S.SUBMITTED}),
    S.ACCEPTED: frozenset(),
}


class TransitionConflict(Conflict):
    """The assessment (or item, campaign) is not in a state that allows this step; the
    ground floor's ``Conflict``, so the API answers it as its one 409."""

    code = "state"

    def __init__(self, message: str, *, status: str):
        super().__init__(message, status=status)


@transaction.atomic
def assessment_transition(
    *, assessment_id: int, to: str, actor: User | None, note: str = ""
) -> Assessment:
    """Move the assessment to ``to``; raises TransitionConflict when it cannot go there."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment_id)
    current = assessment.status
    if to not in ALLOWED[current]:
        raise TransitionConflict(
            _("This self-assessment is %(status)s: it cannot be %(action)s now.")
            % {"status": S(current).label.lower(), "action": _ACTION_WORDS[to]},
            status=current,
        )
    now = timezone.now()
    assessment.status = to
    fields = ["status", "updated_at"]
    if to == S.SUBMITTED:
        assessment.submitted_at = now
        fields.append("submitted_at")
    elif to in (S.RETURNED, S.ACCEPTED):
        assessment.reviewed_at = now
        fields.append("reviewed_at")
    assessment.save(update_fields=fields)
    AssessmentEvent.objects.create(
        assessment=assessment, from_status=current, to_status=to, actor=actor, note=note
    )
    return assessment


_ACTION_WORDS = {
    S.IN_PROGRESS: gettext_lazy("started"),
    S.SUBMITTED: gettext_lazy("submitted"),
    S.RETURNED: gettext_lazy("returned"),
    S.ACCEPTED: gettext_lazy("accepted"),
    S.NOT_STARTED: gettext_lazy("reset"),
}
