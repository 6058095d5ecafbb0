"""The visits API: read for everyone who sees a visit (the access policy's rule: a
supplier user once the letter is issued, information-security assessors their kind),
and for staff who log visits the same services the pages use: create (a visit done in
an earlier year too, so earlier records can be loaded), save answers with a client key
and a base revision, submit, amend. Refusals come back through the portal's one
exception handler: 400 naming the field, 403, 404, 409 (a stale answer carries the saved
one in ``current``).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from procurement_portal.access import Action
from procurement_portal.core import serializers as portal
from procurement_portal.core.openapi import ConflictOutputSerializer, PortalSchema
from procurement_portal.core.text import parse_digits
from procurement_portal.core.viewsets import ScopedGenericViewSet
from procurement_portal.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from suppliers.models import Supplier

from . import selectors, services
from .models import (
    GuidanceCategory,
    Outcome,
    Visit,
    VisitAnswer,
    VisitKind,
    VisitMethod,
    VisitResult,
    VisitStatus,
)

# --- output -------------------------------------------------------------------------------


class GuidanceCategoryOutputSerializer(portal.ModelSerializer):
    class Meta:
        model = GuidanceCategory
        fields = ["id", "code", "name_en", "name_ja"]
        read_only_fields = fields


class VisitAnswerOutputSerializer(portal.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    item_text = serializers.CharField(source="item.text", read_only=True)
    risk = serializers.CharField(source="item.risk.code", read_only=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True)
    guidance_category = serializers.SerializerMethodField()
    improvement_item = serializers.IntegerField(
        source="improvement_item_id", read_only=True, allow_null=True
    )

    class Meta:
        model = VisitAnswer
        fields = [
            "item",
            "item_text",
            "risk",
            "outcome",
            "note",
            "guidance_category",
            "required_action",
            "due_date",
            "revision",
            "improvement_item",
        ]
        read_only_fields = fields

    def get_guidance_category(self, obj: VisitAnswer) -> str:
        return obj.guidance_category.code if obj.guidance_category else ""


class VisitOutputSerializer(portal.ModelSerializer):
    supplier = serializers.IntegerField(source="supplier_id", read_only=True)
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    site = serializers.IntegerField(source="site_id", read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=VisitKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=VisitStatus.choices, read_only=True)
    result = serializers.ChoiceField(choices=VisitResult.choices, read_only=True, allow_blank=True)
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=VisitMethod.choices), read_only=True
    )
    checklist_version = serializers.IntegerField(source="template.version", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "site",
            "kind",
            "visit_date",
            "fiscal_year",
            "status",
            "result",
            "methods",
            "supplier_attendees",
            "checklist_version",
            "submitted_at",
            "letter_issued_at",
            "letter_version",
        ]
        read_only_fields = fields


class VisitDetailOutputSerializer(VisitOutputSerializer):
    answers = VisitAnswerOutputSerializer(many=True, read_only=True)

    class Meta(VisitOutputSerializer.Meta):
        fields = [*VisitOutputSerializer.Meta.fields, "answers"]
        read_only_fields = fields


# What became of a change sent to the answers endpoint (a resent key: "duplicate").
SAVE_RESULTS = [("saved", "saved"), ("duplicate", "duplicate")]


class AnswerSaveOutputSerializer(portal.Serializer):
    result = serializers.ChoiceField(choices=SAVE_RESULTS)
    answer = VisitAnswerOutputSerializer()


# --- input --------------------------------------------------------------------------------


class VisitCreateInputSerializer(portal.Serializer):
    supplier = portal.VisibleRelatedField(Supplier)
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    site = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    visit_date = serializers.DateField(required=False, allow_null=True)
    planned = serializers.BooleanField(default=False)
    fiscal_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=MIN_FISCAL_YEAR, max_value=MAX_FISCAL_YEAR
    )
    visited_by = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=20
    )
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=VisitMethod.choices), required=False, max_length=3
    )
    supplier_attendees = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class AnswerValuesInputSerializer(portal.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    guidance_category = serializers.CharField(required=False, allow_blank=True, max_length=60)
    required_action = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    due_date = serializers.DateField(required=False, allow_null=True)


class AnswerSaveInputSerializer(portal.Serializer):
    item = serializers.CharField(max_length=60)
    client_key = serializers.CharField(max_length=64)
    base_revision = serializers.IntegerField(min_value=0)
    values = AnswerValuesInputSerializer()


class VisitHeaderInputSerializer(portal.Serializer):
    site_id = serializers.IntegerField(required=False, min_value=1)
    visit_date = serializers.DateField(required=False)
    supplier_attendees = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=VisitMethod.choices), required=False, max_length=3
    )


class AmendInputSerializer(portal.Serializer):
    reason = serializers.CharField(max_length=4000)
    header = VisitHeaderInputSerializer(required=False)
    answers = serializers.DictField(child=AnswerValuesInputSerializer(), required=False)


# --- viewsets -----------------------------------------------------------------------------

_CONFLICT = OpenApiResponse(
    ConflictOutputSerializer,
    description="The visit is not in a state for this step, or the answer changed since.",
)


class GuidanceCategoryViewSet(mixins.ListModelMixin, ScopedGenericViewSet):
    """The guidance categories of findings (reference data, both languages)."""

    schema = PortalSchema()
    model = GuidanceCategory
    serializer_class = GuidanceCategoryOutputSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return GuidanceCategory.objects.order_by("position", "code")


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """Visit records, newest first. Staff who log visits create, answer, submit and amend
    through the services the pages use."""

    schema = PortalSchema()
    model = Visit
    serializer_class = VisitOutputSerializer
    filter_backends: list = []
    write_action = Action.REVIEW_ASSESSMENTS

    def get_queryset(self):
        params = self.request.query_params
        year = params.get("fiscal_year", "")
        rows = selectors.visit_list(
            user=self.request.user,
            kind=params.get("kind", "") if params.get("kind") in VisitKind.values else "",
            status=params.get("status", "") if params.get("status") in VisitStatus.values else "",
            fiscal_year=parse_digits(year, max_digits=4),
        )
        if self.action != "list":
            rows = rows.prefetch_related("answers__item__risk", "answers__guidance_category")
        return rows

    def get_serializer_class(self):
        return VisitOutputSerializer if self.action == "list" else VisitDetailOutputSerializer

    def conflict_current(self, answer):
        return VisitAnswerOutputSerializer(answer).data

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data

    def _detail(self, visit_id: int, code=status.HTTP_200_OK):
        visit = self.get_queryset().get(pk=visit_id)
        return Response(VisitDetailOutputSerializer(visit).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=VisitKind.values),
            OpenApiParameter("status", str, enum=VisitStatus.values),
            OpenApiParameter("fiscal_year", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=VisitCreateInputSerializer, responses={201: VisitDetailOutputSerializer})
    def create(self, request):
        data = self._body(VisitCreateInputSerializer)
        visit = services.visit_create(
            actor=request.user,
            supplier_id=data["supplier"].pk,
            kind=data["kind"],
            site_id=data.get("site"),
            visit_date=data.get("visit_date"),
            planned=data["planned"],
            fiscal_year=data.get("fiscal_year"),
            visited_by_ids=data.get("visited_by"),
            methods=data.get("methods"),
            supplier_attendees=data.get("supplier_attendees", ""),
        )
        return self._detail(visit.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=AnswerSaveInputSerializer,
        responses={200: AnswerSaveOutputSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """One change to one answer: a client key already applied is answered
        ``duplicate`` and changes nothing; a base revision older than the saved one is
        refused (409, the saved answer in ``current``)."""
        visit = self.get_object()
        data = self._body(AnswerSaveInputSerializer)
        values = dict(data["values"])
        if values.get("due_date") is not None:
            values["due_date"] = values["due_date"].isoformat()
        saved = services.answer_save(
            actor=request.user,
            visit_id=visit.pk,
            item_code=data["item"],
            client_key=data["client_key"],
            base_revision=data["base_revision"],
            values=values,
        )
        body = {"result": saved.result, "answer": VisitAnswerOutputSerializer(saved.answer).data}
        return Response(body)

    @extend_schema(request=None, responses={200: VisitDetailOutputSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        visit = self.get_object()
        services.visit_submit(actor=request.user, visit_id=visit.pk)
        return self._detail(visit.pk)

    @extend_schema(
        request=AmendInputSerializer, responses={200: VisitDetailOutputSerializer, 409: _CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        visit = self.get_object()
        data = self._body(AmendInputSerializer)
        answers = {
            code: {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
            for code, values in (data.get("answers") or {}).items()
        }
        header = dict(data.get("header") or {})
        if header.get("visit_date"):
            header["visit_date"] = header["visit_date"].isoformat()
        services.visit_amend(
            actor=request.user,
            visit_id=visit.pk,
            reason=data["reason"],
            header=header,
            answers=answers,
        )
        return self._detail(visit.pk)


__all__ = ["GuidanceCategoryViewSet", "VisitViewSet"]
