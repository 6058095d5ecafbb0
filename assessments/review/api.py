"""The review API: queue, return/accept, scores, comments, improvement items, levels.

Thin like the registry's viewsets: reads over the selectors (already scoped, so another
supplier's object is 404), writes through the services. Services' refusals become
400 (ValidationError, by field), 403 (PermissionDenied) and 409 (TransitionConflict:
the object is not in a state that allows the step; nothing changed), all through the
portal's one exception handler.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from procurement_portal.access import Action, sees_all_suppliers
from procurement_portal.core.openapi import (
    VALIDATION_ERROR_SCHEMA,
    ConflictOutputSerializer,
    PortalSchema,
)
from procurement_portal.core.viewsets import ScopedGenericViewSet

from .. import items as item_services
from ..models import (
    Answer,
    AnswerComment,
    Assessment,
    AssessmentStatus,
    ImprovementItem,
    InformationSecurityLevel,
)
from ..scoring import compute
from . import selectors, services
from . import serializers as s


class ReviewSchema(PortalSchema):
    """The registry's error answers, plus 400 for every list's filters and 409 for the
    state-changing posts."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self._is_list_view():  # the filters are parsed by a serializer, not a backend
            responses.setdefault(
                "400",
                self._get_response_for_code(VALIDATION_ERROR_SCHEMA, "400", direction=direction),
            )
        if self.method == "POST":
            responses.setdefault(
                "409",
                self._get_response_for_code(ConflictOutputSerializer, "409", direction=direction),
            )
        return responses


class _ReviewViewSet(ScopedGenericViewSet):
    schema = ReviewSchema()
    filter_backends: list = []

    def _params(self, serializer_class):
        params = serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data


