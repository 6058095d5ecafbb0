"""The self-assessment panel of the staff supplier page.

``suppliers`` sits below ``assessments`` and must not import it, so this module registers
a provider with ``suppliers.panels`` (from ``AssessmentsConfig.ready()``): the supplier
page asks for it without knowing what it holds. The selector below is scoped
(``visible_to``) and costs three queries however many years, assessments and items the
supplier has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Window
from django.utils import timezone

from procurement_portal import access
from procurement_portal.fiscal import FiscalYear, current_fiscal_year
from suppliers.panels import Panel

from .models import (
    Assessment,
    ImprovementItem,
    ImprovementStatus,
    InformationSecurityLevel,
    QuestionnaireKind,
)

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User
    from suppliers.models import Supplier

OPEN_ITEMS_SHOWN = 10
# Still waiting for the supplier to act (what "overdue" means on the items list too).
_OUTSTANDING = (ImprovementStatus.OPEN, ImprovementStatus.ACTION_PLAN_SUBMITTED)


@dataclass(frozen=True)
class SupplierAssessments:
    assessments: list[Assessment]  # newest fiscal year first
    current_level: InformationSecurityLevel | None  # this fiscal year's, if set
    past_levels: list[tuple[FiscalYear, InformationSecurityLevel]]  # newest first
    open_items: list[ImprovementItem]  # not closed, soonest due first, at most the cap
    open_item_count: int
    overdue_ids: frozenset[int]


def supplier_assessments(*, user: User, supplier: Supplier) -> SupplierAssessments:
    """A supplier's self-assessments, information-security levels and open items."""
    assessments = list(
        Assessment.objects.visible_to(user)
        .filter(supplier_id=supplier.pk)
        .select_related("questionnaire", "version")
        .order_by("-fiscal_year", "questionnaire__kind", "questionnaire__code")
    )
    levels = list(
        InformationSecurityLevel.objects.visible_to(user)
        .filter(supplier_id=supplier.pk)
        .order_by("-fiscal_year")
    )
    # One query for the first items and how many there are in all.
    items = list(
        ImprovementItem.objects.visible_to(user)
        .filter(supplier_id=supplier.pk)
        .exclude(status=ImprovementStatus.CLOSED)
        .select_related("risk")
        .annotate(total=Window(Count("pk")))
        .order_by("due_date", "id")[:OPEN_ITEMS_SHOWN]
    )
    today = timezone.localdate()
    this_year = current_fiscal_year().year
    return SupplierAssessments(
        assessments=assessments,
        current_level=next((lv for lv in levels if lv.fiscal_year == this_year), None),
        past_levels=[
            (FiscalYear(lv.fiscal_year), lv) for lv in levels if lv.fiscal_year != this_year
        ],
        open_items=items,
        open_item_count=items[0].total if items else 0,
        overdue_ids=frozenset(
            i.pk for i in items if i.status in _OUTSTANDING and i.due_date < today
        ),
    )


def panel(*, user: User, supplier: Supplier) -> Panel | None:
    """The panel for company-side users; a supplier user has their own home for this."""
    if not access.sees_all_suppliers(user):
        return None
    data = supplier_assessments(user=user, supplier=supplier)
    return Panel(
        template="assessments/_supplier_panel.html",
        context={
            "data": data,
            "infosec_kind": QuestionnaireKind.INFORMATION_SECURITY,
            "may_review": access.can(user, access.Action.REVIEW_ASSESSMENTS),
        },
        order=10,
    )
