"""The annual figures of a fiscal year, as the sustainability report quotes them.

Each figure is an aggregate (``COUNT``, ``SUM``) over one record set of ``records.py``
with fixed parameters, so each value carries the drill-down that lists the records it
counts. The definitions are the contract of issue 14, written out field by field in
docs/annual-figures.md; the computation runs a fixed number of queries (one or two per
figure), whatever the number of suppliers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from assessments.models import Campaign
from suppliers.models import CurrencyRate, PriorityRisk
from suppliers.regions import Region

from . import records
from .base import (
    REGIONS,
    Period,
    has,
    money,
    percent,
    reporting_currency,
)
from .records import AGE_BANDS, RECORD_SETS


@dataclass
class Row:
    """One value of the report: its field name (documented), its label, the breakdown it
    belongs to (a region, a category...), and the drill-down behind it."""

    field: str
    label: Any
    value: Any
    unit: str = ""
    breakdown: str = ""
    drill: tuple[str, dict] | None = None


@dataclass
class Section:
    code: str
    title: Any
    rows: list[Row] = field(default_factory=list)

    def add(self, *args, **kwargs) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row


def _by_region(rows, region_path: str, *, distinct: str | None = None) -> dict[str, int]:
    counted = Count(distinct, distinct=True) if distinct else Count("pk")
    found = {
        r[region_path]: r["n"] for r in rows.order_by().values(region_path).annotate(n=counted)
    }
    return {region: found.get(region, 0) for region in REGIONS}


def _count(name: str, period: Period, **params) -> int:
    return RECORD_SETS[name].rows(period, params).order_by().count()


def _region_rows(section: Section, prefix: str, counts: dict[str, int], set_name: str, params=None):
    params = params or {}
    section.add(f"{prefix}.total", _("Total"), sum(counts.values()), drill=(set_name, params))
    for region in REGIONS:
        section.add(
            f"{prefix}.{region}",
            Region(region).label,
            counts[region],
            breakdown=region,
            drill=(set_name, {**params, "region": region}),
        )


def year_rates(p: Period) -> dict[str, Decimal]:
    """The year's rates to the reporting currency (the reporting currency's own is 1)."""
    rates = dict(CurrencyRate.objects.filter(fiscal_year=p.year).values_list("currency", "rate"))
    rates[reporting_currency()] = Decimal(1)
    return rates


def converted_sums(rows, key: str | None, rates: dict[str, Decimal]) -> dict:
    """Spend summed per ``key`` (a region, or everything for ``None``) in the reporting
    currency: the database sums per currency (a handful of rows), each sum is converted
    at its currency's rate for the year. Exact: every row of a currency and year shares
    the rate, so rate x sum equals the sum of rate x amount. Currencies without a rate are
    left out (counted apart)."""
    fields = ["currency"] if key is None else [key, "currency"]
    totals: dict = defaultdict(lambda: Decimal(0))
    for row in rows.order_by().values(*fields).annotate(total=Sum("amount")):
        rate = rates.get(row["currency"])
        if rate is not None:
            totals[row[key] if key else None] += row["total"] * rate
    return totals


def spend_section(p: Period) -> Section:
    """1. Procurement spend by region, in the reporting currency, with shares."""
    section = Section("spend", _("Procurement spend by region"))
    currency = reporting_currency()
    rates = year_rates(p)
    rows = RECORD_SETS["spend"].rows(p, {}).order_by()
    by_region = converted_sums(rows, "supplier__region", rates)
    total = money(sum((money(v) for v in by_region.values()), Decimal(0)))
    section.add("spend.total", _("Total"), total, unit=currency, drill=("spend", {}))
    for region in REGIONS:
        amount = money(by_region.get(region))
        section.add(
            f"spend.{region}.amount",
            Region(region).label,
            amount,
            unit=currency,
            breakdown=region,
            drill=("spend", {"region": region}),
        )
        section.add(
            f"spend.{region}.share",
            _("Share of %(region)s") % {"region": Region(region).label},
            percent(amount, total),
            unit="%",
            breakdown=region,
            drill=("spend", {"region": region}),
        )
    section.add(
        "spend.unconverted_rows",
        _("Spend rows without a rate for their currency (left out)"),
        rows.exclude(currency__in=list(rates)).count(),
        drill=("spend", {"covered": "unconverted"}),
    )
    return section


def critical_section(p: Period) -> Section:
    """2. Critical suppliers designated for the year, by region."""
    section = Section("critical", _("Critical suppliers"))
    _region_rows(
        section, "critical", _by_region(RECORD_SETS["critical"].rows(p, {}), "region"), "critical"
    )
    return section


def declarations_section(p: Period) -> Section | None:
    """3. New suppliers of the year, and those holding a valid declaration at its end."""
    section = Section("declarations", _("Declarations from new suppliers"))
    _region_rows(
        section, "new_suppliers", _by_region(RECORD_SETS["new"].rows(p, {}), "region"), "new"
    )
    if RECORD_SETS["new_declared"].available:
        counts = _by_region(RECORD_SETS["new_declared"].rows(p, {}), "region")
        _region_rows(section, "new_declared", counts, "new_declared")
    return section


def document_checks_section(p: Period) -> Section:
    """4. Document checks: (a) critical suppliers with a sustainability self-assessment,
    (b) CDP Supply Chain participants, (c) information-security self-assessments."""
    section = Section("document_checks", _("Document checks"))
    section.add(
        "document_checks.critical_assessed",
        _("Critical suppliers with a sustainability self-assessment submitted"),
        _count("critical_assessed", p),
        drill=("critical_assessed", {}),
    )
    section.add(
        "document_checks.cdp_participants",
        _("Suppliers in the CDP Supply Chain programme"),
        _count("cdp", p),
        drill=("cdp", {}),
    )
    section.add(
        "document_checks.infosec_assessed",
        _("Suppliers with an information-security self-assessment submitted"),
        _count("infosec_assessed", p),
        drill=("infosec_assessed", {}),
    )
    return section


def onsite_section(p: Period) -> Section | None:
    """5. On-site: SVRs and what they found; information-security visits; guidance given,
    per category, counted in distinct suppliers."""
    if not has("visits.Visit", "visits.VisitAnswer", "visits.GuidanceCategory"):
        return None
    from .base import model

    section = Section("onsite", _("On-site assessments"))
    section.add("onsite.svr_submitted", _("SVRs submitted"), _count("svr", p), drill=("svr", {}))
    section.add(
        "onsite.svr_with_issues",
        _("SVRs that found issues"),
        _count("svr_issues", p),
        drill=("svr_issues", {}),
    )
    section.add(
        "onsite.infosec_suppliers_visited",
        _("Suppliers visited for information security"),
        _count("infosec_visited", p),
        drill=("infosec_visited", {}),
    )
    section.add(
        "onsite.infosec_significant",
        _("Of those, needing significant improvement"),
        _count("infosec_significant", p),
        drill=("infosec_significant", {}),
    )
    findings = records.findings_in(p).filter(guidance_category__isnull=False)
    guided = dict(
        findings.order_by()
        .values("guidance_category__code")
        .annotate(n=Count("visit__supplier", distinct=True))
        .values_list("guidance_category__code", "n")
    )
    for category in model("visits.GuidanceCategory").objects.order_by("position", "code"):
        section.add(
            f"onsite.guidance.{category.code}",
            category.name_ja if _is_japanese() else category.name_en,
            guided.get(category.code, 0),
            breakdown=category.code,
            drill=("guided", {"category": category.code}),
        )
    return section


def meetings_section(p: Period) -> Section | None:
    """6. Strategic partner meetings held in the year: suppliers attending, managers."""
    if not has("dissemination.MeetingAttendance"):
        return None
    section = Section("meetings", _("Strategic partner meetings"))
    totals = records.meeting_attendances(p).aggregate(
        suppliers=Count("supplier", distinct=True),
        managers=Sum("managers_attended"),
        meetings=Count("meeting", distinct=True),
    )
    section.add("meetings.held", _("Meetings held"), totals["meetings"] or 0)
    section.add(
        "meetings.suppliers_attending",
        _("Suppliers attending"),
        totals["suppliers"] or 0,
        drill=("meeting_attendees", {}),
    )
    section.add(
        "meetings.managers_total",
        _("Managers attending, in total"),
        totals["managers"] or 0,
        drill=("meeting_attendees", {}),
    )
    return section


GRI_CODES = {"environmental": ("308-1", "308-2"), "social": ("414-1", "414-2")}


def gri_section(p: Period, criteria: str) -> Section:
    """7. GRI 308-1/308-2 (environmental) or 414-1/414-2 (social)."""
    screening, impacts = GRI_CODES[criteria]
    section = Section(
        f"gri_{criteria}",
        _("GRI %(a)s / %(b)s") % {"a": screening, "b": impacts},
    )
    c = {"criteria": criteria}
    new = _count("new", p)
    screened = _count("new_screened", p, criteria=criteria)
    prefix = f"gri_{criteria}"
    section.add(f"{prefix}.new_suppliers", _("New suppliers"), new, drill=("new", {}))
    section.add(
        f"{prefix}.new_screened", _("New suppliers screened"), screened, drill=("new_screened", c)
    )
    section.add(
        f"{prefix}.new_screened_percent",
        _("Percentage of new suppliers screened (GRI %(code)s)") % {"code": screening},
        percent(screened, new),
        unit="%",
        drill=("new_screened", c),
    )
    assessed = _count("assessed_impacts", p, criteria=criteria)
    significant = _count("significant_impacts", p, criteria=criteria)
    agreed = _count("improvements_agreed", p, criteria=criteria)
    terminated = _count("terminated", p, criteria=criteria)
    section.add(
        f"{prefix}.assessed",
        _("Suppliers assessed for impacts"),
        assessed,
        drill=("assessed_impacts", c),
    )
    section.add(
        f"{prefix}.significant",
        _("Suppliers with significant actual or potential negative impacts"),
        significant,
        drill=("significant_impacts", c),
    )
    section.add(
        f"{prefix}.improvements_agreed",
        _("Of those, with improvements agreed"),
        agreed,
        drill=("improvements_agreed", c),
    )
    section.add(
        f"{prefix}.improvements_agreed_percent",
        _("Percentage with improvements agreed"),
        percent(agreed, significant),
        unit="%",
        drill=("improvements_agreed", c),
    )
    section.add(
        f"{prefix}.terminated",
        _("Of those, with the relationship terminated"),
        terminated,
        drill=("terminated", c),
    )
    section.add(
        f"{prefix}.terminated_percent",
        _("Percentage with the relationship terminated"),
        percent(terminated, significant),
        unit="%",
        drill=("terminated", c),
    )
    return section


def csco_section(p: Period) -> Section:
    """8. For the CSCO: spend covered by a submitted self-assessment, campaign response
    rates, improvement items open by age band and risk, high-risk suppliers visited."""
    section = Section("csco", _("For the CSCO"))
    currency = reporting_currency()
    rates = year_rates(p)
    # Each region's converted total summed, then rounded: the same as spend.total.
    by_region = converted_sums(RECORD_SETS["spend"].rows(p, {}), "supplier__region", rates)
    total = money(sum((money(v) for v in by_region.values()), Decimal(0)))
    covered_rows = RECORD_SETS["spend"].rows(p, {"covered": "yes"})
    covered = money(sum(converted_sums(covered_rows, None, rates).values(), Decimal(0)))
    section.add(
        "csco.spend_covered",
        _("Spend with a submitted self-assessment"),
        covered,
        unit=currency,
        drill=("spend", {"covered": "yes"}),
    )
    section.add(
        "csco.spend_covered_percent",
        _("Share of spend with a submitted self-assessment"),
        percent(covered, total),
        unit="%",
        drill=("spend", {"covered": "yes"}),
    )
    for campaign in campaign_rates(p):
        key = f"csco.campaign.{campaign['id']}"
        drill = ("campaign_recipients", {"campaign": campaign["id"]})
        section.add(
            f"{key}.targeted",
            campaign["name"],
            campaign["targeted"],
            breakdown=str(campaign["id"]),
            drill=drill,
        )
        section.add(
            f"{key}.response_percent",
            _("%(name)s: response rate") % {"name": campaign["name"]},
            campaign["rate"],
            unit="%",
            breakdown=str(campaign["id"]),
            drill=("campaign_recipients", {"campaign": campaign["id"], "responded": "yes"}),
        )
    grid = items_by_age(p)
    for band, _low, _high in AGE_BANDS:
        for risk_code, n in grid["counts"][band].items():
            section.add(
                f"csco.items_open.{band}.{risk_code}",
                _("Open improvement items, %(band)s days, %(risk)s")
                % {"band": band, "risk": grid["risk_names"][risk_code]},
                n,
                breakdown=f"{band}/{risk_code}",
                drill=("items_open", {"band": band, "risk": risk_code}),
            )
    high = _count("high_risk", p)
    section.add("csco.high_risk", _("High-risk suppliers"), high, drill=("high_risk", {}))
    if RECORD_SETS["high_risk_visited"].available:
        visited = _count("high_risk_visited", p)
        section.add(
            "csco.high_risk_visited",
            _("High-risk suppliers visited"),
            visited,
            drill=("high_risk_visited", {}),
        )
        section.add(
            "csco.high_risk_visited_percent",
            _("Percentage of high-risk suppliers visited"),
            percent(visited, high),
            unit="%",
            drill=("high_risk_visited", {}),
        )
    return section


def campaign_rates(p: Period) -> list[dict]:
    """Each campaign of the year: suppliers targeted, responded (submitted at least once)
    and the rate; one query for all campaigns."""
    rows = (
        Campaign.objects.filter(fiscal_year=p.year)
        .annotate(
            targeted=Count("recipients"),
            responded=Count(
                "recipients", filter=Q(recipients__assessment__submitted_at__isnull=False)
            ),
        )
        .order_by("opens_on", "id")
        .values("id", "name", "targeted", "responded")
    )
    return [{**r, "rate": percent(r["responded"], r["targeted"])} for r in rows]


def items_by_age(p: Period) -> dict:
    """Open items at the year's end (or today) by age band and priority risk: one query."""
    risks = list(
        PriorityRisk.objects.order_by("position", "code").values_list("code", "name_en", "name_ja")
    )
    counts = {band: {code: 0 for code, *_n in risks} for band, _l, _h in AGE_BANDS}
    found = (
        records.items_open(p)
        .order_by()
        .annotate(band=records.age_band_expression(p))
        .values("band", "risk__code")
        .annotate(n=Count("pk"))
    )
    for row in found:
        counts[row["band"]][row["risk__code"]] = row["n"]
    names = {code: (ja if _is_japanese() else en) for code, en, ja in risks}
    return {"counts": counts, "risk_names": names}


