"""The records behind every figure: one named record set per kind of figure.

A figure is always an aggregate over one of these querysets, and the drill-down list of a
figure is the same queryset with the same parameters, so every number opens exactly the
records it counts ("the same filter, one query away"). Each record set names the model
it lists, the parameters it takes (each checked), and the columns of its list and CSV.

Every set is built from ``id IN (subquery)`` filters: PostgreSQL runs each subquery once
(a semi-join, or a hashed subplan where conditions are joined with OR; a correlated
``EXISTS`` under OR was run once per supplier, 4 s per figure at 50,000 suppliers). No
per-supplier loop, and a query count that does not depend on the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import (
    Assessment,
    CampaignSupplier,
    ImprovementItem,
    ImprovementStatus,
    QuestionnaireKind,
    Rating,
    RiskScore,
)
from declarations.selectors import COVERING_FLAGS, valid_signatures_on
from procurement_portal.core.text import parse_digits
from procurement_portal.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from suppliers.models import (
    CdpParticipation,
    CriticalDesignation,
    PriorityRisk,
    Supplier,
    SupplierSpend,
    SupplierStatus,
)

from .base import CRITERIA_RISKS, REGIONS, Period, has, has_rate_q, model

# --- supplier filters (Q objects on Supplier) -------------------------------------------


def q_new(p: Period) -> Q:
    """Transactions started inside the year (first and last day included)."""
    return Q(transactions_started_on__gte=p.start, transactions_started_on__lte=p.end)


def valid_signatures(p: Period, covering: str | None = None) -> QuerySet:
    """Signatures (any kind, any channel) valid on the year's last day: signed on or
    before it and not revoked on or before it (the declarations' one rule); with
    ``covering``, of a kind covering those criteria."""
    rows = valid_signatures_on(p.end)
    if covering is not None:
        rows = rows.filter(**{f"version__kind__{COVERING_FLAGS[covering]}": True})
    return rows


def q_declared(p: Period, covering: str | None = None) -> Q:
    return Q(pk__in=valid_signatures(p, covering).values("supplier_id"))


def submitted_assessments(p: Period, kind: str | None = None) -> QuerySet:
    """Self-assessments of the year submitted at least once (``submitted_at`` is kept when
    one is returned), whatever their status now; never-submitted drafts are not."""
    rows = Assessment.objects.filter(fiscal_year=p.year, submitted_at__isnull=False)
    if kind:
        rows = rows.filter(questionnaire__kind=kind)
    return rows


def q_self_assessed(p: Period, kind: str | None = None) -> Q:
    return Q(pk__in=submitted_assessments(p, kind).values("supplier_id"))


def q_critical(p: Period) -> Q:
    return Q(pk__in=CriticalDesignation.objects.filter(fiscal_year=p.year).values("supplier_id"))


def visits_in(p: Period, kind: str | None = None) -> QuerySet | None:
    """Visits submitted with a visit date inside the year."""
    Visit = model("visits.Visit")
    if Visit is None:
        return None
    rows = Visit.objects.filter(status="submitted", visit_date__gte=p.start, visit_date__lte=p.end)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def findings_in(p: Period, kind: str | None = None, outcomes=("minor", "significant")):
    """Checklist answers of the year's submitted visits with a finding of ``outcomes``."""
    VisitAnswer = model("visits.VisitAnswer")
    if VisitAnswer is None:
        return None
    rows = VisitAnswer.objects.filter(
        visit__status="submitted",
        visit__visit_date__gte=p.start,
        visit__visit_date__lte=p.end,
        outcome__in=outcomes,
    )
    if kind:
        rows = rows.filter(visit__kind=kind)
    return rows


def q_visited(p: Period, kind: str | None = None, *, result: str | None = None) -> Q:
    rows = visits_in(p, kind)
    if rows is None:
        return Q(pk__in=[])
    if result == "significant":
        # Significant improvement: the visit's result says so, or one finding does.
        significant = findings_in(p, kind, ("significant",)).values("visit_id")
        rows = rows.filter(Q(result="significant") | Q(pk__in=significant))
    return Q(pk__in=rows.values("supplier_id"))


def q_assessed_impacts(p: Period) -> Q:
    """Assessed for environmental and social impacts: a sustainability self-assessment of
    the year submitted at least once, or an SVR of the year (both check both criteria)."""
    return q_self_assessed(p, QuestionnaireKind.SUSTAINABILITY) | q_visited(p, "svr")


def q_significant_impacts(p: Period, criteria: str) -> Q:
    """Significant actual or potential negative impacts on the criteria: a score in the
    policy's lowest band for one of its risks in a self-assessment of the year submitted
    at least once, or a significant finding on one of its risks in a visit of the year."""
    risks = CRITERIA_RISKS[criteria]
    low = RiskScore.objects.filter(
        assessment__fiscal_year=p.year,
        assessment__submitted_at__isnull=False,
        assessment__questionnaire__kind=QuestionnaireKind.SUSTAINABILITY,
        risk__code__in=risks,
        rating=Rating.HIGH,
    )
    q = Q(pk__in=low.values("assessment__supplier_id"))
    found = findings_in(p, None, ("significant",))
    if found is not None:
        q |= Q(pk__in=found.filter(item__risk__code__in=risks).values("visit__supplier_id"))
    return q


def q_improvement_agreed(p: Period, criteria: str) -> Q:
    """An improvement item on one of the criteria's risks whose action plan was accepted
    (verified or closed after a plan was sent) on or before the year's last day."""
    agreed = ImprovementItem.objects.filter(
        risk__code__in=CRITERIA_RISKS[criteria],
        action_plan_submitted_at__isnull=False,
        status__in=[ImprovementStatus.VERIFIED, ImprovementStatus.CLOSED],
    ).filter(Q(verified_at__lt=p.after_at) | Q(verified_at__isnull=True, closed_at__lt=p.after_at))
    return Q(pk__in=agreed.values("supplier_id"))


def q_terminated(p: Period) -> Q:
    return Q(status=SupplierStatus.TERMINATED, terminated_on__lte=p.end)


def q_high_risk(p: Period) -> Q:
    """Rated in the policy's lowest band (high risk) by a self-assessment of the year
    submitted at least once (either questionnaire)."""
    return Q(pk__in=submitted_assessments(p).filter(rating=Rating.HIGH).values("supplier_id"))


def q_meeting_attended(p: Period) -> Q:
    Attendance = model("dissemination.MeetingAttendance")
    if Attendance is None:
        return Q(pk__in=[])
    return Q(pk__in=meeting_attendances(p).values("supplier_id"))


def meeting_attendances(p: Period) -> QuerySet:
    Attendance = model("dissemination.MeetingAttendance")
    return Attendance.objects.filter(
        meeting__date__gte=p.start, meeting__date__lte=p.end, managers_attended__gt=0
    )


# --- improvement items open at the year's end, by age --------------------------------------

AGE_BANDS = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("366+", 366, None),
)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def items_open(p: Period) -> QuerySet:
    """Items raised on or before the day ages are measured on (the year's last day, or
    today) and not closed by then."""
    after = _midnight(p.as_of + dt.timedelta(days=1))
    return ImprovementItem.objects.filter(created_at__lt=after).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=after)
    )


