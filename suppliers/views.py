"""Staff and supplier pages of the registry (list and detail).

Views parse the request, call a selector and shape what the templates show; what a user
may see is decided by the selectors (``visible_to``), never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal, get_currency_precision
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from procurement_portal import access
from procurement_portal.core.audit import log_access
from procurement_portal.fiscal import FiscalYear, current_fiscal_year

from . import panels, selectors
from .forms import SupplierFilterForm
from .models import Supplier, SupplierStatus
from .regions import Region

RESULTS_TARGET = "results"
SORTABLE_COLUMNS = ("code", "name", "country")


@dataclass(frozen=True)
class SortHeader:
    """How a sortable column header links: the sort it switches to, its aria-sort."""

    next: str
    state: str  # "ascending", "descending" or "none"


def _sort_headers(current: str) -> dict[str, SortHeader]:
    headers = {}
    for column in SORTABLE_COLUMNS:
        if current == column:
            headers[column] = SortHeader(next=f"-{column}", state="ascending")
        elif current == f"-{column}":
            headers[column] = SortHeader(next=column, state="descending")
        else:
            headers[column] = SortHeader(next=column, state="none")
    return headers


def _wants_results_only(request: HttpRequest) -> bool:
    # Only the list's own htmx requests get the fragment: a boosted navigation or a
    # history restore (back button with an empty htmx cache) needs the whole page.
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.boosted or htmx.history_restore_request:
        return False
    return htmx.target in (None, RESULTS_TARGET)


_ROW = (
    '<tr><td data-label="{}" class="code"><a href="{}">{}</a></td>'
    '<td data-label="{}" class="name"><a href="{}" class="name-main"{}>{}</a>{}</td>'
    '<td data-label="{}">{}</td><td data-label="{}">{}</td><td data-label="{}">{}</td>'
    '<td data-label="{}"><span class="badge status-{}">{}</span></td>{}{}</tr>'
)


def _list_rows(suppliers) -> list[Supplier]:
    """The page's suppliers, each with its table row built once in Python (``row_html``).

    Per-row template work (a variable lookup, a filter or an ``if`` for each of about 25
    nodes of 25 to 200 rows) was most of the list page's Python time, twice the database
    time at 50,000 suppliers (bench/README.md); one ``format_html`` per row gives the same
    markup for a fraction of it. Every value is escaped by ``format_html``."""
    rows = list(suppliers)
    statuses = {value: str(label) for value, label in SupplierStatus.choices}
    regions = {value: str(label) for value, label in Region.choices}
    no_category = format_html('<span class="muted">{}</span>', "—")
    japanese = (get_language() or "en").startswith("ja")
    fiscal_year = current_fiscal_year()
    labels = {
        "code": _("Code"),
        "name": _("Name"),
        "country": _("Country"),
        "region": _("Region"),
        "categories": _("Categories"),
        "status": _("Status"),
        "critical": _("Critical %(fy)s") % {"fy": fiscal_year},
        "partner": _("Strategic partner"),
    }
    critical_cell = format_html(
        '<td data-label="{}"><span class="badge critical">{}</span></td>',
        labels["critical"],
        _("Critical"),
    )
    not_critical_cell = format_html(
        '<td data-label="{}" class="is-empty"><span class="muted">{}</span></td>',
        labels["critical"],
        "—",
    )
    partner_cell = format_html(
        '<td data-label="{}"><span class="badge partner" title="{}">★ {}</span></td>',
        labels["partner"],
        _("Strategic supply-chain partner"),
        _("Partner"),
    )
    not_partner_cell = format_html(
        '<td data-label="{}" class="is-empty"><span class="muted">{}</span></td>',
        labels["partner"],
        "—",
    )
    lang_ja = mark_safe(' lang="ja"')  # nosec B308 B703  # a constant attribute
    # One reverse for the page, not one per row: only the id changes.
    detail_url = reverse("suppliers:detail", args=[0]).removesuffix("0/")
    country_names: dict[str, str] = {}
    for s in rows:
        s.detail_url = f"{detail_url}{s.pk}/"
        code = str(s.country)
        if code not in country_names:
            country_names[code] = str(s.country.name)
        s.country_name = country_names[code]
        s.status_label = statuses.get(s.status, s.status)
        s.region_name = regions.get(s.region, "")
        s.category_tags = (
            format_html_join(
                "", '<span class="tag">{}</span>', ((c.name,) for c in s.categories.all())
            )
            or no_category
        )
        both_names = bool(s.local_name) and japanese
        s.row_html = format_html(
            _ROW,
            labels["code"],
            s.detail_url,
            s.code,
            labels["name"],
            s.detail_url,
            lang_ja if both_names else "",
            s.display_name,
            format_html('<span class="name-sub" lang="en">{}</span>', s.legal_name)
            if both_names
            else "",
            labels["country"],
            s.country_name,
            labels["region"],
            s.region_name,
            labels["categories"],
            s.category_tags,
            labels["status"],
            s.status,
            s.status_label,
            critical_cell if s.is_critical_now else not_critical_cell,
            partner_cell if s.is_strategic_partner else not_partner_cell,
        )
    return rows


@login_required
@require_GET
def supplier_list(request: HttpRequest) -> HttpResponse:
    form = SupplierFilterForm(request.GET, user=request.user)
    form.is_valid()  # invalid fields are reported and left out of the filters
    suppliers = selectors.supplier_list(user=request.user, **form.selector_filters())
    page = Paginator(suppliers, form.page_size).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filter_errors": form.error_list(),
        "page": page,
        "suppliers": _list_rows(page.object_list),
        "sort": form.current_sort,
        "sort_headers": _sort_headers(form.current_sort),
        "is_filtered": any(
            form.value(name) for name in ("q", "region", "country", "category", "status")
        )
        or form.value("critical_in") is not None,
    }
    template = "suppliers/_results.html" if _wants_results_only(request) else "suppliers/list.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@dataclass(frozen=True)
class SpendRow:
    fiscal_year: FiscalYear
    amount: str
    currency: str


def _format_amount(amount: Decimal, currency: str) -> str:
    """Thousands separators and the currency's own decimals (JPY none, USD two)."""
    digits = get_currency_precision(currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    locale = to_locale(get_language() or "en")
    return format_decimal(amount, format=pattern, locale=locale)


@dataclass(frozen=True)
class DesignationRow:
    fiscal_year: FiscalYear
    reasons: list[str]
    note: str
    designated_by: str


def supplier_profile(*, user, supplier: Supplier) -> dict:
    """The supplier's profile as the page and the profile PDF show it: one shaping for
    both. Contact details are personal data: every shaping records who saw them."""
    contacts = list(supplier.contacts.all())
    log_access(contacts)  # contact details are personal data: who saw them is recorded
    spend = [
        SpendRow(
            fiscal_year=FiscalYear(row.fiscal_year),
            amount=_format_amount(row.amount, row.currency),
            currency=row.currency,
        )
        for row in supplier.spend.all()
    ]
    # The staff's note and name are the company's own: supplier users see the year and
    # the reasons only (the same rule as the API).
    internal = access.sees_all_suppliers(user)
    designations = [
        DesignationRow(
            fiscal_year=FiscalYear(d.fiscal_year),
            reasons=d.reasons,
            note=d.note if internal else "",
            designated_by=d.designated_by.get_full_name() if internal and d.designated_by else "",
        )
        for d in supplier.critical_designations.all()
    ]
    return {
        "supplier": supplier,
        # GeneratedField has no get_FOO_display(): the label comes from the choices.
        "region": Region(supplier.region).label if supplier.region else "",
        "categories": list(supplier.categories.all()),
        "sites": list(supplier.sites.all()),
        "contacts": contacts,
        "spend": spend,
        "designations": designations,
        "internal": internal,
        "critical_now": any(d.fiscal_year == current_fiscal_year() for d in designations),
    }


@login_required
@require_GET
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        supplier = selectors.supplier_detail(user=request.user, pk=pk)
    except Supplier.DoesNotExist as exc:
        raise Http404 from exc
    profile = supplier_profile(user=request.user, supplier=supplier)
    people = selectors.supplier_people(user=request.user, supplier=supplier)
    context = {
        **profile,
        "people": people,
        "may_invite": people is not None
        and access.can(request.user, access.Action.INVITE_USERS, supplier),
        # Assessments, levels, items and the profile PDF come from the apps above this
        # one through the panel registry (suppliers/panels.py), never imported here.
        "panels": panels.panels_for(user=request.user, supplier=supplier),
    }
    return render(request, "suppliers/detail.html", context)
