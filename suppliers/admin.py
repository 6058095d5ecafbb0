from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin

from .models import (
    Category,
    CdpParticipation,
    Contact,
    CriticalDesignation,
    CurrencyRate,
    ImportJob,
    PriorityRisk,
    Site,
    Supplier,
    SupplierSpend,
)


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class SpendInline(admin.TabularInline):
    model = SupplierSpend
    extra = 0


class DesignationInline(admin.TabularInline):
    model = CriticalDesignation
    extra = 0
    autocomplete_fields = ["designated_by"]


@admin.register(Supplier)
class SupplierAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    show_auditlog_history_link = True
    list_display = ["code", "legal_name", "country", "region", "status", "is_strategic_partner"]
    list_filter = ["region", "status", "is_strategic_partner", "categories"]
    search_fields = ["code", "legal_name", "local_name"]
    readonly_fields = ["region", "created_at", "updated_at"]
    filter_horizontal = ["categories"]
    inlines = [SiteInline, ContactInline, SpendInline, DesignationInline]
    list_per_page = 50
    show_full_result_count = False


@admin.register(CdpParticipation)
class CdpParticipationAdmin(admin.ModelAdmin):
    list_display = ["supplier", "fiscal_year", "responded"]
    list_filter = ["fiscal_year", "responded"]
    search_fields = ["supplier__code", "supplier__legal_name"]
    raw_id_fields = ["supplier"]


@admin.register(CurrencyRate)
class CurrencyRateAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "currency", "rate"]
    list_filter = ["fiscal_year", "currency"]


@admin.register(PriorityRisk)
class PriorityRiskAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ja", "position"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ja"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "original_name", "status", "rows_total", "created_by"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False