def age_band_expression(p: Period):
    """The age band of an item's ``created_at`` on ``p.as_of``, computed by the database."""
    whens = []
    for code, low, _high in AGE_BANDS:
        # Age in whole days >= low  <=>  raised before midnight after (as_of - low).
        whens.append(
            When(created_at__lt=_midnight(p.as_of - dt.timedelta(days=low - 1)), then=Value(code))
        )
    whens.reverse()  # the oldest band first: the first matching When wins
    return Case(*whens, default=Value("0-30"), output_field=CharField())


def q_age_band(p: Period, band: str) -> Q:
    for code, low, high in AGE_BANDS:
        if code == band:
            q = Q(created_at__lt=_midnight(p.as_of - dt.timedelta(days=low - 1)))
            if high is not None:
                q &= Q(created_at__gte=_midnight(p.as_of - dt.timedelta(days=high)))
            return q
    raise ValidationError({"band": _("Unknown age band.")})


# --- the record sets ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    path: str


SUPPLIER_COLUMNS = (
    Column(gettext_lazy("supplier code"), "code"),
    Column(gettext_lazy("legal name"), "legal_name"),
    Column(gettext_lazy("name in local script"), "local_name"),
    Column(gettext_lazy("country"), "country"),
    Column(gettext_lazy("region"), "region"),
    Column(gettext_lazy("status"), "status"),
)


def _supplier_columns(prefix: str) -> tuple[Column, ...]:
    return tuple(Column(c.label, f"{prefix}__{c.path}") for c in SUPPLIER_COLUMNS[:5])


