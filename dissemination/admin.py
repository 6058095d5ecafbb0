"""Admin for dissemination: documents and draft versions are authored here as on the
pages, through the same services (so a published version stays frozen, and publishing
asks its audience); PDFs are attached on the version's portal page, where the one upload
rule checks them. Acknowledgements, requests, attendance and awards are read here:
they are made by suppliers and on the meeting pages."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from procurement_portal.core import forms as portal_forms
from procurement_portal.core.errors import Conflict

from . import services
from .models import (
    Acknowledgement,
    Award,
    GuidelineDocument,
    GuidelineFile,
    GuidelineVersion,
    MeetingAttendance,
    PartnerMeeting,
    VersionStatus,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentForm(portal_forms.ModelForm):
    class Meta:
        model = GuidelineDocument
        fields = ["code", "title_en", "title_ja", "category"]


@admin.register(GuidelineDocument)
class GuidelineDocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = ["code", "title_en", "title_ja", "category"]
    list_filter = ["category"]
    search_fields = ["code", "title_en", "title_ja"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("title_en", "title_ja", "category")}
        if change:
            services.document_update(actor=request.user, document_id=obj.pk, **data)
        else:
            obj.pk = services.document_create(
                actor=request.user, code=form.cleaned_data["code"], **data
            ).pk

    def has_delete_permission(self, request, obj=None):
        return False  # versions and acknowledgements refer to it


class FileInline(ReadOnlyInline):
    model = GuidelineFile
    fields = ["language", "original_name", "size"]
    readonly_fields = fields


class VersionForm(portal_forms.ModelForm):
    class Meta:
        model = GuidelineVersion
        fields = [
            "document",
            "number",
            "changes_en",
            "changes_ja",
            "audience",
            "audience_fiscal_year",
            "audience_regions",
            "audience_codes",
            "reminder_every_days",
        ]


@admin.register(GuidelineVersion)
class GuidelineVersionAdmin(admin.ModelAdmin):
    form = VersionForm
    list_display = ["__str__", "status", "published_on", "audience", "asked_count", "portal_page"]
    list_filter = ["status", "audience", "document__category"]
    search_fields = ["document__code", "document__title_en", "number"]
    inlines = [FileInline]
    actions = ["publish"]

    @admin.display(description=_("portal page"))
    def portal_page(self, obj):
        url = reverse("dissemination:version-detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("files and coverage"))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return [*VersionForm.Meta.fields, "status", "published_on", "asked_count"]
        if obj is not None:
            return ["document"]
        return []

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in VersionForm.Meta.fields if name != "document"
        }
        if change:
            services.version_update(actor=request.user, version_id=obj.pk, **data)
        else:
            number = data.pop("number")
            obj.pk = services.version_create(
                actor=request.user,
                document_id=form.cleaned_data["document"].pk,
                number=number,
                **data,
            ).pk

    @admin.action(description=_("Publish and ask the suppliers"))
    def publish(self, request, queryset):
        for version in queryset.order_by("pk"):
            try:
                services.version_publish(actor=request.user, version_id=version.pk)
            except (ValidationError, Conflict) as exc:
                problem = exc.message if isinstance(exc, Conflict) else "; ".join(exc.messages)
                self.message_user(request, f"{version}: {problem}", messages.ERROR)
            else:
                self.message_user(request, f"{version}: {_('published')}", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["supplier", "version", "user", "acknowledged_at"]
    list_select_related = ["supplier", "version__document", "user"]
    search_fields = ["supplier__code", "supplier__legal_name", "version__document__code"]


class AttendanceInline(ReadOnlyInline):
    model = MeetingAttendance
    fields = ["supplier", "invited", "managers_attended"]
    readonly_fields = fields


class AwardInline(ReadOnlyInline):
    model = Award
    fields = ["supplier", "category", "note"]
    readonly_fields = fields


class MeetingForm(portal_forms.ModelForm):
    class Meta:
        model = PartnerMeeting
        fields = ["date", "title", "place"]


@admin.register(PartnerMeeting)
class PartnerMeetingAdmin(admin.ModelAdmin):
    form = MeetingForm
    list_display = ["date", "title", "place"]
    search_fields = ["title", "place"]
    inlines = [AttendanceInline, AwardInline]

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if change:
            services.meeting_update(actor=request.user, meeting_id=obj.pk, **data)
        else:
            obj.pk = services.meeting_create(actor=request.user, **data).pk

    def has_delete_permission(self, request, obj=None):
        return False
