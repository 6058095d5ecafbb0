"""Who sees which visits: narrower than the supplier scope the other records have.

A supplier user sees its own visits only once the improvement-guidance letter is issued
(the record is the company's working file until then); reviewers who may not review
every questionnaire kind (information-security assessors) see information-security
visits only; every other company role sees all visits. The rule is written once here,
for the visit and for each record below it (``prefix`` is the path to the visit), and
registered with the access policy as the ``VIEW`` row filter and object rule of each
model, so ``visible_to``, ``sees`` and ``require`` apply it after the supplier scope.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

from procurement_portal import access
from procurement_portal.access import Action

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


def _visit_seen(user, visit) -> bool:
    """``filter_visits`` for one visit already in the user's supplier scope."""
    if access.is_supplier_user(user):
        return visit.letter_issued_at is not None
    kinds = visible_kinds(user)
    return kinds is None or visit.kind in kinds


def visit_visible(user, visit) -> bool:
    """Whether the user sees the visit (scope and the rule above)."""
    return access.sees(user, visit)


# Registered with the access policy for the visit and each record below it, so every
# read (``visible_to``, the API's scoped base, ``sees`` and ``require``) applies it.
UNDER_VISIT = ("VisitAnswer", "VisitChange", "VisitPhoto", "VisitAmendment", "VisitFollowUp")


def _visit_rows(user, rows):
    return filter_visits(user, rows)


def _rows_under_visit(user, rows):
    return filter_visits(user, rows, "visit__")


def _under_visit_seen(user, obj) -> bool:
    return _visit_seen(user, obj.visit)


access.row_rule("visits.Visit", access.VIEW)(_visit_rows)
access.rule("visits.Visit", access.VIEW)(_visit_seen)
for _model in UNDER_VISIT:
    access.row_rule(f"visits.{_model}", access.VIEW)(_rows_under_visit)
    access.rule(f"visits.{_model}", access.VIEW)(_under_visit_seen)


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


# An improvement item raised by a visit reaches the supplier with the visit's letter, not
# before: until then the finding is the company's working file like the visit itself.
def _items_rows(user, rows):
    if not access.is_supplier_user(user):
        return rows
    # A subquery, not a join: the item workflow locks these rows (FOR UPDATE), which
    # PostgreSQL refuses on the nullable side of an outer join.
    issued = (
        apps.get_model("visits", "VisitAnswer")
        .objects.filter(visit__letter_issued_at__isnull=False, improvement_item__isnull=False)
        .values("improvement_item_id")
    )
    return rows.filter(~models.Q(source="site_visit") | models.Q(pk__in=issued))


def _item_seen(user, item) -> bool:
    if not access.is_supplier_user(user) or item.source != "site_visit":
        return True
    return (
        type(item)
        ._default_manager.filter(pk=item.pk, visit_answer__visit__letter_issued_at__isnull=False)
        .exists()
    )


access.row_rule("assessments.ImprovementItem", access.VIEW)(_items_rows)
access.rule("assessments.ImprovementItem", access.VIEW)(_item_seen)
