"""Pages that belong to no single app: the home page and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
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
    return render(request, "core/home.html", context)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; send them to the icon."""
    from django.templatetags.static import static

    return redirect(static("favicon.svg"), permanent=True)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