@dataclass(frozen=True)
class RecordSet:
    """One kind of list behind the figures: ``build(period, **params)`` is the queryset."""

    name: str
    title: str
    build: Callable[..., QuerySet]
    columns: tuple[Column, ...]
    params: tuple[str, ...] = ()
    region_path: str = "region"  # how the list is narrowed to one region
    needs: tuple[str, ...] = ()  # models of other stages it reads
    order: tuple[str, ...] = ("code",)

    @property
    def available(self) -> bool:
        return has(*self.needs)

    def rows(self, period: Period, params: dict) -> QuerySet:
        region = params.get("region")
        kwargs = {k: v for k, v in params.items() if k in self.params}
        rows = self.build(period, **kwargs)
        if region:
            rows = rows.filter(**{self.region_path: region})
        return rows.order_by(*self.order)


def _suppliers(q_of: Callable[..., Q]) -> Callable[..., QuerySet]:
    return lambda p, **kw: Supplier.objects.filter(q_of(p, **kw))


def _findings(p: Period, category: str = "", outcome: str = "", kind: str = "") -> QuerySet:
    rows = findings_in(p, kind or None)
    if category == "none":
        rows = rows.filter(guidance_category__isnull=True)
    elif category:
        rows = rows.filter(guidance_category__code=category)
    if outcome:
        rows = rows.filter(outcome=outcome)
    return rows


def _guided(p: Period, category: str = "") -> QuerySet:
    found = _findings(p, category).filter(guidance_category__isnull=False)
    return Supplier.objects.filter(pk__in=found.values("visit__supplier_id"))


def _svr_with_issues(p: Period) -> QuerySet:
    found = findings_in(p, "svr").values("visit_id")
    return visits_in(p, "svr").filter(Q(result__in=["minor", "significant"]) | Q(pk__in=found))


def _risk_scores(p: Period, risk: str = "") -> QuerySet:
    rows = RiskScore.objects.filter(
        assessment__fiscal_year=p.year,
        assessment__submitted_at__isnull=False,
        score__isnull=False,
    )
    if risk:
        rows = rows.filter(risk__code=risk)
    return rows


def _items(p: Period, band: str = "", risk: str = "") -> QuerySet:
    rows = items_open(p)
    if band:
        rows = rows.filter(q_age_band(p, band))
    if risk:
        rows = rows.filter(risk__code=risk)
    return rows


def _recipients(p: Period, campaign: int | None = None, responded: str = "") -> QuerySet:
    rows = CampaignSupplier.objects.filter(campaign__fiscal_year=p.year)
    if campaign:
        rows = rows.filter(campaign_id=campaign)
    if responded == "yes":
        rows = rows.filter(assessment__submitted_at__isnull=False)
    elif responded == "no":
        rows = rows.exclude(assessment__submitted_at__isnull=False)
    return rows


def _spend(p: Period, covered: str = "") -> QuerySet:
    rows = SupplierSpend.objects.filter(fiscal_year=p.year)
    if covered == "yes":
        rows = rows.filter(supplier_id__in=submitted_assessments(p).values("supplier_id"))
    elif covered == "unconverted":
        rows = rows.exclude(has_rate_q())
    return rows


def _criteria(fn):
    return lambda p, criteria="environmental": fn(p, criteria)


RECORD_SETS: dict[str, RecordSet] = {}


def _add(record_set: RecordSet) -> None:
    RECORD_SETS[record_set.name] = record_set


