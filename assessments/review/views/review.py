"""The review queue and the review of one assessment (comment, return, accept, scores)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from procurement_portal import access
from procurement_portal.access import Action

from ...models import (
    Answer,
    Assessment,
    AssessmentStatus,
)
from ...scoring import compute
from ...workflow import TransitionConflict
from .. import forms, selectors, services
from ._common import PAGE_SIZE, error_text, level_of, require_staff, run_service


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted assessments waiting for review, oldest first (staff; the CSCO reads)."""
    require_staff(request.user)
    form = forms.QueueFilterForm(request.GET)
    filters = form.cleaned()
    queue = selectors.review_queue(
        user=request.user,
        kind=filters.get("kind") or "",
        region=filters.get("region") or "",
        fiscal_year=filters.get("fiscal_year"),
        supplier=filters.get("supplier") or "",
        risk=filters.get("risk") or "",
        status=filters.get("status") or "",
        source=filters.get("source") or "",
        overdue=bool(filters.get("overdue")),
    )
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(a, selectors.waiting_days(a)) for a in page.object_list]
    context = {
        "form": form,
        "filter_errors": form.error_list(),
        "page": page,
        "rows": rows,
        "can_review": access.can(request.user, Action.REVIEW_ASSESSMENTS),
        "waiting": not filters.get("status"),
    }
    return render(request, "assessments/review/queue.html", context)


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    try:
        return selectors.assessment_for_review(user=request.user, pk=pk)
    except Assessment.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole assessment with scores, comments, history, and the review actions."""
    assessment = _assessment(request, pk)
    require_staff(request.user)
    data = selectors.review_data(assessment)
    may_review = access.can(request.user, Action.REVIEW_ASSESSMENTS, assessment)
    context = {
        "assessment": assessment,
        "data": data,
        "report": data.report,
        "may_review": may_review,
        "can_comment": may_review and assessment.status in services.COMMENTABLE,
        "can_decide": may_review and assessment.status == AssessmentStatus.SUBMITTED,
        "return_form": forms.ReturnForm(auto_id="return_%s"),
        "accept_form": forms.AcceptForm(auto_id="accept_%s"),
        "comment_form": forms.CommentForm(),
        "infosec_level": level_of(assessment),
    }
    return render(request, "assessments/review/detail.html", context)


@login_required
@require_POST
def review_comment_add(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    """Add a comment to one answer. htmx gets the answer's updated comment list."""
    assessment = _assessment(request, pk)
    try:
        answer = Answer.objects.visible_to(request.user).get(pk=answer_pk, assessment=assessment)
    except Answer.DoesNotExist as exc:
        raise Http404 from exc
    require_staff(request.user)
    form = forms.CommentForm(request.POST)
    form.is_valid()
    error = ""
    try:
        services.answer_comment_add(
            actor=request.user, answer_id=answer.pk, body=form.cleaned_data.get("body", "")
        )
    except ValidationError as exc:
        error = " ".join(error_text(exc))
    except TransitionConflict as exc:
        error = exc.message
    if request.htmx:
        assessment.refresh_from_db(fields=["status"])
        context = {
            "assessment": assessment,
            "answer": answer,
            "comments": list(answer.comments.select_related("author", "resolved_by")),
            "can_comment": access.can(request.user, Action.REVIEW_ASSESSMENTS, assessment)
            and assessment.status in services.COMMENTABLE,
            "comment_form": forms.CommentForm() if not error else form,
            "comment_error": error,
        }
        return render(request, "assessments/review/_comments.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Comment added."))
    return redirect(reverse("assessments:review-detail", args=[pk]) + f"#answer-{answer.pk}")


@login_required
@require_POST
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    require_staff(request.user)
    form = forms.ReturnForm(request.POST)
    form.is_valid()
    run_service(
        request,
        lambda: services.assessment_return(
            actor=request.user, assessment_id=assessment.pk, note=form.cleaned_data.get("note", "")
        ),
        _("Returned to the supplier for clarification."),
    )
    return redirect("assessments:review-detail", pk=pk)


@login_required
@require_POST
def review_accept(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    require_staff(request.user)
    form = forms.AcceptForm(request.POST)
    form.is_valid()
    run_service(
        request,
        lambda: services.assessment_accept(
            actor=request.user, assessment_id=assessment.pk, note=form.cleaned_data.get("note", "")
        ),
        _("Accepted. The scores are stored."),
    )
    return redirect("assessments:review-detail", pk=pk)


@login_required
@require_GET
def review_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """The scores and the answers that cost points, for the supplier and staff alike.

    A supplier sees them once the assessment is accepted; staff see provisional ones
    while it is under review.
    """
    assessment = _assessment(request, pk)
    staff = access.sees_all_suppliers(request.user)
    accepted = assessment.status == AssessmentStatus.ACCEPTED
    report = compute(assessment) if (accepted or staff) else None
    context = {
        "assessment": assessment,
        "report": report,
        "accepted": accepted,
        "staff": staff,
        "risk_scores": list(assessment.risk_scores.select_related("risk")) if accepted else [],
        "infosec_level": level_of(assessment),
        "items_url": _items_url(request.user, assessment),
    }
    return render(request, "assessments/review/scores.html", context)


def _items_url(user, assessment: Assessment) -> str:
    """This supplier's improvement items (the staff list or the supplier's own)."""
    name = "assessments:items-staff" if access.sees_all_suppliers(user) else "assessments:items"
    return f"{reverse(name)}?{urlencode({'supplier': assessment.supplier.code})}"
