"""The declarations API: kinds, versions, signatures (signing, paper records, revocation)
and the coverage of a year's new suppliers.

Reads start from ``visible_to`` (a supplier user sees published versions and their own
company's signatures; another supplier's signature is 404). Writes go through the same
services as the pages: supplier users sign for their company, procurement staff record
paper declarations, revoke and remind, administrators publish. Refusals come back
through the portal's one exception handler: 400 naming the field, 403, 404.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from procurement_portal import access
from procurement_portal.core import serializers as portal
from procurement_portal.core.net import client_ip
from procurement_portal.core.openapi import PortalSchema
from procurement_portal.core.text import parse_digits
from procurement_portal.core.viewsets import ScopedGenericViewSet
from procurement_portal.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, current_fiscal_year
from suppliers.models import LANGUAGE_CHOICES, Supplier
from suppliers.regions import Region

from . import reminders, selectors, services
from .models import (
    SIGNER_FIELD_MAX_LENGTH,
    Audience,
    Channel,
    DeclarationKind,
    DeclarationVersion,
    Revocation,
    Signature,
    VersionStatus,
)

MISSING_LISTED = 500
MAX_ID = 2**31 - 1  # ids beyond this are no row's (and overflow a database integer)

# --- output -------------------------------------------------------------------------------


class DeclarationKindOutputSerializer(portal.ModelSerializer):
    class Meta:
        model = DeclarationKind
        fields = ["id", "code", "name_en", "name_ja", "covers_environmental", "covers_social"]
        read_only_fields = fields


class DeclarationVersionOutputSerializer(portal.ModelSerializer):
    kind_id = serializers.IntegerField(read_only=True)
    kind_code = serializers.CharField(source="kind.code", read_only=True)
    status = serializers.ChoiceField(choices=VersionStatus.choices, read_only=True)
    audience = serializers.ChoiceField(choices=Audience.choices, read_only=True)
    audience_regions = serializers.ListField(
        child=serializers.ChoiceField(choices=Region.choices), read_only=True
    )

    class Meta:
        model = DeclarationVersion
        fields = [
            "id",
            "kind_id",
            "kind_code",
            "number",
            "effective_date",
            "title_en",
            "title_ja",
            "text_en",
            "text_ja",
            "status",
            "published_at",
            "audience",
            "audience_fiscal_year",
            "audience_regions",
        ]
        read_only_fields = fields


class DeclarationRevocationOutputSerializer(portal.ModelSerializer):
    class Meta:
        model = Revocation
        fields = ["id", "reason", "effective_date", "created_at"]
        read_only_fields = fields


class DeclarationSignatureOutputSerializer(portal.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    kind_code = serializers.CharField(source="version.kind.code", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, read_only=True)
    revocation = serializers.SerializerMethodField()

    class Meta:
        model = Signature
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "version",
            "kind_code",
            "version_number",
            "channel",
            "signed_at",
            "signer_name",
            "signer_title",
            "language",
            "sequence",
            "content_hash",
            "previous_hash",
            "revocation",
        ]
        read_only_fields = fields

    @extend_schema_field(DeclarationRevocationOutputSerializer(allow_null=True))
    def get_revocation(self, obj: Signature) -> dict | None:
        revocation = getattr(obj, "revocation", None)
        return DeclarationRevocationOutputSerializer(revocation).data if revocation else None


class DeclarationRegionCoverageSerializer(portal.Serializer):
    region = serializers.ChoiceField(choices=Region.choices)
    total = serializers.IntegerField()
    covered = serializers.IntegerField()
    missing = serializers.IntegerField()


class DeclarationMissingSupplierSerializer(portal.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    legal_name = serializers.CharField()
    region = serializers.ChoiceField(choices=Region.choices)
    transactions_started_on = serializers.DateField()


class DeclarationCoverageOutputSerializer(portal.Serializer):
    fiscal_year = serializers.IntegerField()
    kind_code = serializers.CharField()
    measured_on = serializers.DateField()
    total = serializers.IntegerField()
    covered = serializers.IntegerField()
    regions = DeclarationRegionCoverageSerializer(many=True)
    missing = DeclarationMissingSupplierSerializer(
        many=True, help_text=_("The first 500 missing, by region and code.")
    )


class DeclarationQueuedOutputSerializer(portal.Serializer):
    queued = serializers.IntegerField()


# --- input --------------------------------------------------------------------------------


class DeclarationSignInputSerializer(portal.Serializer):
    supplier = portal.VisibleRelatedField(Supplier, help_text=_("Your company."))
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("The version to sign.")
    )
    signer_name = serializers.CharField(max_length=SIGNER_FIELD_MAX_LENGTH)
    signer_title = serializers.CharField(max_length=SIGNER_FIELD_MAX_LENGTH)
    confirmed = serializers.BooleanField(
        help_text=_("Must be true: the signer confirms signing for the company.")
    )
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        help_text=_("The language of the text signed; the request's language by default."),
    )


class DeclarationPaperInputSerializer(portal.Serializer):
    supplier_code = serializers.CharField(max_length=40)
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    signed_on = serializers.DateField(help_text=_("The date on the paper; never in the future."))
    signer_name = serializers.CharField(max_length=SIGNER_FIELD_MAX_LENGTH)
    signer_title = serializers.CharField(max_length=SIGNER_FIELD_MAX_LENGTH)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)


class DeclarationRevokeInputSerializer(portal.Serializer):
    reason = serializers.CharField(max_length=4000)
    effective_date = serializers.DateField(
        required=False, help_text=_("Today by default; never before the signature.")
    )


# --- viewsets -----------------------------------------------------------------------------


class _LiveUser(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class _DeclarationsViewSet(ScopedGenericViewSet):
    schema = PortalSchema()
    filter_backends: list = []

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data


_YEAR = OpenApiParameter(
    "fiscal_year", int, description="Fiscal year (the current one by default)."
)


class DeclarationKindViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, _DeclarationsViewSet
):
    """The kinds of declaration and the criteria each covers; staff read coverage."""

    model = DeclarationKind
    serializer_class = DeclarationKindOutputSerializer

    def get_queryset(self):
        return selectors.kinds_visible_to(self.request.user).order_by("code")

    @extend_schema(parameters=[_YEAR], responses={200: DeclarationCoverageOutputSerializer})
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        """New suppliers of the fiscal year by region, how many hold a valid declaration of
        this kind, and the first missing ones (company staff, the CSCO included)."""
        kind = self.get_object()
        access.require_staff(request.user)
        year = _fiscal_year(request)
        figures = selectors.coverage(user=request.user, fiscal_year=year, kind=kind)
        return Response(
            DeclarationCoverageOutputSerializer(
                {
                    "fiscal_year": year,
                    "kind_code": kind.code,
                    "measured_on": figures.day,
                    "total": figures.total,
                    "covered": figures.covered,
                    "regions": figures.regions,
                    "missing": figures.missing[:MISSING_LISTED],
                }
            ).data
        )


def _fiscal_year(request) -> int:
    raw = request.query_params.get("fiscal_year", "")
    if not raw:
        return current_fiscal_year().year
    year = parse_digits(raw, max_digits=4)
    if year is None or not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        raise serializers.ValidationError(
            {
                "fiscal_year": _("Give a fiscal year between %(min)s and %(max)s.")
                % {"min": MIN_FISCAL_YEAR, "max": MAX_FISCAL_YEAR}
            }
        )
    return int(raw)


class DeclarationVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, _DeclarationsViewSet
):
    """Declaration texts: staff see every version, supplier users the published and
    retired ones. Administrators publish a draft; procurement staff send this week's
    requests and reminders."""

    model = DeclarationVersion
    serializer_class = DeclarationVersionOutputSerializer

    @property
    def write_action(self):
        # Publishing is the administrators' step, reminding procurement staff's.
        return services.RECORD_ACTION if self.action == "remind" else services.AUTHOR_ACTION

    def get_queryset(self):
        return selectors.versions_visible_to(self.request.user).order_by("kind__code", "-number")

    @extend_schema(request=None, responses={200: DeclarationVersionOutputSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        version = self.get_object()
        version = services.version_publish(actor=request.user, version_id=version.pk)
        return Response(DeclarationVersionOutputSerializer(version).data)

    @extend_schema(request=None, responses={200: DeclarationQueuedOutputSerializer})
    @action(detail=True, methods=["post"], url_path="remind")
    def remind(self, request, pk=None):
        """E-mail the contacts of the suppliers asked that have not signed (this week's
        round: a second call the same week queues nothing)."""
        version = self.get_object()
        queued = reminders.requests_send(actor=request.user, version_id=version.pk)
        return Response({"queued": queued})


_SUPPLIER = OpenApiParameter("supplier", int, description="Only this supplier's signatures.")
_VERSION = OpenApiParameter("version", int, description="Only signatures of this version.")


class SignatureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _DeclarationsViewSet):
    """Signatures, newest first: a supplier user's own company's, every one for staff.
    A supplier user signs (POST); procurement staff record paper declarations and revoke.
    Signatures are never changed or deleted."""

    model = Signature
    serializer_class = DeclarationSignatureOutputSerializer

    write_action = services.RECORD_ACTION  # paper records and revocations

    def get_permissions(self):
        # Who may sign is the service's to say (a supplier's own users, for their own
        # company): the body is checked first, so bad input gets its 400 naming the field
        # whoever sends it, and a valid body from anyone else gets the service's 403.
        if self.action == "create":
            return [_LiveUser()]
        return super().get_permissions()

    def get_queryset(self):
        signatures = selectors.signatures_visible_to(self.request.user)
        params = self.request.query_params
        for name in ("supplier", "version"):
            value = params.get(name, "")
            pk = parse_digits(value)
            if pk is not None and pk <= MAX_ID:
                signatures = signatures.filter(**{f"{name}_id": pk})
        return signatures

    @extend_schema(parameters=[_SUPPLIER, _VERSION])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _out(self, signature: Signature, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.signatures_visible_to(self.request.user).get(pk=signature.pk)
        return Response(DeclarationSignatureOutputSerializer(fresh).data, status=code)

    @extend_schema(
        request=DeclarationSignInputSerializer,
        responses={201: DeclarationSignatureOutputSerializer},
    )
    def create(self, request):
        """Sign the current version of a declaration for your company (supplier users)."""
        data = self._body(DeclarationSignInputSerializer)
        language = data.get("language") or (
            "ja" if (get_language() or "en").startswith("ja") else "en"
        )
        signature = services.signature_create(
            actor=request.user,
            supplier_id=data["supplier"].pk,
            version_id=data["version"],
            signer_name=data["signer_name"],
            signer_title=data["signer_title"],
            confirmed=data["confirmed"],
            language=language,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return self._out(signature, status.HTTP_201_CREATED)

    @extend_schema(
        request=DeclarationPaperInputSerializer,
        responses={201: DeclarationSignatureOutputSerializer},
    )
    @action(detail=False, methods=["post"])
    def paper(self, request):
        """Record a declaration signed on paper or before the portal (procurement staff);
        its scan is attached through the page."""
        data = self._body(DeclarationPaperInputSerializer)
        signature = services.paper_signature_record(
            actor=request.user,
            supplier_code=data["supplier_code"],
            version_id=data["version"],
            signed_on=data["signed_on"],
            signer_name=data["signer_name"],
            signer_title=data["signer_title"],
            language=data["language"],
        )
        return self._out(signature, status.HTTP_201_CREATED)

    @extend_schema(
        request=DeclarationRevokeInputSerializer,
        responses={201: DeclarationSignatureOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke the signature from an effective date (procurement staff); it stays on
        record and stops counting from that day."""
        signature = self.get_object()
        data = self._body(DeclarationRevokeInputSerializer)
        services.signature_revoke(
            actor=request.user,
            signature_id=signature.pk,
            reason=data["reason"],
            effective_date=data.get("effective_date"),
        )
        return self._out(signature, status.HTTP_201_CREATED)
