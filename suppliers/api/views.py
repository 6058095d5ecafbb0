"""Viewsets of the registry's API. Thin: reads come from selectors (already scoped to
the user), writes go to services; this module only parses and shapes."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from procurement_portal.access import Action
from procurement_portal.core.audit import log_access
from procurement_portal.core.openapi import PortalSchema
from procurement_portal.core.viewsets import ScopedGenericViewSet

from .. import privacy, selectors, services
from ..models import (
    Category,
    CdpParticipation,
    Contact,
    CriticalDesignation,
    CurrencyRate,
    PriorityRisk,
    Site,
    Supplier,
    SupplierSpend,
)
from . import filters
from . import serializers as s


class ServiceSchema(PortalSchema):
    """Documents the input serializer as the request body and the output serializer as
    the response, which is how these viewsets answer."""

    def get_response_serializers(self):
        if self.method == "DELETE":
            return None
        return self.view.get_output_serializer_class()


class RegistryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """Read side: list and retrieve over a selector's queryset.

    Subclasses name ``output_serializer_class`` and, for writes, the input serializers
    and the ``create_object`` / ``update_object`` / ``delete_object`` service calls.
    ``write_action`` is the capability ``RolePermission`` asks for on writes. The access
    policy (``ScopedGenericViewSet``) narrows every queryset to the rows the user sees.
    """

    schema = ServiceSchema()
    output_serializer_class: type[s.serializers.Serializer]
    create_serializer_class: type[s.serializers.Serializer] | None = None
    update_serializer_class: type[s.serializers.Serializer] | None = None

    def get_serializer_class(self):
        if self.action == "create":
            return self.create_serializer_class
        if self.action in {"update", "partial_update"}:
            return self.update_serializer_class
        return self.get_output_serializer_class()

    def get_output_serializer_class(self):
        return self.output_serializer_class

    def output(self, instance) -> dict:
        """The saved object as a reader sees it, read back through the selector."""
        fresh = self.get_queryset().get(pk=instance.pk)
        output_class = self.get_output_serializer_class()
        return output_class(fresh, context=self.get_serializer_context()).data


class ServiceCreateMixin:
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_object(serializer.validated_data)
        return Response(self.output(instance), status=status.HTTP_201_CREATED)


class ServiceUpdateMixin:
    def update(self, request, *args, partial: bool = False, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = self.update_object(instance, serializer.validated_data)
        return Response(self.output(instance))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


class ServiceDestroyMixin:
    def destroy(self, request, *args, **kwargs):
        self.delete_object(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class SupplierViewSet(ServiceCreateMixin, ServiceUpdateMixin, RegistryViewSet):
    """Suppliers. A supplier user sees only its own; procurement and admin write."""

    model = Supplier

    write_action = Action.MANAGE_SUPPLIERS
    output_serializer_class = s.SupplierOutputSerializer
    create_serializer_class = s.SupplierCreateInputSerializer
    update_serializer_class = s.SupplierUpdateInputSerializer
    # Search and the other filters are the selector's; only ordering is a backend.
    filter_backends = [filters.StableOrderingFilter]
    ordering_fields = ["code", "legal_name", "country", "updated_at"]
    ordering = ["code"]

    def get_output_serializer_class(self):
        if self.action == "list":
            return s.SupplierOutputSerializer
        return s.SupplierDetailOutputSerializer

    def get_queryset(self):
        if self.action == "list":
            params = filters.SupplierFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            return selectors.supplier_list(user=self.request.user, **params.validated_data)
        return Supplier.objects.visible_to(self.request.user)

    def get_object(self):
        if self.action == "retrieve":
            try:
                supplier = selectors.supplier_detail(
                    user=self.request.user, pk=int(self.kwargs["pk"])
                )
            except Supplier.DoesNotExist as exc:
                raise Http404 from exc
        else:
            supplier = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, supplier)
        return supplier

    def output(self, instance) -> dict:
        fresh = selectors.supplier_detail(user=self.request.user, pk=instance.pk)
        return s.SupplierDetailOutputSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(parameters=[filters.SupplierFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create_object(self, data):
        return services.supplier_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.supplier_update(actor=self.request.user, supplier=instance, **data)

    @extend_schema(
        request=s.SupplierTerminateInputSerializer,
        responses={200: s.SupplierDetailOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None, format=None):
        """End the relationship on a date, for a reason (status ``terminated``)."""
        supplier = self.get_object()
        serializer = s.SupplierTerminateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        supplier = services.supplier_terminate(
            actor=request.user,
            supplier=supplier,
            terminated_on=serializer.validated_data["terminated_on"],
            reason=serializer.validated_data["reason"],
        )
        return Response(self.output(supplier))


class _SupplierPartViewSet(
    ServiceCreateMixin, ServiceUpdateMixin, ServiceDestroyMixin, RegistryViewSet
):
    """Something that belongs to one supplier: readable by whoever sees the supplier."""

    filter_backends = [DjangoFilterBackend]


class SiteViewSet(_SupplierPartViewSet):
    """Operation sites of suppliers (factories, offices, warehouses)."""

    model = Site

    write_action = Action.MANAGE_SUPPLIERS
    output_serializer_class = s.SiteOutputSerializer
    create_serializer_class = s.SiteCreateInputSerializer
    update_serializer_class = s.SiteUpdateInputSerializer
    filterset_class = filters.SiteFilter

    def get_queryset(self):
        return selectors.site_list(user=self.request.user)

    def create_object(self, data):
        return services.site_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.site_update(actor=self.request.user, site=instance, **data)

    def delete_object(self, instance):
        services.site_delete(actor=self.request.user, site=instance)


class ContactViewSet(_SupplierPartViewSet):
    """People at suppliers the company writes to."""

    model = Contact

    output_serializer_class = s.ContactOutputSerializer
    create_serializer_class = s.ContactCreateInputSerializer
    update_serializer_class = s.ContactUpdateInputSerializer
    filterset_class = filters.ContactFilter

    def get_queryset(self):
        return selectors.contact_list(user=self.request.user)

    def create_object(self, data):
        return services.contact_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.contact_update(actor=self.request.user, contact=instance, **data)

    def delete_object(self, instance):
        services.contact_delete(actor=self.request.user, contact=instance)

    @property
    def write_action(self):
        # Erasure is a privacy request: compliance officers handle those, not buyers.
        if self.action == "erase":
            return Action.HANDLE_PRIVACY_REQUESTS
        return Action.MANAGE_SUPPLIERS

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        log_access(getattr(self, "_page_objects", []))
        return response

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_objects = page if page is not None else []
        return page

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        log_access([self.get_object()])
        return response

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], url_path="personal-data")
    def personal_data(self, request, pk=None, format=None):
        """Everything held about the person behind this contact (a subject access request)."""
        contact = self.get_object()
        data = privacy.contact_personal_data(actor=request.user, contact=contact)
        log_access([contact])
        return Response(data)

    @extend_schema(request=None, responses={200: s.ContactOutputSerializer})
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None, format=None):
        """Pseudonymise the person behind this contact; signed records stay intact."""
        contact = privacy.contact_erase(actor=request.user, contact=self.get_object())
        return Response(self.output(contact))


class SpendViewSet(_SupplierPartViewSet):
    """Procurement amount per supplier and fiscal year."""

    model = SupplierSpend

    write_action = Action.MANAGE_SPEND
    output_serializer_class = s.SpendOutputSerializer
    create_serializer_class = s.SpendCreateInputSerializer
    update_serializer_class = s.SpendUpdateInputSerializer
    filterset_class = filters.SpendFilter

    def get_queryset(self):
        return selectors.spend_list(user=self.request.user)

    def create_object(self, data):
        return services.spend_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.spend_update(actor=self.request.user, spend=instance, **data)

    def delete_object(self, instance):
        services.spend_delete(actor=self.request.user, spend=instance)


class DesignationViewSet(_SupplierPartViewSet):
    """Critical-supplier designations; the requesting user is recorded as designator."""

    model = CriticalDesignation

    write_action = Action.MANAGE_SPEND
    output_serializer_class = s.DesignationOutputSerializer
    create_serializer_class = s.DesignationCreateInputSerializer
    update_serializer_class = s.DesignationUpdateInputSerializer
    filterset_class = filters.DesignationFilter

    def get_queryset(self):
        return selectors.designation_list(user=self.request.user)

    def create_object(self, data):
        return services.designation_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.designation_update(actor=self.request.user, designation=instance, **data)

    def delete_object(self, instance):
        services.designation_delete(actor=self.request.user, designation=instance)


class CdpParticipationViewSet(_SupplierPartViewSet):
    """Suppliers taking part in the CDP Supply Chain programme, per fiscal year."""

    model = CdpParticipation

    write_action = Action.MANAGE_SPEND
    output_serializer_class = s.CdpParticipationOutputSerializer
    create_serializer_class = s.CdpParticipationCreateInputSerializer
    update_serializer_class = s.CdpParticipationUpdateInputSerializer
    filterset_class = filters.CdpParticipationFilter

    def get_queryset(self):
        return selectors.cdp_participation_list(user=self.request.user)

    def create_object(self, data):
        return services.cdp_participation_create(actor=self.request.user, **data)

    def update_object(self, instance, data):
        return services.cdp_participation_update(actor=self.request.user, record=instance, **data)

    def delete_object(self, instance):
        services.cdp_participation_delete(actor=self.request.user, record=instance)


class CurrencyRateViewSet(mixins.ListModelMixin, ScopedGenericViewSet):
    """Yearly rates to the reporting currency (reference data for the annual figures)."""

    model = CurrencyRate

    schema = PortalSchema()
    serializer_class = s.CurrencyRateOutputSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.currency_rate_list()


class PriorityRiskViewSet(mixins.ListModelMixin, ScopedGenericViewSet):
    """The six priority risks, in both languages and in the request's language."""

    model = PriorityRisk

    schema = PortalSchema()
    serializer_class = s.PriorityRiskOutputSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.priority_risks()


class CategoryViewSet(mixins.ListModelMixin, ScopedGenericViewSet):
    """Supplier categories, in both languages and in the request's language."""

    model = Category

    schema = PortalSchema()
    serializer_class = s.CategoryOutputSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.category_list()
