"""The home page: staff land on the supplier list, a supplier user on their company's home.

It reads several apps (the registry, the self-assessments, the improvement items), so it
lives on the top floor with the other pages that read every app; the ground floor
(``procurement_portal``) imports no app.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from assessments.answering.selectors import supplier_assessments
from assessments.models import ImprovementItem, ImprovementStatus
from procurement_portal import access
from procurement_portal.accounts.models import SupplierMembership
from suppliers.models import Supplier


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Staff land on the supplier list; a supplier user on their home: their company, their
    open and past self-assessments and their open improvement items."""
    user = request.user
    if access.sees_all_suppliers(user):
        return redirect("suppliers:list")
    suppliers = list(Supplier.objects.visible_to(user).order_by("code")[:20])
    open_assessments, past_assessments = supplier_assessments(user=user, today=timezone.localdate())
    open_items = (
        ImprovementItem.objects.visible_to(user).exclude(status=ImprovementStatus.CLOSED).count()
        if suppliers
        else 0
    )
    context = {
        "suppliers": suppliers,
        "open_assessments": open_assessments,
        "past_assessments": past_assessments,
        "open_items": open_items,
        "several_suppliers": len(suppliers) > 1,
        # Supplier administrators invite colleagues of their own company from here.
        "admin_of": set(
            SupplierMembership.objects.filter(
                user_id=user.pk, is_supplier_admin=True, supplier__in=suppliers
            ).values_list("supplier_id", flat=True)
        ),
    }
    return render(request, "reports/home.html", context)
