"""Shapes of the questionnaire API: output per resource, input for the import.

Bilingual texts come three ways: ``text`` in the request's language, and ``text_en`` /
``text_ja`` for clients that show both.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procurement_portal.core import serializers as portal

from ..models import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    Section,
)
from .yaml_io import MAX_YAML_CHARS


class ChoiceOutputSerializer(portal.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Choice
        fields = ["code", "position", "label", "label_en", "label_ja", "score"]


class ShowIfOutputSerializer(portal.Serializer):
    question = serializers.CharField(help_text=_("Code of the earlier question."))
    values = serializers.ListField(
        child=serializers.CharField(), help_text=_("Shown when its answer is one of these.")
    )


class QuestionOutputSerializer(portal.ModelSerializer):
    risk = serializers.SlugRelatedField(slug_field="code", read_only=True)
    text = serializers.CharField(read_only=True)
    help = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    not_applicable = serializers.BooleanField(source="allow_not_applicable", read_only=True)
    show_if = serializers.SerializerMethodField()
    choices = ChoiceOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "code",
            "position",
            "risk",
            "type",
            "text",
            "text_en",
            "text_ja",
            "help",
            "help_en",
            "help_ja",
            "required",
            "not_applicable",
            "weight",
            "unit",
            "unit_en",
            "unit_ja",
            "min_value",
            "max_value",
            "show_if",
            "choices",
        ]

    @extend_schema_field(ShowIfOutputSerializer(allow_null=True))
    def get_show_if(self, question: Question) -> dict | None:
        if not question.show_if_question_id:
            return None
        return {"question": question.show_if_question.code, "values": question.show_if_values}


class SectionOutputSerializer(portal.ModelSerializer):
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    questions = QuestionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Section
        fields = [
            "id",
            "code",
            "position",
            "title",
            "title_en",
            "title_ja",
            "description",
            "description_en",
            "description_ja",
            "questions",
        ]


class VersionOutputSerializer(portal.ModelSerializer):
    questionnaire = serializers.SlugRelatedField(slug_field="code", read_only=True)
    questionnaire_id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(
        choices=QuestionnaireKind.choices, source="questionnaire.kind", read_only=True
    )
    title = serializers.CharField(read_only=True)
    question_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = QuestionnaireVersion
        fields = [
            "id",
            "questionnaire",
            "questionnaire_id",
            "kind",
            "number",
            "status",
            "title",
            "title_en",
            "title_ja",
            "published_at",
            "checksum",
            "question_count",
        ]


class VersionDetailOutputSerializer(VersionOutputSerializer):
    intro = serializers.CharField(read_only=True)
    sections = SectionOutputSerializer(many=True, read_only=True)

    class Meta(VersionOutputSerializer.Meta):
        fields = [*VersionOutputSerializer.Meta.fields, "intro", "intro_en", "intro_ja", "sections"]


class QuestionnaireOutputSerializer(portal.ModelSerializer):
    title = serializers.CharField(read_only=True)
    published_version_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The version offered for new assessments.")
    )
    published_version_number = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Questionnaire
        fields = [
            "id",
            "code",
            "kind",
            "title",
            "title_en",
            "title_ja",
            "published_version_id",
            "published_version_number",
        ]


class ImportInputSerializer(portal.Serializer):
    yaml = serializers.CharField(
        max_length=MAX_YAML_CHARS,
        trim_whitespace=False,
        help_text=_("The definition as YAML text (docs/questionnaire-format.md)."),
    )
    publish = serializers.BooleanField(
        default=True, help_text=_("Publish the version; false keeps it a draft.")
    )


class ImportOutputSerializer(portal.Serializer):
    created = serializers.BooleanField(
        help_text=_("False when the same definition was already imported.")
    )
    version = VersionDetailOutputSerializer()


class ExportOutputSerializer(portal.Serializer):
    filename = serializers.CharField()
    yaml = serializers.CharField()
