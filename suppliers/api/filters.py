"""Query-string filters of the registry's API lists."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.filters import OrderingFilter

from procurement_portal.core import serializers as portal
from procurement_portal.core.filters import IntegerFilter
from procurement_portal.fiscal import validate_fiscal_year

from ..models import (
    CdpParticipation,
    Contact,
    CriticalDesignation,
    Site,
    SupplierSpend,
    SupplierStatus,
)
from ..regions import Region


class StableOrderingFilter(OrderingFilter):
    """Ordering from the query string, always ending with the primary key, so pages
    never repeat or skip a row when the chosen column has ties."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(term.lstrip("-") in {"pk", "id"} for term in ordering):
            ordering.append("pk")
        return ordering

    def get_schema_operation_parameters(self, view):
        # The columns a list may be sorted by, as an enum ("-" first for descending);
        # the server also takes several, comma-separated.
        parameters = super().get_schema_operation_parameters(view)
        declared = getattr(view, "ordering_fields", None)
        fields = [f for f in declared if isinstance(f, str)] if isinstance(declared, list) else []
        for parameter in parameters:
            if parameter["name"] == self.ordering_param and fields:
                parameter["schema"]["enum"] = [
                    term for name in fields for term in (name, f"-{name}")
                ]
                # names for generated clients' enum members: CODE, CODE_DESC...
                parameter["schema"]["x-enum-varnames"] = [
                    term for name in fields for term in (name, f"{name}_desc")
                ]
        return parameters


class SupplierFilterSerializer(portal.Serializer):
    """The supplier list's filters, passed to ``selectors.supplier_list``."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Code (exact or prefix) or part of the legal or local name."),
    )
    region = serializers.ChoiceField(choices=Region.choices, required=False, allow_blank=True)
    country = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text=_("ISO 3166-1 alpha-2 code.")
    )
    category = serializers.CharField(
        required=False, allow_blank=True, help_text=_("A category code.")
    )
    status = serializers.ChoiceField(
        choices=SupplierStatus.choices, required=False, allow_blank=True
    )
    critical_in = serializers.IntegerField(
        required=False,
        validators=[validate_fiscal_year],
        help_text=_("Only suppliers designated critical in this fiscal year."),
    )


class SupplierOwnedFilter(django_filters.FilterSet):
    """Filters shared by everything that belongs to one supplier."""

    supplier = IntegerFilter(field_name="supplier", label=_("supplier id"))
    supplier_code = django_filters.CharFilter(field_name="supplier__code", label=_("supplier code"))


class SiteFilter(SupplierOwnedFilter):
    class Meta:
        model = Site
        fields = ["supplier", "supplier_code"]


class ContactFilter(SupplierOwnedFilter):
    class Meta:
        model = Contact
        fields = ["supplier", "supplier_code"]


class SpendFilter(SupplierOwnedFilter):
    class Meta:
        model = SupplierSpend
        fields = ["supplier", "supplier_code", "fiscal_year"]


class DesignationFilter(SupplierOwnedFilter):
    class Meta:
        model = CriticalDesignation
        fields = ["supplier", "supplier_code", "fiscal_year"]


class CdpParticipationFilter(SupplierOwnedFilter):
    class Meta:
        model = CdpParticipation
        fields = ["supplier", "supplier_code", "fiscal_year", "responded"]
