"""Administrators author declaration texts here; a published version is shown read-only.

Saving goes through ``services.version_save`` (a published version is frozen: its
``clean()`` refuses any change); publishing is the button on the version's portal page.
Signatures and revocations have no admin: they are never changed or deleted.
"""

from django.contrib import admin

from . import services
from .models import DeclarationKind, DeclarationVersion, VersionStatus


@admin.register(DeclarationKind)
class DeclarationKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_ja", "covers_environmental", "covers_social")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeclarationVersion)
class DeclarationVersionAdmin(admin.ModelAdmin):
    list_display = ("kind", "number", "title_en", "effective_date", "status", "audience")
    list_filter = ("kind", "status", "audience")
    fields = (
        "kind",
        "number",
        "effective_date",
        "title_en",
        "title_ja",
        "text_en",
        "text_ja",
        "audience",
        "audience_fiscal_year",
        "audience_regions",
        "status",
        "published_at",
    )
    readonly_fields = ("status", "published_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return self.fields
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == VersionStatus.DRAFT

    def save_model(self, request, obj, form, change):
        services.version_save(actor=request.user, version=obj)
