"""Serializers of the review API: one output shape per resource, input per write.

Input serializers only parse and type; the services decide what is valid.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procurement_portal.core import serializers as portal
from suppliers.regions import Region

from ..models import (
    AnswerComment,
    Assessment,
    AssessmentStatus,
    ImprovementItem,
    ImprovementStatus,
    InformationSecurityLevel,
    QuestionnaireKind,
)
from ..models.items import TEXT_LANGUAGES
from ..models.scoring import Rating
from .internal import LEVEL_INTERNAL_FIELDS, without_internal
from .selectors import waiting_days

MAX_ID = 2**63 - 1  # the largest key a database column holds


class _SupplierBrief(portal.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    country = serializers.CharField()
    region = serializers.ChoiceField(choices=Region.choices)


class ReviewQueueOutputSerializer(portal.ModelSerializer):
    supplier = _SupplierBrief(read_only=True)
    questionnaire = serializers.CharField(source="questionnaire.code", read_only=True)
    questionnaire_kind = serializers.ChoiceField(
        choices=QuestionnaireKind.choices, source="questionnaire.kind", read_only=True
    )
    version = serializers.IntegerField(source="version.number", read_only=True)
    waiting_days = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=AssessmentStatus.choices, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "supplier",
            "questionnaire",
            "questionnaire_kind",
            "version",
            "fiscal_year",
            "status",
            "submitted_at",
            "waiting_days",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def get_waiting_days(self, obj) -> int | None:
        return waiting_days(obj)


class QueueFilterSerializer(portal.Serializer):
    kind = serializers.ChoiceField(choices=QuestionnaireKind.choices, required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    fiscal_year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)
    supplier = serializers.CharField(
        required=False, max_length=100, help_text="A supplier code, or part of a name."
    )
    risk = serializers.SlugField(
        required=False, max_length=40, help_text="Questionnaires asking about this risk."
    )
    status = serializers.ChoiceField(
        choices=[AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED, AssessmentStatus.ACCEPTED],
        required=False,
        help_text="submitted (the default: waiting for review), returned or accepted.",
    )
    source = serializers.ChoiceField(
        choices=["campaign", "assigned"],
        required=False,
        help_text="campaign: sent by a survey campaign; assigned: given by hand.",
    )
    overdue = serializers.BooleanField(
        required=False, default=False, help_text="Submitted late, or not yet and past due."
    )


class NoteInputSerializer(portal.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class RiskScoreOutputSerializer(portal.Serializer):
    risk = serializers.CharField(source="risk.code")
    risk_name = serializers.CharField(source="risk.name")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    earned = serializers.DecimalField(max_digits=10, decimal_places=2)
    possible = serializers.DecimalField(max_digits=10, decimal_places=2)
    rating = serializers.ChoiceField(
        choices=Rating.choices, allow_blank=True, help_text="Empty when nothing was scored."
    )


class LostPointsOutputSerializer(portal.Serializer):
    question = serializers.CharField(source="question.code")
    question_text = serializers.CharField(source="question.text")
    risk = serializers.CharField(source="risk.code")
    answer = serializers.CharField(source="answer_label")
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    points_lost = serializers.DecimalField(max_digits=10, decimal_places=2)


class ScoreReportOutputSerializer(portal.Serializer):
    assessment = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    provisional = serializers.BooleanField(help_text="True until the assessment is accepted.")
    policy = serializers.CharField()
    overall = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    rating = serializers.ChoiceField(
        choices=Rating.choices, allow_blank=True, help_text="Empty when nothing was scored."
    )
    risks = RiskScoreOutputSerializer(many=True)
    lost = LostPointsOutputSerializer(many=True)
    infosec_level = serializers.IntegerField(allow_null=True)


class AnswerCommentOutputSerializer(portal.ModelSerializer):
    author = serializers.SerializerMethodField()
    assessment = serializers.IntegerField(source="answer.assessment_id", read_only=True)
    question = serializers.CharField(source="answer.question.code", read_only=True)

    class Meta:
        model = AnswerComment
        fields = [
            "id",
            "answer",
            "assessment",
            "question",
            "parent",
            "body",
            "author",
            "created_at",
            "resolved_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_author(self, obj) -> str:
        return obj.author.get_full_name() if obj.author else ""


class AnswerCommentCreateInputSerializer(portal.Serializer):
    answer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    body = serializers.CharField(max_length=4000, allow_blank=True)


class CommentReplyInputSerializer(portal.Serializer):
    body = serializers.CharField(max_length=4000, allow_blank=True)


class CommentResolveInputSerializer(portal.Serializer):
    resolved = serializers.BooleanField(default=True)


class CommentFilterSerializer(portal.Serializer):
    assessment = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    answer = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ItemStepOutputSerializer(portal.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.ChoiceField(
        choices=ImprovementStatus.choices,
        allow_blank=True,
        help_text="Empty for the step that raised the item.",
    )
    to_status = serializers.ChoiceField(choices=ImprovementStatus.choices)
    note = serializers.CharField(help_text="The plan or note written at this step.")
    note_language = serializers.ChoiceField(
        choices=TEXT_LANGUAGES,
        allow_blank=True,
        help_text="The language it was written in (empty when there is no note).",
    )
    evidence = serializers.SerializerMethodField()

    def get_evidence(self, obj) -> list[str]:
        return [e.original_name for e in obj.evidence.all()]


class ImprovementItemOutputSerializer(portal.ModelSerializer):
    supplier = serializers.IntegerField(source="supplier_id", read_only=True)
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    risk = serializers.CharField(source="risk.code", read_only=True)
    status = serializers.ChoiceField(choices=ImprovementStatus.choices, read_only=True)
    description = serializers.CharField(
        read_only=True, help_text="The finding in English, or in the language of written_in."
    )
    description_ja = serializers.CharField(read_only=True, help_text="The finding in Japanese.")
    written_in = serializers.ChoiceField(
        choices=TEXT_LANGUAGES,
        allow_blank=True,
        read_only=True,
        help_text="The language of a finding in one language only; else empty.",
    )
    history = ItemStepOutputSerializer(source="events", many=True, read_only=True)

    class Meta:
        model = ImprovementItem
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "risk",
            "source",
            "assessment",
            "answer",
            "description",
            "description_ja",
            "required_action",
            "required_action_ja",
            "written_in",
            "due_date",
            "status",
            "action_plan",
            "action_plan_submitted_at",
            "review_note",
            "verified_at",
            "closed_at",
            "history",
        ]


class ItemFilterSerializer(portal.Serializer):
    status = serializers.ChoiceField(
        choices=ImprovementItem._meta.get_field("status").choices, required=False
    )
    risk = serializers.SlugField(required=False, max_length=40)
    overdue = serializers.BooleanField(required=False, default=False)
    supplier = serializers.CharField(
        required=False, max_length=100, help_text="A supplier code, or part of a name."
    )
    source = serializers.ChoiceField(
        choices=ImprovementItem._meta.get_field("source").choices, required=False
    )


class ActionPlanInputSerializer(portal.Serializer):
    action_plan = serializers.CharField(max_length=4000, allow_blank=True)


class ItemNoteInputSerializer(portal.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class InfosecLevelOutputSerializer(portal.ModelSerializer):
    supplier = _SupplierBrief(read_only=True)
    override_reason = serializers.CharField(
        read_only=True, allow_null=True, help_text="Staff only: null for supplier users."
    )

    class Meta:
        model = InformationSecurityLevel
        fields = [
            "id",
            "supplier",
            "fiscal_year",
            "level",
            "computed_level",
            "overridden",
            "override_reason",
            "assessment",
            "updated_at",
        ]

    def to_representation(self, instance):
        request = self.context.get("request")
        data = super().to_representation(instance)
        return without_internal(data, LEVEL_INTERNAL_FIELDS, getattr(request, "user", None))


class LevelFilterSerializer(portal.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)
    min_level = serializers.IntegerField(required=False, min_value=1, max_value=100)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    country = serializers.CharField(required=False, max_length=2)


class InfosecOverrideInputSerializer(portal.Serializer):
    supplier = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    fiscal_year = serializers.IntegerField(min_value=1990, max_value=2100)
    level = serializers.IntegerField(min_value=1, max_value=100)
    reason = serializers.CharField(max_length=4000, allow_blank=True)
