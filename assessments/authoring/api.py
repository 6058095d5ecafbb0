"""The questionnaire API: read for everyone who may see questionnaires; import and
publish for those who manage them (``Action.MANAGE_QUESTIONNAIRES``)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from procurement_portal.access import Action
from procurement_portal.core.openapi import PortalSchema
from procurement_portal.core.viewsets import ScopedGenericViewSet

from ..models import Questionnaire, QuestionnaireKind, QuestionnaireVersion, VersionStatus
from . import selectors, services
from . import serializers as s


class VersionFilter(django_filters.FilterSet):
    questionnaire = django_filters.CharFilter(
        field_name="questionnaire__code", label=_("questionnaire code")
    )
    status = django_filters.ChoiceFilter(choices=VersionStatus.choices)
    kind = django_filters.ChoiceFilter(
        field_name="questionnaire__kind", choices=QuestionnaireKind.choices
    )

    class Meta:
        model = QuestionnaireVersion
        fields = ["questionnaire", "status", "kind"]


class QuestionnaireViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """Questionnaires, with the version currently published (if any)."""

    model = Questionnaire

    schema = PortalSchema()
    serializer_class = s.QuestionnaireOutputSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.questionnaire_list(user=self.request.user)


class QuestionnaireVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet
):
    """Versions of questionnaires; one version in full with its sections, questions and
    choices. Supplier users see published versions only."""

    model = QuestionnaireVersion

    schema = PortalSchema()
    write_action = Action.MANAGE_QUESTIONNAIRES
    filter_backends = [DjangoFilterBackend]
    filterset_class = VersionFilter

    def get_serializer_class(self):
        return {
            "list": s.VersionOutputSerializer,
            "create": s.ImportInputSerializer,
            "export": s.ExportOutputSerializer,
        }.get(self.action, s.VersionDetailOutputSerializer)

    def get_queryset(self):
        if self.action == "list":
            return selectors.version_list(user=self.request.user)
        return selectors.version_detail(user=self.request.user)

    def _detail(self, version_id: int) -> dict:
        fresh = selectors.version_detail(user=self.request.user).get(pk=version_id)
        return s.VersionDetailOutputSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(
        request=s.ImportInputSerializer,
        responses={
            201: OpenApiResponse(s.ImportOutputSerializer, _("A new version was made.")),
            200: OpenApiResponse(s.ImportOutputSerializer, _("Already imported; unchanged.")),
        },
    )
    def create(self, request, *args, **kwargs):
        """Import a definition written as YAML. Problems come back as 400, every one
        under ``yaml`` as ``path: reason``; nothing is saved then."""
        params = s.ImportInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            result = services.questionnaire_import(
                text=params.validated_data["yaml"],
                actor=request.user,
                publish=params.validated_data["publish"],
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"yaml": exc.messages}) from exc
        body = {"created": result.created, "version": self._detail(result.version.pk)}
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)

    @extend_schema(request=None, responses={200: s.VersionDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None, format=None):
        """Publish a draft: it is frozen from then on; the version it replaces retires."""
        version = self.get_object()
        services.version_publish(version_id=version.pk, actor=request.user)
        return Response(self._detail(version.pk))

    @extend_schema(responses={200: s.ExportOutputSerializer})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None, format=None):
        """The version as YAML, ready to edit and import again."""
        version = self.get_object()
        filename = f"{version.questionnaire.code}-v{version.number}.yaml"
        return Response(
            {"filename": filename, "yaml": services.questionnaire_export(version=version)}
        )
