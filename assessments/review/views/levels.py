"""Information-security levels: who meets a level, CSV export, one supplier's levels
with their history, and the staff override."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.forms import apply_validation_error
from procurement_portal.fiscal import FiscalYear, current_fiscal_year
from reports.exports import csv_response
from suppliers.models import Supplier

from ...models import (
    InformationSecurityLevel,
)
from ...scoring import current_policy
from .. import forms, selectors, services
from ..internal import sees_internal
from ._common import PAGE_SIZE, require_staff


def _level_rows(request: HttpRequest):
    levels = services.policy_levels(current_policy())
    data = request.GET.copy()
    data.setdefault("fiscal_year", str(current_fiscal_year().year))
    form = forms.LevelFilterForm(data, levels=levels)
    filters = form.cleaned()
    rows = selectors.infosec_level_list(
        user=request.user,
        fiscal_year=filters.get("fiscal_year"),
        min_level=filters.get("min_level"),
        region=filters.get("region") or "",
    )
    return form, rows


@login_required
@require_GET
def levels(request: HttpRequest) -> HttpResponse:
    """Suppliers at or above a required level in a year (choosing outsourcing partners)."""
    require_staff(request.user)
    form, rows = _level_rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filter_errors": form.error_list(),
        "page": page,
        "rows": page.object_list,
        "export_query": request.GET.urlencode(),
    }
    return render(request, "assessments/review/levels.html", context)


@login_required
@require_GET
def levels_export(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    _form, rows = _level_rows(request)
    return csv_response(
        (
            [
                r.supplier.code,
                r.supplier.legal_name,
                r.supplier.local_name,
                r.supplier.country.code,
                r.supplier.region_label,
                r.fiscal_year,
                r.level,
                r.computed_level,
                _("yes") if r.overridden else _("no"),
            ]
            for r in rows.iterator(chunk_size=500)
        ),
        header=[
            _("supplier code"),
            _("legal name"),
            _("local name"),
            _("country"),
            _("region"),
            _("fiscal year"),
            _("level"),
            _("level from the assessment"),
            _("set by staff"),
        ],
        filename="information-security-levels.csv",
    )


def _supplier(request: HttpRequest, pk: int) -> Supplier:
    try:
        return Supplier.objects.visible_to(request.user).get(pk=pk)
    except Supplier.DoesNotExist as exc:
        raise Http404 from exc


def _level_context(request: HttpRequest, supplier: Supplier, form=None) -> dict:
    rows = list(
        InformationSecurityLevel.objects.visible_to(request.user)
        .filter(supplier=supplier)
        .select_related("set_by", "assessment")
        .order_by("-fiscal_year")
    )
    policy = current_policy()
    levels_allowed = services.policy_levels(policy)
    internal = sees_internal(request.user)
    return {
        "supplier": supplier,
        "rows": [
            (
                row,
                FiscalYear(row.fiscal_year),
                selectors.infosec_level_history(row, internal=internal),
            )
            for row in rows
        ],
        "internal": internal,
        "level_meanings": selectors.infosec_level_meanings(policy),
        "can_override": access.can(request.user, Action.REVIEW_ASSESSMENTS),
        "form": form
        or forms.OverrideForm(
            levels=levels_allowed, initial={"fiscal_year": current_fiscal_year().year}
        ),
    }


@login_required
@require_GET
def level_supplier(request: HttpRequest, pk: int) -> HttpResponse:
    """One supplier's levels by year, each with its history; reviewers may override."""
    supplier = _supplier(request, pk)
    context = _level_context(request, supplier)
    return render(request, "assessments/review/level_supplier.html", context)


@login_required
@require_POST
def level_override(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the level by hand. Bad input re-shows the form with the problems (400)."""
    supplier = _supplier(request, pk)  # scope first: another supplier's is a 404
    if not access.can(request.user, Action.REVIEW_ASSESSMENTS):
        raise PermissionDenied
    form = forms.OverrideForm(request.POST, levels=services.policy_levels(current_policy()))
    if form.is_valid():
        try:
            services.infosec_level_override(
                actor=request.user,
                supplier_id=supplier.pk,
                fiscal_year=form.cleaned_data["fiscal_year"],
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Information-security level set."))
            return redirect("assessments:level-supplier", pk=supplier.pk)
    context = _level_context(request, supplier, form)
    return render(request, "assessments/review/level_supplier.html", context, status=400)
