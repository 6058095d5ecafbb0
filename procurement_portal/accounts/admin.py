from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, SupplierMembership, User
from .two_factor import qr_data_uri, totp_device_issue


class MembershipInline(admin.TabularInline):
    model = SupplierMembership
    extra = 0
    autocomplete_fields = ["supplier"]


@admin.register(User)
class UserAdmin(AuditlogHistoryAdminMixin, BaseUserAdmin):
    show_auditlog_history_link = True
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_active", "date_joined"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    actions = ["set_up_authenticator"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "role", "preferred_language")}),
        (_("Status"), {"fields": ("is_active", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )
    filter_horizontal = ()

    @admin.action(description=_("Set up the authenticator app (shows its key once)"))
    def set_up_authenticator(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one user."), messages.ERROR)
            return None
        person = queryset.get()
        _device, secret, uri = totp_device_issue(actor=request.user, user=person)
        context = {
            **self.admin_site.each_context(request),
            "person": person,
            "secret": secret,
            "uri": uri,
            "qr": qr_data_uri(uri),
            "title": _("Authenticator set up"),
        }
        response = render(request, "admin/accounts/totp_issued.html", context)
        response["Cache-Control"] = "no-store"
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see who holds API tokens and revoke them; the tokens themselves are
    never stored, so they cannot be read here."""

    list_display = ["user", "name", "token_key", "created", "expiry", "last_used_at"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "name", "token_key", "created", "expiry", "last_used_at"]
    exclude = ["digest"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
