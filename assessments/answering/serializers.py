"""Serializers of the assessments API: one output shape per resource, one input per write.

Inputs only parse and type the request; the services decide what is valid (question
types and bounds, who may answer, the assessment's state) and save.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procurement_portal.core import serializers as portal
from procurement_portal.core.openapi import ConflictOutputSerializer
from procurement_portal.core.serializers import VisibleRelatedField
from procurement_portal.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, FiscalYear
from suppliers.models import Supplier

from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Evidence,
    QuestionnaireVersion,
    QuestionType,
)

# --- assessments ---------------------------------------------------------------------------


class ProgressOutputSerializer(portal.Serializer):
    answered = serializers.IntegerField(
        help_text=_("Required questions answered (carried-over answers once confirmed).")
    )
    required = serializers.IntegerField(
        help_text=_("Required questions shown (questions hidden by show_if excluded).")
    )
    percent = serializers.IntegerField()
    to_confirm = serializers.IntegerField(
        help_text=_("Answers carried over from last year and not confirmed yet.")
    )


class AssessmentOutputSerializer(portal.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    questionnaire_code = serializers.CharField(source="questionnaire.code", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    title = serializers.CharField(source="version.title", read_only=True)
    fiscal_year_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_editable = serializers.BooleanField(read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "questionnaire",
            "questionnaire_code",
            "version",
            "version_number",
            "title",
            "fiscal_year",
            "fiscal_year_label",
            "status",
            "status_label",
            "is_editable",
            "due_date",
            "carried_over_from",
            "submitted_at",
            "reviewed_at",
            "progress",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_fiscal_year_label(self, obj: Assessment) -> str:
        return str(FiscalYear(obj.fiscal_year))

    @extend_schema_field(ProgressOutputSerializer)
    def get_progress(self, obj: Assessment) -> dict:
        report = self.context.get("progress", {}).get(obj.pk)
        if report is None:
            return {"answered": 0, "required": 0, "percent": 0, "to_confirm": 0}
        p = report.overall
        return {
            "answered": p.answered,
            "required": p.required,
            "percent": p.percent,
            "to_confirm": p.to_confirm,
        }


class AssignInputSerializer(portal.Serializer):
    supplier = VisibleRelatedField(Supplier)
    version = serializers.PrimaryKeyRelatedField(
        queryset=QuestionnaireVersion.objects.all(),
        help_text=_("A published questionnaire version."),
    )
    fiscal_year = serializers.IntegerField(min_value=MIN_FISCAL_YEAR, max_value=MAX_FISCAL_YEAR)
    due_date = serializers.DateField(required=False, allow_null=True)
    carry_over = serializers.BooleanField(
        default=True, help_text=_("Pre-fill from the previous fiscal year's answers.")
    )


# --- answers -----------------------------------------------------------------------------


class EvidenceOutputSerializer(portal.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "created_at"]
        read_only_fields = fields


@extend_schema_field(
    {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "nullable": True,
    }
)
class StoredValueField(serializers.JSONField):
    """An answer as stored: a code or a list of codes, a number as a decimal string, a
    date, text, or the names of the evidence files."""


class AnswerOutputSerializer(portal.ModelSerializer):
    question_code = serializers.CharField(source="question.code", read_only=True)
    question_type = serializers.ChoiceField(
        choices=QuestionType.choices, source="question.type", read_only=True
    )
    section_code = serializers.CharField(source="question.section.code", read_only=True)
    value = StoredValueField(
        read_only=True,
        help_text=_(
            "A choice code, a list of codes (multiple choice), a number as a string, an "
            "ISO date, text, or the names of the evidence files; null when not answered."
        ),
    )
    is_answered = serializers.BooleanField(read_only=True)
    evidence = EvidenceOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "question",
            "question_code",
            "question_type",
            "section_code",
            "value",
            "not_applicable",
            "is_answered",
            "carried_over",
            "confirmed_at",
            "revision",
            "evidence",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "anyOf": [
            {"type": "string"},
            {"type": "number"},
            {"type": "array", "items": {"type": "string"}},
        ],
        "nullable": True,
    }
)
class AnswerValueField(serializers.JSONField):
    """An answer's value as a JSON value (a string, a number, a list of codes or null),
    never JSON text inside a string: the API reads JSON bodies only, so the value is
    taken as sent and checked against the question's type by the service."""


class AnswerInputSerializer(portal.Serializer):
    value = AnswerValueField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "yes/no and single choice: a choice code; multiple choice: a list of codes; "
            "number: a number or a decimal string; date: YYYY-MM-DD; text: a string. "
            "Empty or null clears the answer. File questions are answered by upload."
        ),
    )
    not_applicable = serializers.BooleanField(default=False)
    revision = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=2**31 - 1,
        help_text=_(
            "The revision last read (0 when there was no answer): if the stored one "
            "differs, nothing is saved and the answer is 409 with the current answer."
        ),
    )


class AnswerConflictOutputSerializer(ConflictOutputSerializer):
    """The API's one 409 shape, as the answering endpoints fill it: the assessment's
    status when its state forbids the step (``code`` "state"), the current answer when the
    answer changed meanwhile ("stale")."""

    status = serializers.ChoiceField(
        choices=AssessmentStatus.choices,
        allow_null=True,
        help_text=_("The assessment's status."),
    )
    current = AnswerOutputSerializer(allow_null=True)


class MissingAnswersOutputSerializer(portal.Serializer):
    answers = serializers.ListField(
        child=serializers.CharField(), help_text=_("Each missing answer: section: question.")
    )
    missing_questions = serializers.ListField(
        child=serializers.CharField(), help_text=_("Codes of the missing questions.")
    )
    carried_over = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Each carried-over answer not confirmed yet: section: question."),
    )
    unconfirmed_questions = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Codes of the questions whose carried-over answer is not confirmed."),
    )


class ConfirmCarriedOverInputSerializer(portal.Serializer):
    section = serializers.SlugField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=_("A section's code; without it, the whole assessment."),
    )


class ConfirmCarriedOverOutputSerializer(portal.Serializer):
    confirmed = serializers.IntegerField(help_text=_("How many answers were confirmed."))
    assessment = AssessmentOutputSerializer()
