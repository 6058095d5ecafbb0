"""The supplier timeline page: staff for any supplier, a supplier user for their own
(another supplier's is a 404, as everywhere)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from suppliers import selectors
from suppliers.models import PriorityRisk, Supplier

from .timeline import KINDS, STAGES, timeline

PAGE_SIZE = 25


@login_required
@require_GET
def supplier_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        supplier = selectors.supplier_detail(user=request.user, pk=pk)
    except Supplier.DoesNotExist as exc:
        raise Http404 from exc
    risks = list(PriorityRisk.objects.order_by("position", "code"))
    stage = request.GET.get("stage", "")
    risk = request.GET.get("risk", "")
    errors = {}
    if stage and stage not in STAGES:
        errors["stage"] = stage
        stage = ""
    if risk and risk not in {r.code for r in risks}:
        errors["risk"] = risk
        risk = ""
    rows = timeline(request.user, supplier, stage=stage, risk=risk)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    ja = (get_language() or "en").startswith("ja")
    risk_names = {r.code: r.name for r in risks}
    events = [
        {
            "at": at,
            "stage": STAGES.get(stage_code, stage_code),
            "stage_code": stage_code,
            "kind": KINDS.get(kind, kind),
            "risk": risk_names.get(risk_code, ""),
            "title": (title_ja or title_en) if ja else title_en,
            "detail": detail,
        }
        for at, stage_code, kind, risk_code, title_en, title_ja, detail, _ref in page
    ]
    return render(
        request,
        "reports/timeline.html",
        {
            "supplier": supplier,
            "events": events,
            "page": page,
            "stages": list(STAGES.items()),
            "risks": risks,
            "stage": stage,
            "risk": risk,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
