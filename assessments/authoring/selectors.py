"""Reads of questionnaires, already scoped to the user and carrying what they show.

Company staff see every questionnaire and version (drafts and retired ones too); a
supplier user sees published versions only, and the questionnaires that have one;
anyone else sees nothing.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from procurement_portal import access
from procurement_portal.access import Action

from ..models import Choice, Question, Questionnaire, QuestionnaireVersion, Section, VersionStatus


def _sees_drafts(user) -> bool:
    return access.sees_all_suppliers(user)


def _sees_published(user) -> bool:
    return _sees_drafts(user) or access.can(user, Action.ANSWER_ASSESSMENTS)


def version_list(*, user) -> QuerySet[QuestionnaireVersion]:
    # Explicit order: a query with an aggregate does not use Meta.ordering.
    versions = (
        QuestionnaireVersion.objects.select_related("questionnaire")
        .annotate(question_count=Count("questions"))
        .order_by("questionnaire__code", "-number")
    )
    if _sees_drafts(user):
        return versions
    if _sees_published(user):
        return versions.filter(status=VersionStatus.PUBLISHED)
    return versions.none()


def version_detail(*, user) -> QuerySet[QuestionnaireVersion]:
    """Versions with their sections, questions and choices in four queries in all,
    however many questions there are."""
    questions = (
        Question.objects.select_related("risk", "show_if_question")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "id")))
        .order_by("position", "id")
    )
    sections = Section.objects.order_by("position", "id").prefetch_related(
        Prefetch("questions", queryset=questions)
    )
    return version_list(user=user).prefetch_related(Prefetch("sections", queryset=sections))


def questionnaire_list(*, user) -> QuerySet[Questionnaire]:
    published = QuestionnaireVersion.objects.filter(
        questionnaire=OuterRef("pk"), status=VersionStatus.PUBLISHED
    ).order_by("-number")
    questionnaires = Questionnaire.objects.annotate(
        published_version_id=Subquery(published.values("pk")[:1]),
        published_version_number=Subquery(published.values("number")[:1]),
    )
    if _sees_drafts(user):
        return questionnaires
    if _sees_published(user):
        return questionnaires.filter(published_version_id__isnull=False)
    return questionnaires.none()
