"""Reads of visits that the pages and the API share, already scoped to the user and
carrying what they show (no queries from templates)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from assessments.models import ImprovementItem, ImprovementStatus

from .models import (
    FINDING_OUTCOMES,
    GuidanceCategory,
    Visit,
    VisitAnswer,
    VisitFollowUp,
    VisitPhoto,
)
from .models._scope import may_log_kind, visible_kinds

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User


def visit_list(
    *, user: User, kind: str = "", status: str = "", fiscal_year: int | None = None
) -> QuerySet[Visit]:
    rows = (
        Visit.objects.visible_to(user)
        .select_related("supplier", "site", "template")
        .annotate(
            finding_count=Count("answers", filter=Q(answers__outcome__in=list(FINDING_OUTCOMES)))
        )
        .order_by("-visit_date", "-id")
    )
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if fiscal_year:
        rows = rows.filter(fiscal_year=fiscal_year)
    return rows


def visit_detail(*, user: User, pk: int) -> Visit:
    """One visit with its answers (item, risk, category, raised item), photos, follow-ups
    and amendments; ``Visit.DoesNotExist`` when the user does not see it."""
    photos = VisitPhoto.objects.order_by("created_at", "id")
    return (
        Visit.objects.visible_to(user)
        .select_related("supplier", "site", "template", "submitted_by", "created_by")
        .prefetch_related(
            "visited_by",
            Prefetch(
                "answers",
                queryset=VisitAnswer.objects.select_related(
                    "item__risk", "guidance_category", "improvement_item"
                )
                .prefetch_related(Prefetch("photos", queryset=photos))
                .order_by("item__position", "id"),
            ),
            Prefetch("photos", queryset=photos.filter(answer__isnull=True), to_attr="visit_photos"),
            Prefetch(
                "follow_ups",
                queryset=VisitFollowUp.objects.select_related("improvement_item__risk"),
            ),
            "amendments__by",
        )
        .get(pk=pk)
    )


def followable_items(*, user: User, visit: Visit) -> QuerySet[ImprovementItem]:
    """Earlier improvement items of the visit's supplier that a re-visit may close or
    reopen (an action plan sent or verified), none raised by this visit."""
    return (
        ImprovementItem.objects.visible_to(user)
        .filter(
            supplier_id=visit.supplier_id,
            status__in=[ImprovementStatus.ACTION_PLAN_SUBMITTED, ImprovementStatus.VERIFIED],
        )
        .exclude(visit_answer__visit=visit)
        .select_related("risk")
        .order_by("due_date", "id")
    )


def categories() -> list[GuidanceCategory]:
    return list(GuidanceCategory.objects.order_by("position", "code"))


def loggable_kinds(user: User) -> list[str]:
    """The visit kinds the user may log (empty: the user logs none)."""
    from .models import VisitKind

    kinds = visible_kinds(user)
    return [k.value for k in VisitKind if (kinds is None or k in kinds) and may_log_kind(user, k)]
