"""Report downloads: the supplier profile PDF (and, in later issues, exports).

The view finds the supplier through a selector (scoped by ``visible_to``: another
supplier's object is a 404), takes the profile as the supplier page shapes it (one
shaping, which records who saw the contacts) and asks the documents service for the PDF.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from procurement_portal.documents.models import Document
from procurement_portal.documents.services import document_request
from procurement_portal.documents.views import document_response
from suppliers import selectors
from suppliers.models import Supplier
from suppliers.views import supplier_profile


@login_required
@require_GET
def supplier_profile_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        supplier = selectors.supplier_detail(user=request.user, pk=pk)
    except Supplier.DoesNotExist as exc:
        raise Http404 from exc
    context = supplier_profile(user=request.user, supplier=supplier)
    document = document_request(
        kind="supplier-profile",
        subject=supplier,
        audience=Document.INTERNAL if context["internal"] else "",
        template_name="reports/pdf/supplier_profile.html",
        context=context,
        filename=f"supplier-profile-{supplier.code}.pdf",
        request=request,
    )
    back_url = reverse("suppliers:detail", kwargs={"pk": supplier.pk})
    return document_response(request, document, back_url=back_url)
