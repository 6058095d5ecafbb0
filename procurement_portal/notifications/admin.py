from django.contrib import admin

from .models import DigestEntry, NotificationPreferences


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "digest", "disabled_kinds", "updated_at"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(DigestEntry)
class DigestEntryAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "key"]
    raw_id_fields = ["user"]