_S = SUPPLIER_COLUMNS
_add(
    RecordSet(
        "spend",
        gettext_lazy("Procurement spend"),
        _spend,
        (
            *_supplier_columns("supplier"),
            Column(gettext_lazy("fiscal year"), "fiscal_year"),
            Column(gettext_lazy("amount"), "amount"),
            Column(gettext_lazy("currency"), "currency"),
        ),
        params=("covered",),
        region_path="supplier__region",
        order=("supplier__code",),
    )
)
_add(
    RecordSet(
        "critical",
        gettext_lazy("Critical suppliers"),
        _suppliers(q_critical),
        _S,
    )
)
_add(RecordSet("new", gettext_lazy("New suppliers"), _suppliers(q_new), _S))
_add(
    RecordSet(
        "new_declared",
        gettext_lazy("New suppliers with a valid declaration"),
        _suppliers(lambda p: q_new(p) & q_declared(p)),
        _S,
        needs=("declarations.Signature",),
    )
)
_add(
    RecordSet(
        "critical_assessed",
        gettext_lazy("Critical suppliers with a submitted sustainability self-assessment"),
        _suppliers(lambda p: q_critical(p) & q_self_assessed(p, QuestionnaireKind.SUSTAINABILITY)),
        _S,
    )
)
_add(
    RecordSet(
        "cdp",
        gettext_lazy("CDP Supply Chain participants"),
        lambda p: CdpParticipation.objects.filter(fiscal_year=p.year),
        (
            *_supplier_columns("supplier"),
            Column(gettext_lazy("fiscal year"), "fiscal_year"),
            Column(gettext_lazy("responded"), "responded"),
        ),
        region_path="supplier__region",
        order=("supplier__code",),
    )
)
_add(
    RecordSet(
        "infosec_assessed",
        gettext_lazy("Suppliers with a submitted information-security self-assessment"),
        _suppliers(lambda p: q_self_assessed(p, QuestionnaireKind.INFORMATION_SECURITY)),
        _S,
    )
)
_VISIT_COLUMNS = (
    *_supplier_columns("supplier"),
    Column(gettext_lazy("visit date"), "visit_date"),
    Column(gettext_lazy("kind"), "kind"),
    Column(gettext_lazy("result"), "result"),
)
_add(
    RecordSet(
        "svr",
        gettext_lazy("Supplier Visit Records submitted"),
        lambda p: visits_in(p, "svr"),
        _VISIT_COLUMNS,
        region_path="supplier__region",
        needs=("visits.Visit",),
        order=("visit_date", "id"),
    )
)
_add(
    RecordSet(
        "svr_issues",
        gettext_lazy("Supplier Visit Records that found issues"),
        _svr_with_issues,
        _VISIT_COLUMNS,
        region_path="supplier__region",
        needs=("visits.Visit", "visits.VisitAnswer"),
        order=("visit_date", "id"),
    )
)
_add(
    RecordSet(
        "infosec_visited",
        gettext_lazy("Suppliers visited for information security"),
        _suppliers(lambda p: q_visited(p, "infosec")),
        _S,
        needs=("visits.Visit",),
    )
)
_add(
    RecordSet(
        "infosec_significant",
        gettext_lazy("Suppliers needing significant information-security improvement"),
        _suppliers(lambda p: q_visited(p, "infosec", result="significant")),
        _S,
        needs=("visits.Visit", "visits.VisitAnswer"),
    )
)
_add(
    RecordSet(
        "guided",
        gettext_lazy("Suppliers given guidance"),
        _guided,
        _S,
        params=("category",),
        needs=("visits.VisitAnswer",),
    )
)
_add(
    RecordSet(
        "findings",
        gettext_lazy("Findings of on-site visits"),
        _findings,
        (
            *_supplier_columns("visit__supplier"),
            Column(gettext_lazy("visit date"), "visit__visit_date"),
            Column(gettext_lazy("kind"), "visit__kind"),
            Column(gettext_lazy("checklist item"), "item__code"),
            Column(gettext_lazy("priority risk"), "item__risk__code"),
            Column(gettext_lazy("outcome"), "outcome"),
            Column(gettext_lazy("guidance category"), "guidance_category__code"),
        ),
        params=("category", "outcome", "kind"),
        region_path="visit__supplier__region",
        needs=("visits.VisitAnswer",),
        order=("visit__visit_date", "id"),
    )
)
_add(
    RecordSet(
        "meeting_attendees",
        gettext_lazy("Suppliers attending strategic partner meetings"),
        _suppliers(q_meeting_attended),
        _S,
        needs=("dissemination.MeetingAttendance",),
    )
)
_add(
    RecordSet(
        "new_screened",
        gettext_lazy("New suppliers screened with the criteria"),
        _suppliers(
            _criteria(
                lambda p, c: (
                    q_new(p)
                    & (q_declared(p, c) | q_self_assessed(p, QuestionnaireKind.SUSTAINABILITY))
                )
            )
        ),
        _S,
        params=("criteria",),
    )
)
_add(
    RecordSet(
        "assessed_impacts",
        gettext_lazy("Suppliers assessed for impacts"),
        _suppliers(_criteria(lambda p, c: q_assessed_impacts(p))),
        _S,
        params=("criteria",),
    )
)
_add(
    RecordSet(
        "significant_impacts",
        gettext_lazy("Suppliers with significant negative impacts"),
        _suppliers(_criteria(lambda p, c: q_assessed_impacts(p) & q_significant_impacts(p, c))),
        _S,
        params=("criteria",),
    )
)
_add(
    RecordSet(
        "improvements_agreed",
        gettext_lazy("Suppliers with significant impacts and improvements agreed"),
        _suppliers(
            _criteria(
                lambda p, c: (
                    q_assessed_impacts(p) & q_significant_impacts(p, c) & q_improvement_agreed(p, c)
                )
            )
        ),
        _S,
        params=("criteria",),
    )
)
_add(
    RecordSet(
        "terminated",
        gettext_lazy("Suppliers with significant impacts whose relationship was terminated"),
        _suppliers(
            _criteria(
                lambda p, c: q_assessed_impacts(p) & q_significant_impacts(p, c) & q_terminated(p)
            )
        ),
        _S,
        params=("criteria",),
    )
)
_add(
    RecordSet(
        "high_risk",
        gettext_lazy("High-risk suppliers"),
        _suppliers(q_high_risk),
        _S,
    )
)
_add(
    RecordSet(
        "high_risk_visited",
        gettext_lazy("High-risk suppliers visited"),
        _suppliers(lambda p: q_high_risk(p) & q_visited(p)),
        _S,
        needs=("visits.Visit",),
    )
)
_add(
    RecordSet(
        "risk_scores",
        gettext_lazy("Self-assessment scores"),
        _risk_scores,
        (
            *_supplier_columns("assessment__supplier"),
            Column(gettext_lazy("fiscal year"), "assessment__fiscal_year"),
            Column(gettext_lazy("priority risk"), "risk__code"),
            Column(gettext_lazy("score"), "score"),
            Column(gettext_lazy("rating"), "rating"),
        ),
        params=("risk",),
        region_path="assessment__supplier__region",
        order=("assessment__supplier__code", "risk__position"),
    )
)
_add(
    RecordSet(
        "items_open",
        gettext_lazy("Open improvement items"),
        _items,
        (
            *_supplier_columns("supplier"),
            Column(gettext_lazy("priority risk"), "risk__code"),
            Column(gettext_lazy("status"), "status"),
            Column(gettext_lazy("raised at"), "created_at"),
            Column(gettext_lazy("due date"), "due_date"),
        ),
        params=("band", "risk"),
        region_path="supplier__region",
        order=("created_at", "id"),
    )
)
_add(
    RecordSet(
        "campaign_recipients",
        gettext_lazy("Suppliers asked by campaigns"),
        _recipients,
        (
            *_supplier_columns("supplier"),
            Column(gettext_lazy("campaign"), "campaign__name"),
            Column(gettext_lazy("invited at"), "invited_at"),
            Column(gettext_lazy("submitted at"), "assessment__submitted_at"),
        ),
        params=("campaign", "responded"),
        region_path="supplier__region",
        order=("campaign_id", "supplier__code"),
    )
)


