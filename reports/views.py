"""Report downloads: printable PDFs (and, in later issues, exports).

Views find the object through a selector (scoped by ``visible_to``: another supplier's
object is a 404), shape ready-to-print data and hand it to the one PDF service.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal, get_currency_precision
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.views.decorators.http import require_GET

from procurement_portal import access
from procurement_portal.fiscal import FiscalYear, current_fiscal_year
from procurement_portal.uploads import attachment_disposition
from suppliers import selectors
from suppliers.models import Supplier
from suppliers.regions import Region

from .pdf import PdfRenderError, render_pdf


@dataclass(frozen=True)
class SpendLine:
    fiscal_year: FiscalYear
    amount: str
    currency: str


@dataclass(frozen=True)
class DesignationLine:
    fiscal_year: FiscalYear
    reasons: list[str]
    note: str
    designated_by: str


def _amount(amount: Decimal, currency: str) -> str:
    """Thousands separators and the currency's own decimals (JPY none, USD two)."""
    digits = get_currency_precision(currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(amount, format=pattern, locale=to_locale(get_language() or "en"))


def pdf_response(pdf: bytes, *, filename: str) -> HttpResponse:
    """A PDF download: attachment, never sniffed, not kept by shared caches."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def pdf_unavailable(request: HttpRequest, error: PdfRenderError, *, back_url: str) -> HttpResponse:
    """The page shown when a PDF could not be made in time: 503, the reason, a way back."""
    context = {"message": str(error), "back_url": back_url}
    return render(request, "reports/pdf_error.html", context, status=503)


@login_required
@require_GET
def supplier_profile_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        supplier = selectors.supplier_detail(user=request.user, pk=pk)
    except Supplier.DoesNotExist as exc:
        raise Http404 from exc
    # The staff's note and name are the company's own: not printed for supplier users.
    internal = access.sees_all_suppliers(request.user)
    designations = [
        DesignationLine(
            fiscal_year=FiscalYear(d.fiscal_year),
            reasons=d.reasons,
            note=d.note if internal else "",
            designated_by=d.designated_by.get_full_name() if internal and d.designated_by else "",
        )
        for d in supplier.critical_designations.all()
    ]
    context = {
        "supplier": supplier,
        # GeneratedField has no get_FOO_display(): the label comes from the choices.
        "region": Region(supplier.region).label if supplier.region else "",
        "categories": list(supplier.categories.all()),
        "sites": list(supplier.sites.all()),
        "contacts": list(supplier.contacts.all()),
        "spend": [
            SpendLine(FiscalYear(s.fiscal_year), _amount(s.amount, s.currency), s.currency)
            for s in supplier.spend.all()
        ],
        "designations": designations,
        "internal": internal,
        "critical_now": any(d.fiscal_year == current_fiscal_year() for d in designations),
        "printed_at": timezone.localtime(),
    }
    try:
        pdf = render_pdf("reports/pdf/supplier_profile.html", context, request=request)
    except PdfRenderError as error:
        return pdf_unavailable(
            request, error, back_url=reverse("suppliers:detail", kwargs={"pk": supplier.pk})
        )
    return pdf_response(pdf, filename=f"supplier-profile-{supplier.code}.pdf")
