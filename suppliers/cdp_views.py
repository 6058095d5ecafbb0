"""Staff pages for the registry records the annual figures read: the suppliers in the CDP
Supply Chain programme per fiscal year (loaded through the import page's "cdp" format),
and ending the relationship with a supplier (a date and a reason)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.forms import Form, apply_validation_error
from procurement_portal.fiscal import current_fiscal_year, fiscal_year_choices

from . import selectors, services
from .models import Supplier

PAGE_SIZE = 50


@login_required
@require_GET
def cdp_list(request: HttpRequest) -> HttpResponse:
    """CDP Supply Chain participants of a fiscal year (staff)."""
    access.require_staff(request.user)
    choices = fiscal_year_choices(back=10)
    try:
        year = int(request.GET.get("fiscal_year") or current_fiscal_year().year)
    except ValueError:
        year = current_fiscal_year().year
    rows = selectors.cdp_participation_list(user=request.user).filter(fiscal_year=year)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "suppliers/cdp_list.html",
        {
            "year": year,
            "choices": choices,
            "page": page,
            "rows": page.object_list,
            "can_import": access.can(request.user, Action.IMPORT_DATA),
        },
    )


class TerminateForm(Form):
    terminated_on = forms.DateField(
        label=_("relationship terminated on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("reason for the termination"), widget=forms.Textarea)


@login_required
@require_http_methods(["GET", "POST"])
def supplier_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """End the relationship with a supplier (procurement staff and administrators)."""
    supplier = Supplier.objects.visible_to(request.user).filter(pk=pk).first()
    if supplier is None:
        raise Http404
    access.require(request.user, Action.MANAGE_SUPPLIERS, supplier)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_terminate(
                actor=request.user,
                supplier=supplier,
                terminated_on=form.cleaned_data["terminated_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The relationship is recorded as terminated."))
            return redirect("suppliers:detail", pk=supplier.pk)
    return render(request, "suppliers/terminate.html", {"supplier": supplier, "form": form})
