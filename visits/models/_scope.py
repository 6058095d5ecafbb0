"""Who sees which visits: narrower than the supplier scope the other records have.

A supplier user sees its own visits only once the improvement-guidance letter is issued
(the record is the company's working file until then); reviewers who may not review
every questionnaire kind (information-security assessors) see information-security
visits only; every other company role sees all visits. The rule is written once here,
for the visit and for each record below it (``prefix`` is the path to the visit), and
every ``visible_to`` of these models applies it after the supplier scope.
"""

from __future__ import annotations

from django.db import models

from procurement_portal import access
from procurement_portal.access import Action, ScopedQuerySet

INFOSEC = "infosec"


def visible_kinds(user) -> frozenset[str] | None:
    """The visit kinds the user sees and logs (None: every kind)."""
    if access.can(user, Action.REVIEW_ASSESSMENTS) and not access.can(
        user, Action.REVIEW_EVERY_QUESTIONNAIRE
    ):
        return frozenset({INFOSEC})
    return None


def filter_visits(user, queryset: models.QuerySet, prefix: str = "") -> models.QuerySet:
    """The rows of ``queryset`` (visits, or records under a visit at ``prefix``) whose
    visit the user may see, among those already in the user's supplier scope."""
    if access.is_supplier_user(user):
        return queryset.filter(**{f"{prefix}letter_issued_at__isnull": False})
    kinds = visible_kinds(user)
    if kinds is not None:
        return queryset.filter(**{f"{prefix}kind__in": sorted(kinds)})
    return queryset


def visit_visible(user, visit) -> bool:
    """``filter_visits`` for one visit already in the user's supplier scope."""
    if not access.sees(user, visit):
        return False
    if access.is_supplier_user(user):
        return visit.letter_issued_at is not None
    kinds = visible_kinds(user)
    return kinds is None or visit.kind in kinds


class VisitScopedQuerySet(ScopedQuerySet):
    """The supplier scope, then the visit rule above; ``visit_prefix`` is set per model."""

    visit_prefix = ""

    def visible_to(self, user, action=access.VIEW):
        return filter_visits(user, super().visible_to(user, action), self.visit_prefix)


class UnderVisitQuerySet(VisitScopedQuerySet):
    visit_prefix = "visit__"


def may_log_kind(user, kind: str) -> bool:
    """Whether the user may log, change and submit visits of this kind (reviewers: the
    roles that assess suppliers, within the kinds they see)."""
    if not access.can(user, Action.REVIEW_ASSESSMENTS):
        return False
    kinds = visible_kinds(user)
    return kinds is None or kind in kinds


@access.rule("visits.Visit", Action.REVIEW_ASSESSMENTS)
def may_log(user, visit) -> bool:
    """Object rule: ``access.require(user, Action.REVIEW_ASSESSMENTS, visit)`` before any
    change to a visit (registered when the models load)."""
    return visit_visible(user, visit) and may_log_kind(user, visit.kind)