# --- parameters --------------------------------------------------------------------

PARAM_NAMES = ("region", "criteria", "risk", "band", "category", "outcome", "kind", "campaign")
PARAM_NAMES += ("responded", "covered")


def clean_params(record_set: RecordSet, raw) -> dict:
    """The drill-down parameters from a query string, each checked; an unknown value is a
    ``ValidationError`` naming the parameter."""
    params: dict = {}
    errors: dict[str, str] = {}
    allowed = {"region", *record_set.params}
    for name in PARAM_NAMES:
        value = (raw.get(name) or "").strip()
        if not value:
            continue
        if name not in allowed:
            errors[name] = _("This list takes no “%(name)s”.") % {"name": name}
            continue
        problem = _check(name, value)
        if problem:
            errors[name] = problem
        else:
            params[name] = int(value) if name == "campaign" else value
    if errors:
        raise ValidationError(errors)
    return params


def _check(name: str, value: str) -> str | None:
    valid = {
        "region": lambda: value in REGIONS,
        "criteria": lambda: value in CRITERIA_RISKS,
        "risk": lambda: PriorityRisk.objects.filter(code=value).exists(),
        "band": lambda: value in {b[0] for b in AGE_BANDS},
        "category": lambda: len(value) <= 60 and value.replace("-", "").replace("_", "").isalnum(),
        "outcome": lambda: value in {"minor", "significant"},
        "kind": lambda: value in {"svr", "infosec"},
        "campaign": lambda: parse_digits(value, max_digits=9) is not None,
        "responded": lambda: value in {"yes", "no"},
        "covered": lambda: value in {"yes", "unconverted"},
    }[name]
    if valid():
        return None
    return _("“%(value)s” is not a valid %(name)s.") % {"value": value[:60], "name": name}


def clean_fiscal_year(raw, default: int) -> int:
    value = (raw or "").strip() if isinstance(raw, str) else raw
    if value in (None, ""):
        return default
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {"fiscal_year": _("Give the fiscal year as a number, such as 2020.")}
        ) from None
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        raise ValidationError(
            {
                "fiscal_year": _("Fiscal year must be between %(min)s and %(max)s.")
                % {"min": MIN_FISCAL_YEAR, "max": MAX_FISCAL_YEAR}
            }
        )
    return year


__all__ = ["AGE_BANDS", "RECORD_SETS", "Column", "RecordSet", "clean_params"]
