"""Pages of the supplier's side: overview, sections with autosave, evidence, submission,
the read-only copy and its PDF, and the staff's assignment form.

Thin: each view finds the assessment through a selector (``visible_to``: another
supplier's is a 404), calls one service for a write, and shapes the answer. The save
endpoint answers JSON (see ``answer_save_view``) when asked for it by the page's script,
and otherwise redirects back to the question, so the page works without script too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.models import Assessment, Evidence, Question, Section
from assessments.review import threads as review_threads
from assessments.workflow import TransitionConflict
from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.forms import apply_validation_error
from procurement_portal.core.text import parse_digits
from procurement_portal.documents.models import Document
from procurement_portal.documents.services import document_request
from procurement_portal.documents.views import document_response
from procurement_portal.uploads import serve_private_file

from . import selectors, services
from .forms import AssignForm


def _can_answer(user, assessment: Assessment) -> bool:
    return access.can(user, Action.ANSWER_ASSESSMENTS) and assessment.is_editable


def _overview_or_404(request: HttpRequest, pk: int, **kw) -> selectors.AssessmentOverview:
    try:
        return selectors.assessment_overview(user=request.user, assessment_id=pk, **kw)
    except Assessment.DoesNotExist as exc:
        raise Http404 from exc


def _section_url(assessment_id: int, section_code: str, question_code: str = "") -> str:
    url = reverse("assessments:section", kwargs={"pk": assessment_id, "section_code": section_code})
    return f"{url}#q-{question_code}" if question_code else url


@login_required
@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    data = _overview_or_404(request, pk)
    a = data.assessment
    return render(
        request,
        "assessments/answering/overview.html",
        {
            "data": data,
            "assessment": a,
            "can_answer": _can_answer(request.user, a),
            "overdue": bool(a.is_editable and a.due_date and a.due_date < timezone.localdate()),
            "returned": review_threads.return_summary(assessment=a),
        },
    )


@login_required
@require_GET
def section(request: HttpRequest, pk: int, section_code: str) -> HttpResponse:
    try:
        page = selectors.section_page(
            user=request.user, assessment_id=pk, section_code=section_code
        )
    except (Assessment.DoesNotExist, Section.DoesNotExist) as exc:
        raise Http404 from exc
    assessment = page.assessment
    required = [q for q in page.questions if q.shown and q.question.required]
    return render(
        request,
        "assessments/answering/section.html",
        {
            "page": page,
            "assessment": assessment,
            "can_answer": _can_answer(request.user, assessment),
            # Threads stay readable after the return (resolved ones too); the supplier
            # replies while the assessment is returned to them.
            "show_comments": True,
            "hide_comments_after": review_threads.hidden_after(request.user, assessment),
            "return_note": review_threads.return_note(assessment=assessment),
            "can_reply_comments": _can_answer(request.user, assessment)
            and assessment.status == "returned",
            "section_number": page.sections.index(page.section) + 1,
            "required_count": len(required),
            "answered_count": sum(1 for q in required if q.counts_as_answered),
            "to_confirm_count": sum(1 for q in page.questions if q.shown and q.carried_over),
        },
    )


@login_required
@require_POST
def confirm_section(request: HttpRequest, pk: int, section_code: str) -> HttpResponse:
    """ "Confirm all in this section": every carried-over answer shown there, unchanged.
    Back to the section, or to the submission page when asked from there."""
    try:
        count = services.carried_over_confirm(
            actor=request.user, assessment_id=pk, section_code=section_code
        )
    except (Assessment.DoesNotExist, Section.DoesNotExist) as exc:
        raise Http404 from exc
    except TransitionConflict as exc:
        messages.error(request, exc.message)
        return redirect("assessments:overview", pk=pk)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s carried-over answer confirmed.",
                "%(count)s carried-over answers confirmed.",
                count,
            )
            % {"count": count},
        )
    if request.POST.get("next") == "submit":
        return redirect("assessments:submit", pk=pk)
    return redirect(_section_url(pk, section_code))


def _answer_json(answer) -> dict[str, Any]:
    return {
        "revision": answer.revision,
        "value": answer.value,
        "not_applicable": answer.not_applicable,
        "answered": answer.is_answered,
        "carried_over": answer.carried_over,
    }


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _posted_value(request: HttpRequest) -> Any:
    # One "value" for most types, several for multiple choice; the service decides.
    values = request.POST.getlist("value")
    return values[0] if len(values) == 1 else values


def _posted_revision(request: HttpRequest) -> int | None:
    raw = request.POST.get("revision", "")
    return parse_digits(raw)


@login_required
@require_POST
def answer_save_view(request: HttpRequest, pk: int, question_code: str) -> HttpResponse:
    """Save one answer. JSON answers (``Accept: application/json``):

    * 200 ``{"status": "saved", "revision", "value", "not_applicable", "answered", ...}``
    * 400 ``{"status": "invalid", "errors": {"value": ["..."]}}``: nothing saved
    * 409 ``{"status": "conflict", "message", "revision", "value", ...}``: someone else
      saved first; 409 ``{"status": "locked", "message"}``: the assessment is submitted
    * 403 ``{"status": "forbidden"}``; 404 for another supplier's assessment
    """
    try:
        answer = services.answer_save(
            actor=request.user,
            assessment_id=pk,
            question_code=question_code,
            value=_posted_value(request),
            not_applicable=request.POST.get("not_applicable", "") in {"1", "on", "true"},
            expected_revision=_posted_revision(request),
        )
    except (Assessment.DoesNotExist, Question.DoesNotExist) as exc:
        raise Http404 from exc
    except PermissionDenied as exc:
        if _wants_json(request):
            return JsonResponse({"status": "forbidden", "message": str(exc)}, status=403)
        raise
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"status": "invalid", "errors": exc.message_dict}, status=400)
        return _back_to_question(request, pk, question_code, error=" ".join(exc.messages))
    except services.StaleAnswer as exc:
        if _wants_json(request):
            body = {"status": "conflict", "message": exc.message, **_answer_json(exc.answer)}
            return JsonResponse(body, status=409)
        return _back_to_question(request, pk, question_code, error=exc.message)
    except TransitionConflict as exc:
        if _wants_json(request):
            return JsonResponse({"status": "locked", "message": exc.message}, status=409)
        messages.error(request, exc.message)
        return redirect("assessments:overview", pk=pk)
    if _wants_json(request):
        return JsonResponse({"status": "saved", **_answer_json(answer)})
    return _back_to_question(request, pk, question_code, saved=True)


def _back_to_question(
    request: HttpRequest, pk: int, question_code: str, *, error: str = "", saved: bool = False
) -> HttpResponse:
    section_code = (
        Question.objects.filter(version__assessments__pk=pk, code=question_code)
        .values_list("section__code", flat=True)
        .first()
    )
    if error:
        messages.error(request, error)
    elif saved:
        messages.success(request, _("Answer saved."))
    return redirect(_section_url(pk, section_code or "", question_code))


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int, question_code: str) -> HttpResponse:
    """Attach a file to a file question, then back to the question."""
    try:
        evidence = services.evidence_add(
            actor=request.user,
            assessment_id=pk,
            question_code=question_code,
            uploaded_file=request.FILES.get("file"),
        )
    except (Assessment.DoesNotExist, Question.DoesNotExist) as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except TransitionConflict as exc:
        messages.error(request, exc.message)
        return redirect("assessments:overview", pk=pk)
    else:
        messages.success(request, _("“%(name)s” uploaded.") % {"name": evidence.original_name})
    return _back_to_question(request, pk, question_code)


@login_required
@require_POST
def evidence_delete(request: HttpRequest, evidence_pk: int) -> HttpResponse:
    try:
        evidence = (
            Evidence.objects.visible_to(request.user)
            .select_related("answer__question__section")
            .get(pk=evidence_pk)
        )
    except Evidence.DoesNotExist as exc:
        raise Http404 from exc
    assessment_id, question = evidence.answer.assessment_id, evidence.answer.question
    try:
        services.evidence_remove(actor=request.user, evidence_id=evidence.pk)
    except TransitionConflict as exc:
        messages.error(request, exc.message)
        return redirect("assessments:overview", pk=assessment_id)
    messages.success(request, _("“%(name)s” removed.") % {"name": evidence.original_name})
    return redirect(_section_url(assessment_id, question.section.code, question.code))


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_pk: int) -> HttpResponse:
    try:
        evidence = Evidence.objects.visible_to(request.user).get(pk=evidence_pk)
    except Evidence.DoesNotExist as exc:
        raise Http404 from exc
    return serve_private_file(
        request,
        file_field_or_path=evidence.file,
        download_name=evidence.original_name,
        content_type=evidence.content_type,
    )


def _grouped(pk: int, pairs) -> list[dict[str, Any]]:
    """(section, question) pairs as one entry per section, each question with its link."""
    groups: dict[int, dict[str, Any]] = {}
    for s, q in pairs:
        group = groups.setdefault(s.pk, {"section": s, "questions": []})
        group["questions"].append({"question": q, "url": _section_url(pk, s.code, q.code)})
    return list(groups.values())


def _refused(request: HttpRequest, pk: int, missing, unconfirmed) -> HttpResponse:
    data = _overview_or_404(request, pk)
    context = {
        "assessment": data.assessment,
        "missing": [
            {"section": s, "question": q, "url": _section_url(pk, s.code, q.code)}
            for s, q in missing
        ],
        "unconfirmed_groups": _grouped(pk, unconfirmed),
        "unconfirmed_count": len(unconfirmed),
        "can_answer": _can_answer(request.user, data.assessment),
    }
    return render(request, "assessments/answering/submit_missing.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit for review. GET asks first, with the count of answers to be locked (or
    lists what stands in the way); POST submits: success leads to the read-only copy;
    missing and unconfirmed carried-over answers are listed, each linked to its
    question, with "confirm all in this section" for the carried-over ones."""
    if request.method == "GET":
        data = _overview_or_404(request, pk)
        if not _can_answer(request.user, data.assessment):
            return redirect("assessments:overview", pk=pk)
        if data.missing or data.unconfirmed:
            return _refused(request, pk, data.missing, data.unconfirmed)
        context = {
            "assessment": data.assessment,
            "answer_count": data.progress.answered_total,
            "section_count": len(data.sections),
        }
        return render(request, "assessments/answering/submit_confirm.html", context)
    try:
        services.assessment_submit(actor=request.user, assessment_id=pk)
    except Assessment.DoesNotExist as exc:
        raise Http404 from exc
    except services.MissingAnswers as exc:
        return _refused(request, pk, exc.missing, exc.unconfirmed)
    except TransitionConflict as exc:
        messages.error(request, exc.message)
        return redirect("assessments:overview", pk=pk)
    messages.success(
        request,
        _("Thank you: your self-assessment is submitted. Its answers are now locked for review."),
    )
    return redirect("assessments:answers", pk=pk)


