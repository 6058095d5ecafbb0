"""Serializers of the dissemination API (``dissemination.api``): one output shape per
resource and one input shape per write, with explicit fields and types for the schema."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from procurement_portal.core import serializers as portal
from procurement_portal.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from suppliers.models import Supplier
from suppliers.regions import Region

from .models import (
    MANAGERS_MAX,
    Acknowledgement,
    Audience,
    Award,
    AwardCategory,
    DocumentCategory,
    FileLanguage,
    GuidelineDocument,
    GuidelineFile,
    GuidelineVersion,
    MeetingAttendance,
    PartnerMeeting,
    VersionStatus,
)

# --- output -------------------------------------------------------------------------------


class GuidelineDocumentOutputSerializer(portal.ModelSerializer):
    category = serializers.ChoiceField(choices=DocumentCategory.choices, read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = GuidelineDocument
        fields = ["id", "code", "title_en", "title_ja", "category", "category_label", "created_at"]
        read_only_fields = fields


class GuidelineFileOutputSerializer(portal.ModelSerializer):
    language = serializers.ChoiceField(choices=FileLanguage.choices, read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = GuidelineFile
        fields = ["id", "language", "original_name", "size", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj: GuidelineFile) -> str:
        return reverse("dissemination:file-download", args=[obj.pk])


class GuidelineVersionOutputSerializer(portal.ModelSerializer):
    document_code = serializers.CharField(source="document.code", read_only=True)
    status = serializers.ChoiceField(choices=VersionStatus.choices, read_only=True)
    audience = serializers.ChoiceField(choices=Audience.choices, read_only=True)
    audience_regions = serializers.ListField(child=serializers.CharField(), read_only=True)
    audience_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    files = GuidelineFileOutputSerializer(many=True, read_only=True)

    class Meta:
        model = GuidelineVersion
        fields = [
            "id",
            "document",
            "document_code",
            "number",
            "status",
            "published_on",
            "changes_en",
            "changes_ja",
            "audience",
            "audience_fiscal_year",
            "audience_regions",
            "audience_codes",
            "reminder_every_days",
            "asked_count",
            "files",
        ]
        read_only_fields = fields


class GuidelineCoverageSupplierSerializer(portal.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    legal_name = serializers.CharField()
    region = serializers.ChoiceField(choices=Region.choices)


class GuidelineCoverageOutputSerializer(portal.Serializer):
    version = serializers.IntegerField()
    asked = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    missing_count = serializers.IntegerField()
    percent = serializers.FloatField()
    missing = GuidelineCoverageSupplierSerializer(many=True, help_text=_("The first 500 missing."))


class GuidelineAcknowledgementOutputSerializer(portal.ModelSerializer):
    class Meta:
        model = Acknowledgement
        fields = ["id", "supplier", "version", "user", "acknowledged_at"]
        read_only_fields = fields


class PartnerMeetingOutputSerializer(portal.ModelSerializer):
    fiscal_year = serializers.SerializerMethodField()

    class Meta:
        model = PartnerMeeting
        fields = ["id", "date", "title", "place", "fiscal_year", "created_at"]
        read_only_fields = fields

    def get_fiscal_year(self, obj: PartnerMeeting) -> int:
        return obj.fiscal_year.year


class MeetingAttendanceOutputSerializer(portal.ModelSerializer):
    class Meta:
        model = MeetingAttendance
        fields = ["id", "meeting", "supplier", "invited", "managers_attended"]
        read_only_fields = fields


class MeetingAwardOutputSerializer(portal.ModelSerializer):
    category = serializers.ChoiceField(choices=AwardCategory.choices, read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Award
        fields = ["id", "meeting", "supplier", "category", "category_label", "note"]
        read_only_fields = fields


class MeetingFiguresOutputSerializer(portal.Serializer):
    fiscal_year = serializers.IntegerField()
    managers = serializers.IntegerField()
    suppliers = serializers.IntegerField()


# --- input --------------------------------------------------------------------------------


class GuidelineDocumentInputSerializer(portal.Serializer):
    code = serializers.SlugField(max_length=40)
    title_en = serializers.CharField(max_length=200)
    title_ja = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=DocumentCategory.choices)


class GuidelineVersionInputSerializer(portal.Serializer):
    document = portal.VisibleRelatedField(GuidelineDocument)
    number = serializers.CharField(max_length=20)
    changes_en = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    changes_ja = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.ALL_ACTIVE)
    audience_fiscal_year = serializers.IntegerField(
        min_value=MIN_FISCAL_YEAR, max_value=MAX_FISCAL_YEAR, required=False, allow_null=True
    )
    audience_regions = serializers.ListField(
        child=serializers.ChoiceField(choices=Region.choices), required=False, max_length=10
    )
    audience_codes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=5000
    )
    reminder_every_days = serializers.IntegerField(min_value=0, max_value=365, default=0)


class GuidelineAcknowledgementInputSerializer(portal.Serializer):
    version = portal.VisibleRelatedField(GuidelineVersion)
    supplier = portal.VisibleRelatedField(
        Supplier,
        required=False,
        allow_null=True,
        help_text=_("Needed only when you act for several companies."),
    )


class PartnerMeetingInputSerializer(portal.Serializer):
    date = serializers.DateField()
    title = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MeetingInviteInputSerializer(portal.Serializer):
    supplier_codes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=5000
    )
    strategic_partners = serializers.BooleanField(default=False)


class MeetingAttendanceInputSerializer(portal.Serializer):
    supplier = portal.VisibleRelatedField(Supplier)
    managers_attended = serializers.IntegerField(
        allow_null=True, min_value=0, max_value=MANAGERS_MAX
    )


class MeetingAwardInputSerializer(portal.Serializer):
    supplier_code = serializers.CharField(max_length=40)
    category = serializers.ChoiceField(choices=AwardCategory.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class MeetingInviteOutputSerializer(portal.Serializer):
    invited = serializers.IntegerField()


class GuidelineRemindOutputSerializer(portal.Serializer):
    queued = serializers.IntegerField()


class MeetingFiguresParamsSerializer(portal.Serializer):
    fiscal_year = serializers.IntegerField(
        min_value=MIN_FISCAL_YEAR,
        max_value=MAX_FISCAL_YEAR,
        required=False,
        help_text=_("Fiscal year (default: the current one)."),
    )
