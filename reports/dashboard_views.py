"""The CSCO dashboard, its chart data, the drill-down lists and the annual figures'
downloads. Read-only pages: procurement staff, the CSCO and administrators read them
(``VIEW_DASHBOARD``); only administrators download the annual figures
(``EXPORT_ANNUAL_FIGURES``). Anyone else gets 403, as every staff-only page does.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.fiscal import FiscalYear, current_fiscal_year, fiscal_year_choices

from . import exports
from .figures import RECORD_SETS, annual_figures, as_data, clean_fiscal_year, clean_params
from .figures import export as figures_export
from .figures.base import Period
from .figures.dashboard import CHARTS, dashboard_data

PAGE_SIZE = 50


def _year(request: HttpRequest) -> int:
    return clean_fiscal_year(request.GET.get("fiscal_year"), current_fiscal_year().year)


def _bad_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return render(request, "reports/bad_request.html", {"errors": exc.message_dict}, status=400)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    access.require_capability(request.user, Action.VIEW_DASHBOARD)
    try:
        year = _year(request)
    except ValidationError as exc:
        return _bad_request(request, exc)
    current = dashboard_data(year)
    previous = dashboard_data(year - 1)
    before = {t["field"]: t for t in previous["tiles"]}
    tiles = [{**t, "previous": before.get(t["field"])} for t in current["tiles"]]
    choices = fiscal_year_choices(back=10)
    if year not in {y for y, _label in choices}:
        choices = [*choices, (year, str(FiscalYear(year)))]
    return render(
        request,
        "reports/dashboard.html",
        {
            "year": year,
            "previous_year": year - 1,
            "year_label": current["label"],
            "previous_label": previous["label"],
            "choices": choices,
            "tiles": tiles,
            "charts": current["charts"],
            "computed_at": current["computed_at"],
            "can_export": access.can(request.user, Action.EXPORT_ANNUAL_FIGURES),
        },
    )


@login_required
@require_GET
def chart_data(request: HttpRequest, chart: str) -> JsonResponse:
    """One chart's data (JSON) for the browser to draw; each segment names its records."""
    if chart not in CHARTS:  # an unknown chart is no chart, whoever asks
        raise Http404
    access.require_capability(request.user, Action.VIEW_DASHBOARD)
    try:
        year = _year(request)
    except ValidationError as exc:
        return JsonResponse({"errors": exc.message_dict}, status=400)
    data = dashboard_data(year)
    return JsonResponse({"fiscal_year": year, **data["charts"][chart]})


def _record_set(request: HttpRequest, name: str):
    # An unknown list is no list, whoever asks (404 before the role's 403).
    record_set = RECORD_SETS.get(name)
    if record_set is None or not record_set.available:
        raise Http404
    access.require_capability(request.user, Action.VIEW_DASHBOARD)
    year = _year(request)
    params = clean_params(record_set, request.GET)
    return record_set, year, params


@login_required
@require_GET
def records(request: HttpRequest, name: str) -> HttpResponse:
    """The records behind one figure: the same filter the figure counts, paginated."""
    try:
        record_set, year, params = _record_set(request, name)
    except ValidationError as exc:
        return _bad_request(request, exc)
    paths = [c.path for c in record_set.columns]
    rows = record_set.rows(Period(year), params).values_list(*paths)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/records.html",
        {
            "record_set": record_set,
            "year": year,
            "year_label": str(FiscalYear(year)),
            "params": params,
            "columns": [str(c.label) for c in record_set.columns],
            "rows": [list(zip(record_set.columns, row, strict=True)) for row in page],
            "page": page,
            "csv_query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def records_csv(request: HttpRequest, name: str) -> HttpResponse:
    """The same list as a CSV written by the database (COPY) through the one CSV writer."""
    try:
        record_set, year, params = _record_set(request, name)
    except ValidationError as exc:
        return _bad_request(request, exc)
    paths = [c.path for c in record_set.columns]
    rows = record_set.rows(Period(year), params).values_list(*paths)
    return exports.queryset_csv_response(
        rows,
        header=[str(c.label) for c in record_set.columns],
        filename=f"{name}-FY{year}.csv",
    )


@login_required
@require_GET
def annual_figures_download(request: HttpRequest) -> HttpResponse:
    """The year's annual figures as JSON, CSV or XLSX (administrators)."""
    access.require_capability(request.user, Action.EXPORT_ANNUAL_FIGURES)
    fmt = request.GET.get("format", "xlsx")
    try:
        year = _year(request)
        if fmt not in figures_export.FORMATS:
            raise ValidationError({"format": "json, csv, xlsx"})
    except ValidationError as exc:
        return _bad_request(request, exc)
    return figures_export.response(as_data(year, annual_figures(year)), fmt)
