"""The visit plan: suppliers ranked by a priority score that shows its parts.

For a fiscal year, each active supplier gets five components from 0 to 100, by the
thresholds of the active ``VisitPlanPolicy`` version:

* **spend**: the latest procurement amount up to that year, as a share of the policy's
  "spend counting in full" (more business, more exposure);
* **information**: 100 when the supplier handles confidential information, else 0;
* **confidentiality**: the latest information-security level up to that year, as a share
  of the level counting in full (the higher the level, the more confidential the work
  it may be given, and the more a lapse costs);
* **self-assessment**: 100 minus the overall score of the latest accepted
  self-assessment (a weak result asks for a look on site); the policy's points when
  there is none;
* **time since visit**: months from the last submitted visit to the year's start, as a
  share of the months counting in full (never visited: 100).

The score is the weighted mean of the five. One query reads every input (annotations
with subqueries); the arithmetic is done here, where each row keeps its parts for the
page to show. Staff turn chosen rows into planned visits through ``visit_create``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Assessment, AssessmentStatus, InformationSecurityLevel
from procurement_portal.fiscal import FiscalYear
from suppliers.models import Supplier, SupplierSpend, SupplierStatus

from .models import Visit, VisitPlanPolicy, VisitStatus
from .services import visit_create

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

HUNDRED = Decimal(100)
COMPONENTS = (
    ("spend", gettext_lazy("Spend")),
    ("information", gettext_lazy("Information handled")),
    ("confidentiality", gettext_lazy("Confidentiality level")),
    ("self_assessment", gettext_lazy("Self-assessment result")),
    ("time_since_visit", gettext_lazy("Time since last visit")),
)


@dataclass
class PlanRow:
    supplier: Supplier
    spend: Decimal | None
    currency: str
    level: int | None
    assessment_score: Decimal | None
    last_visit: object
    months_since_visit: int | None
    planned: bool
    components: dict[str, Decimal] = field(default_factory=dict)
    score: Decimal = Decimal(0)
    recommended: bool = False
    rank: int = 0

    @property
    def parts(self) -> list[tuple[str, str, Decimal]]:
        return [(key, str(label), self.components[key]) for key, label in COMPONENTS]


def active_policy() -> VisitPlanPolicy | None:
    return VisitPlanPolicy.objects.filter(is_active=True).order_by("-version").first()


def _latest(queryset, value: str):
    return Subquery(queryset.order_by("-fiscal_year").values(value)[:1])


def plan_queryset(*, actor: User, fiscal_year: int):
    """Every active supplier the actor sees, with the plan's inputs as annotations."""
    year = FiscalYear(fiscal_year)
    spend = SupplierSpend.objects.filter(supplier=OuterRef("pk"), fiscal_year__lte=fiscal_year)
    levels = InformationSecurityLevel.objects.filter(
        supplier=OuterRef("pk"), fiscal_year__lte=fiscal_year
    )
    accepted = Assessment.objects.filter(
        supplier=OuterRef("pk"),
        status=AssessmentStatus.ACCEPTED,
        fiscal_year__lte=fiscal_year,
        overall_score__isnull=False,
    ).order_by("-fiscal_year", "-reviewed_at")
    visits = Visit.objects.filter(
        supplier=OuterRef("pk"), status=VisitStatus.SUBMITTED, visit_date__lt=year.start
    ).order_by("-visit_date")
    planned = Visit.objects.filter(supplier=OuterRef("pk"), fiscal_year=fiscal_year)
    return (
        Supplier.objects.visible_to(actor)
        .filter(status=SupplierStatus.ACTIVE)
        .annotate(
            plan_spend=_latest(spend, "amount"),
            plan_currency=_latest(spend, "currency"),
            plan_level=_latest(levels, "level"),
            plan_assessment=Subquery(accepted.values("overall_score")[:1]),
            plan_last_visit=Subquery(visits.values("visit_date")[:1]),
            plan_has_visit=Exists(planned),
        )
        .only("pk", "code", "legal_name", "local_name", "handles_confidential_info", "country")
    )


def _share(value: Decimal, full: Decimal) -> Decimal:
    return min(HUNDRED, max(Decimal(0), value * HUNDRED / full))


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def score_row(row: PlanRow, policy: VisitPlanPolicy, year: FiscalYear) -> None:
    """Fill in the row's components, score and recommendation from the policy."""
    c = row.components
    c["spend"] = _share(row.spend or Decimal(0), policy.spend_full_amount)
    c["information"] = HUNDRED if row.supplier.handles_confidential_info else Decimal(0)
    c["confidentiality"] = (
        _share(Decimal(row.level), Decimal(policy.top_confidentiality_level))
        if row.level
        else Decimal(0)
    )
    c["self_assessment"] = (
        HUNDRED - Decimal(row.assessment_score)
        if row.assessment_score is not None
        else Decimal(policy.no_assessment_points)
    )
    if row.last_visit is None:
        c["time_since_visit"] = HUNDRED
    else:
        start = year.start
        months = (start.year - row.last_visit.year) * 12 + start.month - row.last_visit.month
        row.months_since_visit = max(0, months)
        c["time_since_visit"] = _share(Decimal(row.months_since_visit), Decimal(policy.months_full))
    for key in c:
        c[key] = _round(c[key])
    weights = policy.weights
    total = sum(weights.values(), Decimal(0))
    row.score = _round(sum((c[k] * weights[k] for k in c), Decimal(0)) / total)
    row.recommended = row.score >= policy.recommend_from


def plan_rows(*, actor: User, fiscal_year: int, policy: VisitPlanPolicy) -> list[PlanRow]:
    """The ranked plan (highest score first, then supplier code)."""
    year = FiscalYear(fiscal_year)
    rows = []
    for supplier in plan_queryset(actor=actor, fiscal_year=fiscal_year):
        row = PlanRow(
            supplier=supplier,
            spend=supplier.plan_spend,
            currency=supplier.plan_currency or "",
            level=supplier.plan_level,
            assessment_score=supplier.plan_assessment,
            last_visit=supplier.plan_last_visit,
            months_since_visit=None,
            planned=supplier.plan_has_visit,
        )
        score_row(row, policy, year)
        rows.append(row)
    rows.sort(key=lambda r: (-r.score, r.supplier.code))
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows


@transaction.atomic
def plan_visits_create(
    *, actor: User, fiscal_year: int, kind: str, supplier_ids: list[int]
) -> list[Visit]:
    """Planned visits of ``kind`` for the chosen rows, each keeping the policy version and
    the score it was chosen with. A supplier already holding a visit of this kind for
    the year gets no second one (so sending the form twice plans nothing twice)."""
    policy = active_policy()
    if policy is None:
        raise ValidationError({"policy": _("No visit plan policy is active.")})
    if not supplier_ids:
        raise ValidationError({"suppliers": _("Choose at least one supplier.")})
    wanted = set(supplier_ids)
    rows = {
        r.supplier.pk: r
        for r in plan_rows(actor=actor, fiscal_year=fiscal_year, policy=policy)
        if r.supplier.pk in wanted
    }
    if len(rows) != len(wanted):
        raise ValidationError({"suppliers": _("Choose active suppliers from the plan.")})
    existing = set(
        Visit.objects.filter(
            supplier_id__in=wanted, fiscal_year=fiscal_year, kind=kind
        ).values_list("supplier_id", flat=True)
    )
    return [
        visit_create(
            actor=actor,
            supplier_id=pk,
            kind=kind,
            planned=True,
            fiscal_year=fiscal_year,
            plan_policy=policy,
            plan_score=rows[pk].score,
        )
        for pk in sorted(wanted - existing)
    ]
