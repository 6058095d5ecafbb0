"""The visit plan page: the ranked suppliers of a fiscal year with every part of each
score, and the form that turns chosen rows into planned visits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from procurement_portal.core.forms import apply_validation_error
from procurement_portal.core.text import parse_digits
from procurement_portal.fiscal import FiscalYear, current_fiscal_year, fiscal_year_choices

from . import planning, selectors
from .forms import PlanForm

PLAN_ROWS_SHOWN = 200


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    years = [y for y, _label in fiscal_year_choices(back=8)]
    year = parse_digits(raw, max_digits=4)
    return year if year in years else current_fiscal_year().year


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest) -> HttpResponse:
    kinds = selectors.loggable_kinds(request.user)
    if not kinds:
        raise PermissionDenied(_("You may not plan visits."))
    year = _year(request)
    policy = planning.active_policy()
    rows = planning.plan_rows(actor=request.user, fiscal_year=year, policy=policy) if policy else []
    shown = rows[:PLAN_ROWS_SHOWN]
    form = PlanForm(request.POST or None, supplier_ids=[r.supplier.pk for r in rows], kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            created = planning.plan_visits_create(
                actor=request.user,
                fiscal_year=year,
                kind=form.cleaned_data["kind"],
                supplier_ids=form.cleaned_data["suppliers"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(n)s visit planned.", "%(n)s visits planned.", len(created))
                % {"n": len(created)},
            )
            return redirect(reverse("visits:plan") + f"?year={year}")
    return render(
        request,
        "visits/plan.html",
        {
            "year": year,
            "year_label": str(FiscalYear(year)),
            "years": fiscal_year_choices(back=8),
            "policy": policy,
            "rows": shown,
            "row_count": len(rows),
            "components": planning.COMPONENTS,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