def _copy_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    data = _overview_or_404(request, pk, with_questions=True)
    return {"data": data, "assessment": data.assessment, "printed_at": timezone.localtime()}


@login_required
@require_GET
def answers(request: HttpRequest, pk: int) -> HttpResponse:
    """Every question and answer, read-only: what was (or will be) submitted."""
    return render(request, "assessments/answering/answers.html", _copy_context(request, pk))


@login_required
@require_GET
def answers_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    context = _copy_context(request, pk)
    context.pop("printed_at", None)  # the documents service stamps the printing time
    a = context["assessment"]
    document = document_request(
        kind="assessment-copy",
        subject=a,
        audience=Document.INTERNAL if access.sees_all_suppliers(request.user) else "",
        template_name="reports/pdf/assessment.html",
        context=context,
        filename=f"self-assessment-{a.supplier.code}-{a.questionnaire.code}-{a.fiscal_year}.pdf",
        request=request,
    )
    back_url = reverse("assessments:answers", kwargs={"pk": pk})
    return document_response(request, document, back_url=back_url)


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest) -> HttpResponse:
    """Staff give a supplier a questionnaire for a fiscal year, by hand."""
    if not access.can(request.user, Action.ASSIGN_ASSESSMENTS):
        raise PermissionDenied
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.assessment_assign(
                actor=request.user,
                supplier=data["supplier_code"],
                version=data["version"],
                fiscal_year=data["fiscal_year"],
                due_date=data["due_date"],
                carry_over=data["carry_over"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            url = reverse("assessments:overview", kwargs={"pk": assessment.pk})
            messages.success(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("%(supplier)s has %(questionnaire)s for %(year)s.")
                    % {
                        "supplier": assessment.supplier.code,
                        "questionnaire": assessment.questionnaire.title,
                        "year": assessment.fiscal_year_label,
                    },
                    url,
                    _("Open it"),
                ),
            )
            return redirect("assessments:assign")
    status = 400 if form.errors else 200
    return render(request, "assessments/answering/assign.html", {"form": form}, status=status)
