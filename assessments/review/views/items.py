"""Improvement items: the staff list, the supplier's list, one item and its steps."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.uploads import serve_private_file
from suppliers.models import Supplier

from ... import items as item_services
from ...models import (
    ImprovementEvidence,
    ImprovementItem,
    ImprovementStatus,
)
from .. import forms, selectors
from ..internal import sees_internal
from ._common import PAGE_SIZE, require_staff, run_service


def _item_page(request: HttpRequest, *, staff_view: bool) -> HttpResponse:
    # A supplier user of one company has nothing to pick; of several, the same filter.
    several = staff_view or Supplier.objects.visible_to(request.user).count() > 1
    form = forms.ItemFilterForm(request.GET, with_supplier=several)
    filters = form.cleaned()
    items = selectors.item_list(
        user=request.user,
        status=filters.get("status") or "",
        risk=filters.get("risk") or "",
        overdue=bool(filters.get("overdue")),
        supplier=filters.get("supplier") or "",
        source=filters.get("source") or "",
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filter_errors": form.error_list(),
        "page": page,
        "items": page.object_list,
        "staff_view": staff_view,
    }
    return render(request, "assessments/review/items.html", context)


@login_required
@require_GET
def item_list_staff(request: HttpRequest) -> HttpResponse:
    """Every supplier's improvement items (staff)."""
    require_staff(request.user)
    return _item_page(request, staff_view=True)


@login_required
@require_GET
def item_list_mine(request: HttpRequest) -> HttpResponse:
    """The supplier's own improvement items; staff are sent to the full list."""
    if access.sees_all_suppliers(request.user):
        return redirect("assessments:items-staff")
    if not access.is_supplier_user(request.user):
        raise PermissionDenied
    return _item_page(request, staff_view=False)


def _item(request: HttpRequest, pk: int) -> ImprovementItem:
    try:
        return selectors.item_detail(user=request.user, pk=pk)
    except ImprovementItem.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One item: the supplier answers with an action plan; staff verify, close, reopen."""
    item = _item(request, pk)
    is_supplier = access.can(request.user, Action.ANSWER_ASSESSMENTS)
    reviewer = access.can(request.user, Action.REVIEW_ASSESSMENTS, item)
    S = ImprovementStatus
    internal = sees_internal(request.user)
    language = (get_language() or "en")[:2]
    context = {
        "item": item,
        "internal": internal,
        "history": selectors.item_history(item, internal=internal, language=language),
        "finding_other_language": bool(item.written_in and item.written_in != language),
        # The required action an inspector wrote (one language) says so like the finding.
        "action_other_language": bool(
            item.written_in and item.written_in != language and not item.required_action_ja
        ),
        "plan_max_files": item_services.PLAN_MAX_FILES,
        "is_overdue": item.status in (S.OPEN, S.ACTION_PLAN_SUBMITTED)
        and item.due_date < timezone.localdate(),
        "can_plan": is_supplier and item.status == S.OPEN,
        "can_verify": reviewer and item.status == S.ACTION_PLAN_SUBMITTED,
        "can_close": reviewer and item.status == S.VERIFIED,
        "can_reopen": reviewer and item.status in (S.ACTION_PLAN_SUBMITTED, S.VERIFIED),
        "plan_form": forms.ActionPlanForm(initial={"action_plan": item.action_plan}),
        "note_form": forms.ItemNoteForm(),
        "back_url": reverse(
            "assessments:items-staff"
            if access.sees_all_suppliers(request.user)
            else "assessments:items"
        ),
    }
    return render(request, "assessments/review/item_detail.html", context)


def _item_action(request: HttpRequest, pk: int, call, success: str) -> HttpResponse:
    item = _item(request, pk)
    run_service(request, lambda: call(item), success)
    return redirect("assessments:item-detail", pk=item.pk)


@login_required
@require_POST
def item_action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.ActionPlanForm(request.POST)
    form.is_valid()
    plan = form.cleaned_data.get("action_plan", "")
    files = request.FILES.getlist("files")
    return _item_action(
        request,
        pk,
        lambda item: item_services.item_action_plan_submit(
            actor=request.user, item_id=item.pk, action_plan=plan, files=files
        ),
        _("Action plan submitted."),
    )


@login_required
@require_GET
def item_evidence_download(request: HttpRequest, evidence_pk: int) -> HttpResponse:
    """A file sent with an action plan, to the supplier's users and staff only."""
    try:
        evidence = ImprovementEvidence.objects.visible_to(request.user).get(pk=evidence_pk)
    except ImprovementEvidence.DoesNotExist as exc:
        raise Http404 from exc
    return serve_private_file(
        request,
        file_field_or_path=evidence.file,
        download_name=evidence.original_name,
        content_type=evidence.content_type,
    )


def _note(request: HttpRequest) -> str:
    form = forms.ItemNoteForm(request.POST)
    form.is_valid()
    return form.cleaned_data.get("note", "")


@login_required
@require_POST
def item_verify(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(request)
    return _item_action(
        request,
        pk,
        lambda item: item_services.item_verify(actor=request.user, item_id=item.pk, note=note),
        _("Action plan verified."),
    )


@login_required
@require_POST
def item_close(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(request)
    return _item_action(
        request,
        pk,
        lambda item: item_services.item_close(actor=request.user, item_id=item.pk, note=note),
        _("Improvement item closed."),
    )


@login_required
@require_POST
def item_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(request)
    return _item_action(
        request,
        pk,
        lambda item: item_services.item_reopen(actor=request.user, item_id=item.pk, note=note),
        _("Sent back to the supplier."),
    )