class ReviewQueueViewSet(mixins.ListModelMixin, _ReviewViewSet):
    """Submitted self-assessments waiting for review, oldest first (company staff)."""

    model = Assessment
    staff_only = True
    staff_only_message = gettext_lazy("The review queue is for company staff.")

    serializer_class = s.ReviewQueueOutputSerializer

    def get_queryset(self):
        params = self._params(s.QueueFilterSerializer)
        return selectors.review_queue(user=self.request.user, **params)

    @extend_schema(parameters=[s.QueueFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class ReviewViewSet(_ReviewViewSet):
    """Review actions on one assessment, by its id: return, accept, scores."""

    model = Assessment

    write_action = Action.REVIEW_ASSESSMENTS
    serializer_class = s.NoteInputSerializer

    def get_queryset(self):
        return Assessment.objects.visible_to(self.request.user).select_related(
            "questionnaire", "supplier", "version", "scoring_policy"
        )

    def _scores(self, assessment: Assessment) -> dict:
        assessment.refresh_from_db()
        report = compute(assessment)
        level = None
        if assessment.status == AssessmentStatus.ACCEPTED:
            row = InformationSecurityLevel.objects.filter(
                supplier_id=assessment.supplier_id, fiscal_year=assessment.fiscal_year
            ).first()
            level = row.level if row else None
        data = {
            "assessment": assessment.pk,
            "status": assessment.status,
            "provisional": assessment.status != AssessmentStatus.ACCEPTED,
            "policy": str(report.policy),
            "overall": report.overall,
            "rating": report.rating,
            "risks": report.scored_risks,
            "lost": report.lost,
            "infosec_level": level,
        }
        return s.ScoreReportOutputSerializer(data).data

    @extend_schema(request=s.NoteInputSerializer, responses={200: s.ReviewQueueOutputSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None, format=None):
        """Return the submitted assessment to the supplier for clarification (needs a note
        or a comment on an answer)."""
        assessment = self.get_object()
        note = self._body(s.NoteInputSerializer)["note"]
        done = services.assessment_return(
            actor=request.user, assessment_id=assessment.pk, note=note
        )
        return Response(s.ReviewQueueOutputSerializer(self.get_queryset().get(pk=done.pk)).data)

    @extend_schema(request=s.NoteInputSerializer, responses={200: s.ScoreReportOutputSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, format=None):
        """Accept the submitted assessment: scores are stored, the information-security
        level set (for that kind) and improvement items raised."""
        assessment = self.get_object()
        note = self._body(s.NoteInputSerializer)["note"]
        services.assessment_accept(actor=request.user, assessment_id=assessment.pk, note=note)
        return Response(self._scores(assessment))

    @extend_schema(request=None, responses={200: s.ScoreReportOutputSerializer})
    @action(detail=True, methods=["get"])
    def scores(self, request, pk=None, format=None):
        """Per-risk and overall scores and the answers that cost points. A supplier sees
        them once accepted (404 before); staff see provisional scores during review."""
        assessment = self.get_object()
        staff = sees_all_suppliers(request.user)
        if not staff and assessment.status != AssessmentStatus.ACCEPTED:
            raise Http404
        return Response(self._scores(assessment))


class AnswerCommentViewSet(mixins.ListModelMixin, _ReviewViewSet):
    """Reviewers' comments on single answers (a supplier sees its own once returned), and
    their threads: ``parent`` is the thread's first comment; both sides reply."""

    model = AnswerComment

    @property
    def write_action(self):
        if self.action == "reply" and not sees_all_suppliers(self.request.user):
            return Action.ANSWER_ASSESSMENTS
        return Action.REVIEW_ASSESSMENTS

    def get_serializer_class(self):
        if self.action == "create":
            return s.AnswerCommentCreateInputSerializer
        return s.AnswerCommentOutputSerializer

    def get_queryset(self):
        qs = selectors.comment_list(user=self.request.user)
        if self.action == "list":
            params = self._params(s.CommentFilterSerializer)
            if params.get("assessment"):
                qs = qs.filter(answer__assessment_id=params["assessment"])
            if params.get("answer"):
                qs = qs.filter(answer_id=params["answer"])
        return qs

    @extend_schema(parameters=[s.CommentFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.AnswerCommentCreateInputSerializer,
        responses={201: s.AnswerCommentOutputSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = self._body(s.AnswerCommentCreateInputSerializer)
        try:
            comment = services.answer_comment_add(
                actor=request.user, answer_id=data["answer"], body=data["body"]
            )
        except Answer.DoesNotExist as exc:
            raise ValidationError({"answer": [_("No such answer.")]}) from exc
        fresh = self.get_queryset().get(pk=comment.pk)
        return Response(s.AnswerCommentOutputSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CommentReplyInputSerializer,
        responses={201: s.AnswerCommentOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None, format=None):
        """A reply in the comment's thread: the supplier's users while the assessment is
        returned to them, reviewers while it is submitted or returned."""
        comment = self.get_object()
        body = self._body(s.CommentReplyInputSerializer)["body"]
        made = services.answer_comment_reply(actor=request.user, comment_id=comment.pk, body=body)
        fresh = self.get_queryset().get(pk=made.pk)
        return Response(s.AnswerCommentOutputSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CommentResolveInputSerializer,
        responses={200: s.AnswerCommentOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None, format=None):
        """A reviewer marks the comment's thread resolved (``resolved: false`` opens it)."""
        comment = self.get_object()
        resolved = self._body(s.CommentResolveInputSerializer)["resolved"]
        root = services.answer_comment_resolve(
            actor=request.user, comment_id=comment.pk, resolved=resolved
        )
        fresh = self.get_queryset().get(pk=root.pk)
        return Response(s.AnswerCommentOutputSerializer(fresh).data)


class ImprovementItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ReviewViewSet):
    """Improvement items: the supplier sends an action plan; staff verify, close, reopen."""

    model = ImprovementItem

    serializer_class = s.ImprovementItemOutputSerializer

    @property
    def write_action(self):
        if self.action == "action_plan":
            return Action.ANSWER_ASSESSMENTS
        return Action.REVIEW_ASSESSMENTS

    def get_queryset(self):
        if self.action == "list":
            return selectors.item_list(
                user=self.request.user, **self._params(s.ItemFilterSerializer)
            )
        return selectors.item_list(user=self.request.user)

    @extend_schema(parameters=[s.ItemFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _done(self, item):
        fresh = get_object_or_404(self.get_queryset(), pk=item.pk)
        return Response(s.ImprovementItemOutputSerializer(fresh).data)

    @extend_schema(
        request=s.ActionPlanInputSerializer, responses={200: s.ImprovementItemOutputSerializer}
    )
    @action(detail=True, methods=["post"], url_path="action-plan")
    def action_plan(self, request, pk=None, format=None):
        """The supplier's plan for fixing the item (open -> action plan submitted)."""
        item = self.get_object()
        plan = self._body(s.ActionPlanInputSerializer)["action_plan"]
        item_services.item_action_plan_submit(actor=request.user, item_id=item.pk, action_plan=plan)
        return self._done(item)

    @extend_schema(
        request=s.ItemNoteInputSerializer, responses={200: s.ImprovementItemOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None, format=None):
        """Staff accept the action plan (action plan submitted -> verified)."""
        item = self.get_object()
        note = self._body(s.ItemNoteInputSerializer)["note"]
        item_services.item_verify(actor=request.user, item_id=item.pk, note=note)
        return self._done(item)

    @extend_schema(
        request=s.ItemNoteInputSerializer, responses={200: s.ImprovementItemOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """Staff close a verified item."""
        item = self.get_object()
        note = self._body(s.ItemNoteInputSerializer)["note"]
        item_services.item_close(actor=request.user, item_id=item.pk, note=note)
        return self._done(item)

    @extend_schema(
        request=s.ItemNoteInputSerializer, responses={200: s.ImprovementItemOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None, format=None):
        """Staff send the item back to open with a note (a better plan is needed)."""
        item = self.get_object()
        note = self._body(s.ItemNoteInputSerializer)["note"]
        item_services.item_reopen(actor=request.user, item_id=item.pk, note=note)
        return self._done(item)


class InfosecLevelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ReviewViewSet):
    """Suppliers' information-security levels per fiscal year; reviewers override (POST)."""

    model = InformationSecurityLevel

    write_action = Action.REVIEW_ASSESSMENTS

    def get_serializer_class(self):
        if self.action == "create":
            return s.InfosecOverrideInputSerializer
        return s.InfosecLevelOutputSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.infosec_level_list(
                user=self.request.user, **self._params(s.LevelFilterSerializer)
            )
        return selectors.infosec_level_list(user=self.request.user)

    @extend_schema(parameters=[s.LevelFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.InfosecOverrideInputSerializer, responses={201: s.InfosecLevelOutputSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Set a supplier's level for a fiscal year by hand; a reason is required."""
        data = self._body(s.InfosecOverrideInputSerializer)
        from suppliers.models import Supplier

        try:
            row = services.infosec_level_override(
                actor=request.user,
                supplier_id=data["supplier"],
                fiscal_year=data["fiscal_year"],
                level=data["level"],
                reason=data["reason"],
            )
        except Supplier.DoesNotExist as exc:
            raise ValidationError({"supplier": [_("No such supplier.")]}) from exc
        fresh = self.get_queryset().get(pk=row.pk)
        data = s.InfosecLevelOutputSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)
