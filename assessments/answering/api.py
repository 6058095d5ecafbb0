"""The assessments API: list and read assessments (scoped), assign them (staff), read
and save answers and submit (the supplier's users).

Thin: reads come from the selectors (``visible_to``: another supplier's assessment is a
404), writes go to the services. The services' conflicts (``TransitionConflict``,
``StaleAnswer``: the ground floor's ``Conflict``), validation errors and permission refusals go
through the portal's exception handler (400 / 403).
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from procurement_portal.access import Action
from procurement_portal.core.filters import IntegerFilter
from procurement_portal.core.openapi import PortalSchema
from procurement_portal.core.viewsets import ScopedGenericViewSet

from ..models import Answer, Assessment, AssessmentStatus, Question, Section
from . import selectors, services
from . import serializers as s


class AssessmentFilter(django_filters.FilterSet):
    fiscal_year = IntegerFilter()
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)
    supplier = IntegerFilter(field_name="supplier", label=_("supplier id"))
    supplier_code = django_filters.CharFilter(field_name="supplier__code", label=_("supplier code"))
    questionnaire = django_filters.CharFilter(
        field_name="questionnaire__code", label=_("questionnaire code")
    )

    class Meta:
        model = Assessment
        fields = ["fiscal_year", "status", "supplier", "supplier_code", "questionnaire"]


QUESTION_CODE = OpenApiParameter(
    "question_code",
    {
        "anyOf": [
            {"type": "string", "pattern": r"^[A-Za-z0-9_-]+$"},
            {"type": "integer", "minimum": 1},
        ]
    },
    OpenApiParameter.PATH,
    description=_("The question's code (as in the questionnaire), or its id."),
)
CONFLICT = OpenApiResponse(
    s.AnswerConflictOutputSerializer,
    _("The assessment is submitted or accepted, or the answer changed since it was read."),
)


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """Self-assessments: one supplier, one questionnaire version, one fiscal year.

    Supplier users see their own suppliers' and may answer and submit them; company
    staff see all and may assign (``POST``), never answer.
    """

    model = Assessment

    schema = PortalSchema()
    filter_backends = [DjangoFilterBackend]
    filterset_class = AssessmentFilter

    @property
    def write_action(self):
        if self.action == "create":
            return Action.ASSIGN_ASSESSMENTS
        return Action.ANSWER_ASSESSMENTS

    def get_serializer_class(self):
        return {
            "create": s.AssignInputSerializer,
            "answers": s.AnswerOutputSerializer,
            "answer": s.AnswerInputSerializer,
        }.get(self.action, s.AssessmentOutputSerializer)

    def get_queryset(self):
        return selectors.assessment_queryset(user=self.request.user).order_by(
            "-fiscal_year", "supplier__code", "questionnaire__code", "pk"
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["progress"] = getattr(self, "_progress", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # Progress of the page's rows in two queries, whatever the page size.
        self._progress = selectors.progress_for(list(page if page is not None else queryset))
        return page

    def _output(self, assessment_id: int) -> dict:
        fresh = self.get_queryset().get(pk=assessment_id)
        self._progress = selectors.progress_for([fresh])
        return s.AssessmentOutputSerializer(fresh, context=self.get_serializer_context()).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._output(self.get_object().pk))

    @extend_schema(
        request=s.AssignInputSerializer,
        responses={
            201: OpenApiResponse(s.AssessmentOutputSerializer, _("Assigned.")),
            200: OpenApiResponse(
                s.AssessmentOutputSerializer,
                _("The supplier already has this questionnaire for the year: that one."),
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Assign a published questionnaire version to a supplier for a fiscal year.
        Idempotent: a supplier that already has the questionnaire for the year keeps it."""
        params = s.AssignInputSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        existed = Assessment.objects.filter(
            supplier=data["supplier"],
            questionnaire_id=data["version"].questionnaire_id,
            fiscal_year=data["fiscal_year"],
        ).exists()
        assessment = services.assessment_assign(actor=request.user, **data)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(self._output(assessment.pk), status=code)

    @extend_schema(responses={200: s.AnswerOutputSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def answers(self, request, pk=None, format=None):
        """Every answer given so far, in questionnaire order, with its evidence files."""
        assessment = self.get_object()
        rows = (
            Answer.objects.filter(assessment=assessment)
            .select_related("question__section")
            .prefetch_related("evidence")
            .order_by("question__section__position", "question__position", "question_id")
        )
        return Response(s.AnswerOutputSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[QUESTION_CODE],
        request=s.AnswerInputSerializer,
        responses={200: s.AnswerOutputSerializer, 409: CONFLICT},
    )
    @action(
        detail=True,
        methods=["put", "patch"],
        url_path="answers/<slug:question_code>",
        filter_backends=[],
    )
    def answer(self, request, pk=None, question_code=None, format=None):
        """Save one answer (PUT and PATCH alike: the answer is replaced). 400 names the
        problem under ``value`` or ``not_applicable``; 409 when the assessment is
        submitted or accepted, or when ``revision`` is not the stored one."""
        assessment = self.get_object()
        params = s.AnswerInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            answer = services.answer_save(
                actor=request.user,
                assessment_id=assessment.pk,
                question_code=question_code,
                value=data["value"],
                not_applicable=data["not_applicable"],
                expected_revision=data.get("revision"),
            )
        except Question.DoesNotExist as exc:
            raise Http404 from exc
        return Response(self._answer_output(answer.pk))

    def conflict_current(self, answer: Answer) -> dict:
        """A stale answer's 409 carries the current answer as this endpoint shows it."""
        return self._answer_output(answer.pk)

    def _answer_output(self, answer_id: int) -> dict:
        fresh = (
            Answer.objects.select_related("question__section")
            .prefetch_related("evidence")
            .get(pk=answer_id)
        )
        return s.AnswerOutputSerializer(fresh).data

    @extend_schema(
        request=None,
        responses={
            200: s.AssessmentOutputSerializer,
            400: OpenApiResponse(
                s.MissingAnswersOutputSerializer, _("Required answers are missing.")
            ),
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None, format=None):
        """Submit for review, which locks the answers. 400 lists every missing required
        answer; 409 when already submitted or accepted."""
        assessment = self.get_object()
        try:
            services.assessment_submit(actor=request.user, assessment_id=assessment.pk)
        except services.MissingAnswers as exc:
            errors = exc.message_dict
            body = {
                "answers": errors.get("answers", []),
                "missing_questions": [q.code for _s, q in exc.missing],
                "carried_over": errors.get("carried_over", []),
                "unconfirmed_questions": [q.code for _s, q in exc.unconfirmed],
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(self._output(assessment.pk))

    @extend_schema(
        request=s.ConfirmCarriedOverInputSerializer,
        responses={200: s.ConfirmCarriedOverOutputSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="confirm-carried-over", filter_backends=[])
    def confirm_carried_over(self, request, pk=None, format=None):
        """Confirm, unchanged, the answers carried over from last year that are shown in
        one section (``section``: its code) or, without it, in the whole assessment. The
        confirming user and time are recorded on each answer."""
        assessment = self.get_object()
        params = s.ConfirmCarriedOverInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            count = services.carried_over_confirm(
                actor=request.user,
                assessment_id=assessment.pk,
                section_code=params.validated_data.get("section") or None,
            )
        except Section.DoesNotExist as exc:
            raise ValidationError({"section": [_("No such section.")]}) from exc
        return Response({"confirmed": count, "assessment": self._output(assessment.pk)})