def _is_japanese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "en").startswith("ja")


def annual_figures(fiscal_year: int) -> list[Section]:
    """Every section of the annual figures of ``fiscal_year``; a stage that is not
    installed leaves its section (or figure) out."""
    p = Period(fiscal_year)
    sections = [
        spend_section(p),
        critical_section(p),
        declarations_section(p),
        document_checks_section(p),
        onsite_section(p),
        meetings_section(p),
        gri_section(p, "environmental"),
        gri_section(p, "social"),
        csco_section(p),
    ]
    return [s for s in sections if s is not None]


def as_data(fiscal_year: int, sections: list[Section]) -> dict:
    """The figures as plain data (JSON): every value keyed by its documented field, with
    the drill-down's record set and parameters."""
    return {
        "fiscal_year": fiscal_year,
        "period": {
            "start": Period(fiscal_year).start.isoformat(),
            "end": Period(fiscal_year).end.isoformat(),
        },
        "reporting_currency": reporting_currency(),
        "sections": [
            {
                "code": s.code,
                "title": str(s.title),
                "rows": [
                    {
                        "field": r.field,
                        "label": str(r.label),
                        "value": _json_value(r.value),
                        "unit": r.unit,
                        "breakdown": r.breakdown,
                        "records": r.drill[0] if r.drill else None,
                        "filter": {"fiscal_year": fiscal_year, **r.drill[1]} if r.drill else None,
                    }
                    for r in s.rows
                ],
            }
            for s in sections
        ],
    }


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def flat_values(sections: list[Section]) -> dict[str, Any]:
    """``{field: value}`` over every section (tests and the benchmark compare these)."""
    return {r.field: r.value for s in sections for r in s.rows}


__all__ = [
    "Row",
    "Section",
    "annual_figures",
    "as_data",
    "campaign_rates",
    "defaultdict",
    "flat_values",
    "items_by_age",
]
