"""Pages of the improvement-guidance letters: issue one visit's letter, open it, and the
staff page that issues the letters of a period in a batch, with its progress.

Thin views: parse, call ``visits.letters``, shape. The letter itself is downloaded
through the documents service's one scoped route (``documents:download``), which checks
that the user sees the visit (a supplier only once the letter is issued).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core import forms as portal_forms
from procurement_portal.core.errors import Conflict

from . import letters
from .models import LetterBatch, Visit, VisitKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


class LetterBatchForm(portal_forms.Form):
    period_start = forms.DateField(label=gettext_lazy("Visits from"), widget=DateInput())
    period_end = forms.DateField(label=gettext_lazy("Visits to"), widget=DateInput())
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of visit"),
        choices=[("", gettext_lazy("Both kinds")), *VisitKind.choices],
        required=False,
    )

    def add_service_errors(self, exc: ValidationError) -> None:
        portal_forms.apply_validation_error(self, exc)


def _is_poll(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def _next_url(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def visit_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the visit's latest letter (through the scoped download). POST (staff): issue
    the letter as the findings read now; the same findings give the same document."""
    visit = Visit.objects.visible_to(request.user).filter(pk=pk).first()
    if visit is None:
        raise Http404
    if request.method == "GET":
        if visit.letter_document_id is None:
            raise Http404
        return redirect("documents:download", pk=visit.letter_document_id)
    try:
        document = letters.letter_request(actor=request.user, visit_id=visit.pk)
    except Conflict as refused:
        messages.error(request, refused.message)
        return redirect(_next_url(request, "visits:letter-batches"))
    messages.success(
        request,
        _("The letter is being prepared; it is issued and e-mailed to the supplier when ready."),
    )
    return redirect("documents:download", pk=document.pk)


def _require_letter_staff(user) -> None:
    access.require_staff(user)


@login_required
@require_http_methods(["GET", "POST"])
def letter_batches(request: HttpRequest) -> HttpResponse:
    """Issue the letters of every submitted visit with findings in a period; the batches
    started so far with their progress."""
    _require_letter_staff(request.user)
    may_issue = access.can(request.user, Action.REVIEW_ASSESSMENTS)
    form = LetterBatchForm(request.POST or None)
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied
        if form.is_valid():
            try:
                batch = letters.letter_batch_start(
                    actor=request.user,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    kind=form.cleaned_data["kind"] or None,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The letters are being rendered and issued."))
                return redirect("visits:letter-batch", pk=batch.pk)
    batches = LetterBatch.objects.select_related("created_by")[:20]
    return render(
        request,
        "visits/letters/batches.html",
        {"form": form, "batches": batches, "may_issue": may_issue},
        # A refused batch is shown again with its reasons, as a refusal (400).
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def letter_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's progress; the counts refresh themselves (htmx) until it is finished."""
    _require_letter_staff(request.user)
    batch = get_object_or_404(LetterBatch, pk=pk)
    if batch.finished_at is None:
        batch = letters.letter_batch_refresh(batch_id=batch.pk)
    context = {"batch": batch, "polling": batch.finished_at is None}
    if _is_poll(request):
        return render(request, "visits/letters/_progress.html", context)
    return render(request, "visits/letters/batch.html", context)
