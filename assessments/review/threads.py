"""Comment threads on answers, and the return note, as both sides read them.

A thread is a reviewer's comment and its replies (``AnswerComment.parent``). The
supplier's users do not see what reviewers wrote during a review still in progress (their
working notes until they return or accept), the same rule as ``selectors.comment_list``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import reverse

from procurement_portal.access import sees_all_suppliers

from ..models import AnswerComment, Assessment, AssessmentEvent, AssessmentStatus

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User


@dataclass
class Thread:
    root: AnswerComment
    replies: list[AnswerComment] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.root.resolved_at is not None

    @property
    def comments(self) -> list[AnswerComment]:
        return [self.root, *self.replies]


def hidden_after(user: User | None, assessment: Assessment) -> dt.datetime | None:
    """From when comments are hidden from this reader: the submission, while a supplier
    user reads an assessment under review; else None (nothing hidden)."""
    if sees_all_suppliers(user) or assessment.status != AssessmentStatus.SUBMITTED:
        return None
    return assessment.submitted_at


def threads_of(
    comments: list[AnswerComment], *, hide_after: dt.datetime | None = None
) -> list[Thread]:
    """The comments (already loaded, in order) grouped into threads, oldest first. With
    ``hide_after``, reviewers' comments made since then are left out (and a thread whose
    first comment is left out, with it)."""
    threads: dict[int, Thread] = {}
    for c in sorted(comments, key=lambda c: (c.created_at, c.pk)):
        if hide_after is not None and c.created_at >= hide_after:
            author = c.author
            if author is None or author.is_portal_staff:
                continue
        if c.parent_id is None:
            threads[c.pk] = Thread(root=c)
        elif c.parent_id in threads:
            threads[c.parent_id].replies.append(c)
    return list(threads.values())


def return_note(*, assessment: Assessment) -> str:
    """The note of the last return, while the assessment is returned ("" otherwise)."""
    if assessment.status != AssessmentStatus.RETURNED:
        return ""
    return (
        AssessmentEvent.objects.filter(assessment=assessment, to_status=AssessmentStatus.RETURNED)
        .order_by("-at", "-id")
        .values_list("note", flat=True)
        .first()
        or ""
    )


@dataclass
class ReturnSummary:
    """Why the assessment came back: the reviewer's note, who returned it and when, and
    each answer with an open thread (linked to its question)."""

    note: str
    reviewer: str
    at: dt.datetime
    commented: list[dict]


def return_summary(*, assessment: Assessment) -> ReturnSummary | None:
    """For a returned assessment, its last return (None otherwise). Two queries."""
    if assessment.status != AssessmentStatus.RETURNED:
        return None
    event = (
        AssessmentEvent.objects.filter(assessment=assessment, to_status=AssessmentStatus.RETURNED)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        return None
    roots = (
        AnswerComment.objects.filter(
            answer__assessment=assessment, parent__isnull=True, resolved_at__isnull=True
        )
        .select_related("answer__question__section")
        .order_by("answer__question__section__position", "answer__question__position", "id")
    )
    commented: dict[int, dict] = {}
    for c in roots:
        q = c.answer.question
        if q.pk in commented:
            commented[q.pk]["count"] += 1
            continue
        url = reverse(
            "assessments:section", kwargs={"pk": assessment.pk, "section_code": q.section.code}
        )
        commented[q.pk] = {
            "question": q,
            "section": q.section,
            "url": f"{url}#q-{q.code}",
            "excerpt": c.body[:160],
            "count": 1,
        }
    return ReturnSummary(
        note=event.note,
        reviewer=event.actor.get_full_name() if event.actor else "",
        at=event.at,
        commented=list(commented.values()),
    )
