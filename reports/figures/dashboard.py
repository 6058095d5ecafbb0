"""The CSCO dashboard's data: tiles and charts of a fiscal year, each value and each
chart segment with the address of the records behind it.

Computing a year takes a few dozen aggregate queries (about a second at 50,000
suppliers), more than a page may spend, so the dashboard reads a precomputed copy from
the cache: computed on the first request of a year and language, kept
``REPORTS_DASHBOARD_CACHE_SECONDS`` (600 s by default) and refreshed ahead of time by the
task ``reports.tasks.dashboard_refresh``. The dashboard may therefore be up to that many
seconds behind the records; the drill-down lists and the exports are always live.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from suppliers.models import PriorityRisk
from suppliers.regions import Region

from . import annual, records
from .base import REGIONS, Period, has, reporting_currency

CACHE_VERSION = 1
CHARTS = ("spend", "heatmap", "findings", "items", "campaigns")


def cache_seconds() -> int:
    return int(getattr(settings, "REPORTS_DASHBOARD_CACHE_SECONDS", 600))


def records_url(fiscal_year: int, name: str, params: dict | None = None) -> str:
    query = {"fiscal_year": fiscal_year, **(params or {})}
    return reverse("reports:records", args=[name]) + "?" + urlencode(query)


def _cache_key(fiscal_year: int) -> str:
    return f"reports:dashboard:v{CACHE_VERSION}:{fiscal_year}:{get_language() or 'en'}"


def dashboard_data(fiscal_year: int, *, refresh: bool = False) -> dict:
    """The year's tiles and charts, from the cache when it holds them."""
    key = _cache_key(fiscal_year)
    data = None if refresh else cache.get(key)
    if data is None:
        data = compute(fiscal_year)
        cache.set(key, data, cache_seconds())
    return data


def compute(fiscal_year: int) -> dict:
    p = Period(fiscal_year)
    sections = annual.annual_figures(fiscal_year)
    values = {r.field: r for s in sections for r in s.rows}

    def tile(field: str, label: str, unit: str = "") -> dict | None:
        row = values.get(field)
        if row is None:
            return None
        return {
            "field": field,
            "label": label,
            "value": None if row.value is None else str(row.value),
            "unit": unit or row.unit,
            "url": records_url(fiscal_year, *row.drill) if row.drill else "",
        }

    tiles = [
        tile("spend.total", _("Procurement spend")),
        tile("critical.total", _("Critical suppliers")),
        tile("new_suppliers.total", _("New suppliers")),
        tile("new_declared.total", _("New suppliers with a declaration")),
        tile("document_checks.critical_assessed", _("Critical suppliers self-assessed")),
        tile("document_checks.cdp_participants", _("CDP Supply Chain")),
        tile("document_checks.infosec_assessed", _("Information-security self-assessments")),
        tile("onsite.svr_submitted", _("SVRs")),
        tile("onsite.infosec_suppliers_visited", _("Information-security visits")),
        tile("meetings.suppliers_attending", _("Partner meeting suppliers")),
        tile("gri_environmental.new_screened_percent", _("New suppliers screened, environment")),
        tile("gri_social.new_screened_percent", _("New suppliers screened, social")),
        tile("csco.spend_covered_percent", _("Spend with a self-assessment")),
        tile("csco.high_risk_visited_percent", _("High-risk suppliers visited")),
    ]
    return {
        "fiscal_year": fiscal_year,
        "label": str(p.fiscal),
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "currency": reporting_currency(),
        "tiles": [t for t in tiles if t is not None],
        "charts": {
            "spend": spend_chart(p, values),
            "heatmap": heatmap_chart(p),
            "findings": findings_chart(p),
            "items": items_chart(p),
            "campaigns": campaigns_chart(p),
        },
    }


