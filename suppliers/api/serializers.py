"""Serializers of the registry's API: one output shape per model, input per write.

Input serializers only parse and type the request; the services in
``suppliers.services`` decide what is valid (model validators, constraints,
permissions) and save. Nothing here writes.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procurement_portal import access
from procurement_portal.core import serializers as portal
from procurement_portal.core.serializers import VisibleRelatedField
from procurement_portal.fiscal import current_fiscal_year

from ..models import (
    LANGUAGE_CHOICES,
    Category,
    CdpParticipation,
    Contact,
    CriticalDesignation,
    CurrencyRate,
    PriorityRisk,
    Site,
    Supplier,
    SupplierSpend,
    SupplierStatus,
)
from ..regions import Region
from ..services import DESIGNATION_REASONS

REASON_CHOICES = [
    (field, CriticalDesignation._meta.get_field(field).verbose_name)
    for field in DESIGNATION_REASONS
]


# --- reference data ----------------------------------------------------------------------


class CategoryOutputSerializer(portal.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Name in the request language."))

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "name_ja"]


class PriorityRiskOutputSerializer(portal.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Name in the request language."))

    class Meta:
        model = PriorityRisk
        fields = ["id", "code", "name", "name_en", "name_ja", "position"]


# --- sites, contacts, spend, designations ----------------------------------------------------


class SiteOutputSerializer(portal.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "name",
            "address",
            "city",
            "country",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SiteUpdateInputSerializer(portal.Serializer):
    name = serializers.CharField(max_length=255)
    address = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True, max_length=120)
    country = serializers.CharField(help_text=_("ISO 3166-1 alpha-2 code."))


class SiteCreateInputSerializer(SiteUpdateInputSerializer):
    supplier = VisibleRelatedField(Supplier)


class ContactOutputSerializer(portal.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "name",
            "email",
            "phone",
            "job_title",
            "language",
            "is_primary",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContactUpdateInputSerializer(portal.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    is_primary = serializers.BooleanField(required=False)


class ContactCreateInputSerializer(ContactUpdateInputSerializer):
    supplier = VisibleRelatedField(Supplier)


class SpendOutputSerializer(portal.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)

    class Meta:
        model = SupplierSpend
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "fiscal_year",
            "amount",
            "currency",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SpendUpdateInputSerializer(portal.Serializer):
    fiscal_year = serializers.IntegerField(
        help_text=_("Named by the calendar year in which it ends.")
    )
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField(
        required=False, help_text=_("Three-letter ISO 4217 code such as JPY or USD.")
    )


class SpendCreateInputSerializer(SpendUpdateInputSerializer):
    supplier = VisibleRelatedField(Supplier)


class DesignationOutputSerializer(portal.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    reasons = serializers.SerializerMethodField()
    reason_labels = serializers.ListField(
        source="reasons", child=serializers.CharField(), read_only=True
    )
    designated_by_name = serializers.SerializerMethodField()
    note = serializers.CharField(
        read_only=True, allow_null=True, help_text="Staff only: null for supplier users."
    )

    class Meta:
        model = CriticalDesignation
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "fiscal_year",
            "reasons",
            "reason_labels",
            "note",
            "designated_by",
            "designated_by_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(REASON_CHOICES)))
    def get_reasons(self, obj: CriticalDesignation) -> list[str]:
        return [field for field in DESIGNATION_REASONS if getattr(obj, field)]

    def get_designated_by_name(self, obj: CriticalDesignation) -> str | None:
        return obj.designated_by.full_name if obj.designated_by else None

    def to_representation(self, instance):
        # The staff's note and who designated are the company's own: null for supplier
        # users (the same rule as the supplier page and the profile PDF).
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not access.sees_all_suppliers(getattr(request, "user", None)):
            data.update(note=None, designated_by=None, designated_by_name=None)
        return data


class CdpParticipationOutputSerializer(portal.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)

    class Meta:
        model = CdpParticipation
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "fiscal_year",
            "responded",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CdpParticipationUpdateInputSerializer(portal.Serializer):
    fiscal_year = serializers.IntegerField(
        help_text=_("Named by the calendar year in which it ends.")
    )
    responded = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(required=False, allow_blank=True)


class CdpParticipationCreateInputSerializer(CdpParticipationUpdateInputSerializer):
    supplier = VisibleRelatedField(Supplier)


class CurrencyRateOutputSerializer(portal.ModelSerializer):
    class Meta:
        model = CurrencyRate
        fields = ["id", "fiscal_year", "currency", "rate", "updated_at"]
        read_only_fields = fields


class SupplierTerminateInputSerializer(portal.Serializer):
    terminated_on = serializers.DateField(help_text=_("The day the relationship ended."))
    reason = serializers.CharField(help_text=_("Why the relationship ended."))


class DesignationUpdateInputSerializer(portal.Serializer):
    fiscal_year = serializers.IntegerField()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=REASON_CHOICES),
        help_text=_("Why the supplier is critical: at least one."),
    )
    note = serializers.CharField(required=False, allow_blank=True)


class DesignationCreateInputSerializer(DesignationUpdateInputSerializer):
    supplier = VisibleRelatedField(Supplier)


# --- suppliers ------------------------------------------------------------------------------


class SupplierOutputSerializer(portal.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    country_name = serializers.CharField(source="country.name", read_only=True)
    region = serializers.ChoiceField(
        choices=Region.choices, read_only=True, help_text=_("Follows from the country.")
    )
    categories = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    is_critical_now = serializers.SerializerMethodField()

    class Meta:
        model = Supplier
        fields = [
            "id",
            "code",
            "legal_name",
            "local_name",
            "display_name",
            "country",
            "country_name",
            "region",
            "preferred_language",
            "status",
            "categories",
            "transactions_started_on",
            "is_strategic_partner",
            "handles_confidential_info",
            "is_critical_now",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_critical_now(self, obj: Supplier) -> bool:
        """Designated critical in the current fiscal year."""
        annotated = getattr(obj, "is_critical_now", None)
        if annotated is not None:
            return bool(annotated)
        year = current_fiscal_year().year
        return any(d.fiscal_year == year for d in obj.critical_designations.all())


class SupplierDetailOutputSerializer(SupplierOutputSerializer):
    sites = SiteOutputSerializer(many=True, read_only=True)
    contacts = ContactOutputSerializer(many=True, read_only=True)
    spend = SpendOutputSerializer(many=True, read_only=True)
    critical_designations = DesignationOutputSerializer(many=True, read_only=True)
    terminated_on = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("When the relationship ended.")
    )
    termination_reason = serializers.CharField(
        read_only=True, help_text=_("Why the relationship ended.")
    )

    class Meta(SupplierOutputSerializer.Meta):
        fields = [
            *SupplierOutputSerializer.Meta.fields,
            "sites",
            "contacts",
            "spend",
            "critical_designations",
            "terminated_on",
            "termination_reason",
        ]
        read_only_fields = fields


class SupplierUpdateInputSerializer(portal.Serializer):
    code = serializers.CharField(
        required=False, help_text=_("Read-only after creation: a different value is refused.")
    )
    legal_name = serializers.CharField(max_length=255)
    local_name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    country = serializers.CharField(help_text=_("ISO 3166-1 alpha-2 code."))
    preferred_language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    status = serializers.ChoiceField(choices=SupplierStatus.choices, required=False)
    categories = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("Category codes; replaces the supplier's categories."),
    )
    transactions_started_on = serializers.DateField(required=False, allow_null=True)
    is_strategic_partner = serializers.BooleanField(required=False)
    handles_confidential_info = serializers.BooleanField(required=False)


class SupplierCreateInputSerializer(SupplierUpdateInputSerializer):
    code = serializers.CharField(
        max_length=40, help_text=_("Stable external code from the purchasing system.")
    )
