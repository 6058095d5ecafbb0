"""Replies in a comment thread and resolving it: both sides post here, and go back to
where they read the thread (the supplier to the question, staff to the review page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...models import AnswerComment
from .. import selectors, services
from ._common import run_service


def _comment(request: HttpRequest, pk: int, comment_pk: int) -> AnswerComment:
    try:
        comment = (
            selectors.comment_list(user=request.user)
            .select_related("answer__question__section")
            .get(pk=comment_pk, answer__assessment_id=pk)
        )
    except AnswerComment.DoesNotExist as exc:
        raise Http404 from exc
    return comment


def _back(request: HttpRequest, comment: AnswerComment) -> HttpResponse:
    answer = comment.answer
    if request.user.is_portal_staff:
        url = reverse("assessments:review-detail", kwargs={"pk": answer.assessment_id})
        return redirect(f"{url}#answer-{answer.pk}")
    question = answer.question
    url = reverse(
        "assessments:section",
        kwargs={"pk": answer.assessment_id, "section_code": question.section.code},
    )
    return redirect(f"{url}#q-{question.code}")


@login_required
@require_POST
def comment_reply(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    comment = _comment(request, pk, comment_pk)
    run_service(
        request,
        lambda: services.answer_comment_reply(
            actor=request.user, comment_id=comment.pk, body=request.POST.get("body", "")
        ),
        _("Your reply is posted."),
    )
    return _back(request, comment)


@login_required
@require_POST
def comment_resolve(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    comment = _comment(request, pk, comment_pk)
    resolved = request.POST.get("resolved", "1") != "0"
    run_service(
        request,
        lambda: services.answer_comment_resolve(
            actor=request.user, comment_id=comment.pk, resolved=resolved
        ),
        _("The thread is marked resolved.") if resolved else _("The thread is open again."),
    )
    return _back(request, comment)