def spend_chart(p: Period, values: dict) -> dict:
    segments = []
    for region in REGIONS:
        row = values[f"spend.{region}.amount"]
        share = values[f"spend.{region}.share"].value
        segments.append(
            {
                "label": str(Region(region).label),
                "value": float(row.value),
                "share": None if share is None else float(share),
                "url": records_url(p.year, "spend", {"region": region}),
            }
        )
    return {"title": _("Spend by region"), "unit": reporting_currency(), "segments": segments}


def _risks() -> list[tuple[str, str]]:
    ja = (get_language() or "en").startswith("ja")
    return [
        (code, ja_name if ja else en_name)
        for code, en_name, ja_name in PriorityRisk.objects.order_by("position", "code").values_list(
            "code", "name_en", "name_ja"
        )
    ]


def heatmap_chart(p: Period) -> dict:
    """Average self-assessment score per priority risk and region (one query)."""
    found = {
        (r["risk__code"], r["assessment__supplier__region"]): r
        for r in records._risk_scores(p)
        .order_by()
        .values("risk__code", "assessment__supplier__region")
        .annotate(avg=Avg("score"), n=Count("pk"))
    }
    rows = []
    for code, name in _risks():
        cells = []
        for region in REGIONS:
            hit = found.get((code, region))
            cells.append(
                {
                    "region": region,
                    "average": None if hit is None else round(float(hit["avg"]), 1),
                    "count": 0 if hit is None else hit["n"],
                    "url": records_url(p.year, "risk_scores", {"risk": code, "region": region}),
                }
            )
        rows.append({"risk": code, "label": name, "cells": cells})
    return {
        "title": _("Self-assessment scores by priority risk and region"),
        "columns": [{"region": r, "label": str(Region(r).label)} for r in REGIONS],
        "rows": rows,
    }


def findings_chart(p: Period) -> dict:
    """On-site findings of the year by guidance category and severity (one query)."""
    chart = {"title": _("Findings by category and severity"), "categories": [], "series": []}
    if not has("visits.VisitAnswer", "visits.GuidanceCategory"):
        return chart
    from .base import model

    found = {
        (r["guidance_category__code"] or "none", r["outcome"]): r["n"]
        for r in records.findings_in(p)
        .order_by()
        .values("guidance_category__code", "outcome")
        .annotate(n=Count("pk"))
    }
    ja = (get_language() or "en").startswith("ja")
    categories = [
        (c.code, c.name_ja if ja else c.name_en)
        for c in model("visits.GuidanceCategory").objects.order_by("position", "code")
    ] + [("none", _("No category"))]
    chart["categories"] = [label for _code, label in categories]
    for outcome, label in (("minor", _("Minor")), ("significant", _("Significant"))):
        chart["series"].append(
            {
                "outcome": outcome,
                "label": label,
                "points": [
                    {
                        "value": found.get((code, outcome), 0),
                        "url": records_url(
                            p.year, "findings", {"category": code, "outcome": outcome}
                        ),
                    }
                    for code, _label in categories
                ],
            }
        )
    return chart


def items_chart(p: Period) -> dict:
    grid = annual.items_by_age(p)
    bands = [band for band, _low, _high in records.AGE_BANDS]
    series = []
    for code, name in grid["risk_names"].items():
        series.append(
            {
                "risk": code,
                "label": name,
                "points": [
                    {
                        "value": grid["counts"][band][code],
                        "url": records_url(p.year, "items_open", {"band": band, "risk": code}),
                    }
                    for band in bands
                ],
            }
        )
    return {
        "title": _("Open improvement items by age (days) and priority risk"),
        "as_of": p.as_of.isoformat(),
        "bands": bands,
        "series": series,
    }


def campaigns_chart(p: Period) -> dict:
    return {
        "title": _("Campaign response rates"),
        "campaigns": [
            {
                "label": c["name"],
                "targeted": c["targeted"],
                "responded": c["responded"],
                "rate": None if c["rate"] is None else float(c["rate"]),
                "url": records_url(p.year, "campaign_recipients", {"campaign": c["id"]}),
            }
            for c in annual.campaign_rates(p)
        ],
    }
