"""Admin for the self-assessment: questionnaires (imported and exported as YAML, never
edited here), scoring policies, and a read-mostly view of assessments.

Questionnaire content is shown read-only, drafts included: the YAML file is the one
source of a definition and the import its one validation, so a draft is changed by
importing the changed file again (it is replaced in place) and a published version,
being frozen, is never changed at all. Assessments change status only through
``assessments.workflow``, so they are read-only here too.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core import forms as portal_forms
from procurement_portal.uploads import validate_upload

from .authoring.services import questionnaire_export, questionnaire_import, version_publish
from .authoring.yaml_io import MAX_YAML_CHARS
from .models import (
    Assessment,
    AssessmentEvent,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    ScoringPolicy,
    Section,
    VersionStatus,
)

MAX_YAML_BYTES = 4 * MAX_YAML_CHARS  # UTF-8 takes at most four bytes a character


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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- questionnaires ------------------------------------------------------------------


class YamlImportForm(portal_forms.Form):
    file = forms.FileField(label=_("YAML file"), required=False)
    text = forms.CharField(
        label=_("or paste the YAML here"),
        required=False,
        strip=False,
        max_length=MAX_YAML_CHARS,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 100, "spellcheck": "false"}),
    )
    draft = forms.BooleanField(
        label=_("Keep as a draft (do not publish yet)"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("text")
        if upload and text:
            raise ValidationError(_("Give either a file or pasted text, not both."))
        if upload:
            validate_upload(upload, allowed=["txt"], max_bytes=MAX_YAML_BYTES)
            try:
                data["yaml"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(
                    {"file": _("The file must be UTF-8 text.")}, code="encoding"
                ) from None
        elif text and text.strip():
            data["yaml"] = text
        elif not self.errors:
            raise ValidationError(_("Choose a YAML file or paste its text."))
        return data


class VersionInline(ReadOnlyInline):
    model = QuestionnaireVersion
    fields = ["number", "status", "published_at", "checksum"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "title_en", "title_ja", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["code", "title_en", "title_ja"]
    fields = ["code", "kind", "title_en", "title_ja", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [VersionInline]
    change_list_template = "admin/assessments/questionnaire/change_list.html"

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="assessments_questionnaire_import",
            )
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        """Upload or paste a YAML definition; every problem is listed by its path."""
        if not access.can(request.user, Action.MANAGE_QUESTIONNAIRES):
            raise PermissionDenied
        posted = request.method == "POST"
        form = YamlImportForm(request.POST, request.FILES) if posted else YamlImportForm()
        problems: list[str] = []
        if posted and form.is_valid():
            try:
                result = questionnaire_import(
                    text=form.cleaned_data["yaml"],
                    actor=request.user,
                    publish=not form.cleaned_data["draft"],
                )
            except ValidationError as exc:
                problems = exc.messages
            else:
                version = result.version
                if result.created:
                    messages.success(
                        request,
                        _("Imported %(code)s version %(number)s (%(status)s).")
                        % {
                            "code": version.questionnaire.code,
                            "number": version.number,
                            "status": version.get_status_display(),
                        },
                    )
                else:
                    messages.info(
                        request,
                        _(
                            "%(code)s version %(number)s already has this definition; "
                            "nothing changed."
                        )
                        % {"code": version.questionnaire.code, "number": version.number},
                    )
                return redirect("admin:assessments_questionnaireversion_change", version.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import a questionnaire from YAML"),
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/assessments/questionnaire/import.html", context)


class SectionInline(ReadOnlyInline):
    model = Section
    fields = ["position", "code", "title_en", "title_ja"]
    readonly_fields = fields


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ["section", "position", "code", "type", "risk", "text_en", "required", "weight"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section", "risk")


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = [
        "questionnaire",
        "number",
        "status",
        "published_at",
        "question_count",
        "export_link",
    ]
    list_filter = ["status", "questionnaire__kind", "questionnaire"]
    list_select_related = ["questionnaire"]
    search_fields = ["questionnaire__code", "title_en", "title_ja"]
    fields = [
        "questionnaire",
        "number",
        "status",
        "published_at",
        "checksum",
        "title_en",
        "title_ja",
        "intro_en",
        "intro_ja",
        "export_link",
    ]
    readonly_fields = fields
    inlines = [SectionInline, QuestionInline]
    actions = ["publish_selected"]
    change_list_template = "admin/assessments/questionnaireversion/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_question_count=Count("questions"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A draft nobody has been given may go; anything else is history.
        if obj is None:
            return super().has_delete_permission(request)
        return (
            obj.status == VersionStatus.DRAFT
            and not obj.assessments.exists()
            and super().has_delete_permission(request, obj)
        )

    @admin.display(description=_("questions"), ordering="_question_count")
    def question_count(self, obj) -> int:
        return getattr(obj, "_question_count", None) or obj.questions.count()

    @admin.display(description=_("YAML"))
    def export_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:assessments_questionnaireversion_export", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Export as YAML"))

    def get_urls(self):
        urls = [
            path(
                "<int:version_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="assessments_questionnaireversion_export",
            )
        ]
        return urls + super().get_urls()

    def export_view(self, request, version_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        version = get_object_or_404(
            QuestionnaireVersion.objects.select_related("questionnaire"), pk=version_id
        )
        response = HttpResponse(
            questionnaire_export(version=version), content_type="application/yaml; charset=utf-8"
        )
        filename = f"{version.questionnaire.code}-v{version.number}.yaml"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(description=_("Publish the selected drafts"))
    def publish_selected(self, request, queryset):
        if not access.can(request.user, Action.MANAGE_QUESTIONNAIRES):
            raise PermissionDenied
        for version in queryset.order_by("pk"):
            try:
                version_publish(version_id=version.pk, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(
                    request, _("Published %(version)s.") % {"version": version}, messages.SUCCESS
                )


class ChoiceInline(ReadOnlyInline):
    model = Choice
    fields = ["position", "code", "label_en", "label_ja", "score"]
    readonly_fields = fields


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "section", "type", "risk", "required", "weight"]
    list_filter = ["type", "risk", "version__questionnaire"]
    list_select_related = ["version__questionnaire", "section", "risk"]
    search_fields = ["code", "text_en", "text_ja"]
    readonly_fields = [
        "version",
        "section",
        "position",
        "code",
        "risk",
        "type",
        "text_en",
        "text_ja",
        "help_en",
        "help_ja",
        "required",
        "allow_not_applicable",
        "weight",
        "unit_en",
        "unit_ja",
        "min_value",
        "max_value",
        "show_if_question",
        "show_if_values",
    ]
    fields = readonly_fields
    inlines = [ChoiceInline]


# --- scoring policies -----------------------------------------------------------------


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(admin.ModelAdmin):
    """Policies are settings with history: one that has judged an assessment keeps its
    numbers (make a new one instead); only whether it is active may still change."""

    list_display = ["name", "is_active", "low_risk_min", "medium_risk_min", "improvement_below"]
    list_filter = ["is_active"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Assessment.objects.filter(scoring_policy=obj).exists():
            return [f.name for f in ScoringPolicy._meta.fields if f.name != "is_active"]
        return ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and Assessment.objects.filter(scoring_policy=obj).exists():
            return False
        return super().has_delete_permission(request, obj)


# --- assessments (read-mostly) ---------------------------------------------------------


class EventInline(ReadOnlyInline):
    model = AssessmentEvent
    fields = ["at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["supplier", "questionnaire", "version", "fiscal_year", "status", "rating"]
    list_filter = ["status", "fiscal_year", "questionnaire"]
    list_select_related = ["supplier", "questionnaire", "version__questionnaire"]
    search_fields = ["supplier__code", "supplier__legal_name"]
    readonly_fields = [
        "supplier",
        "questionnaire",
        "version",
        "fiscal_year",
        "status",
        "due_date",
        "assigned_by",
        "carried_over_from",
        "submitted_at",
        "reviewed_at",
        "overall_score",
        "rating",
        "scoring_policy",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [EventInline]
    list_per_page = 50
    show_full_result_count = False
