"""API tokens: issue (the same checks as the log-in page, second factor included), and a
user's own list of tokens with revocation."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement_portal import access
from procurement_portal.core import serializers as portal
from procurement_portal.core.api import AnonRateThrottle

from .lockout import normalize_login
from .models import ApiToken
from .tokens import api_token_issue, api_token_revoke, api_tokens_of
from .two_factor import has_device


class TokenInputSerializer(portal.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True)
    otp = serializers.RegexField(
        r"^\d{6,8}$",
        required=False,
        help_text=_("Code from the authenticator app; required for company staff."),
    )


class ObtainTokenView(APIView):
    """Exchange e-mail, password (and, for staff, a TOTP code) for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    anon_throttle_scope = "api_token"  # its own limit per address (API_THROTTLE_TOKEN)

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            200: inline_serializer(
                "TokenOutput",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
            ),
            400: inline_serializer(
                "TokenError",
                {
                    "email": serializers.ListField(child=serializers.CharField(), required=False),
                    "password": serializers.ListField(
                        child=serializers.CharField(), required=False
                    ),
                    "otp": serializers.ListField(child=serializers.CharField(), required=False),
                    "non_field_errors": serializers.ListField(
                        child=serializers.CharField(), required=False
                    ),
                },
            ),
            429: inline_serializer("TokenLockedOut", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=normalize_login(data.validated_data["email"]),
            password=data.validated_data["password"],
        )
        if user is None:
            return Response(
                {"non_field_errors": [_("The e-mail address or password is not correct.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        staff = settings.PORTAL_REQUIRE_STAFF_2FA and access.sees_all_suppliers(user)
        # A supplier user who turned the optional app on gives its code here too.
        chosen = access.acts_for_suppliers(user) and has_device(user)
        if staff or chosen:
            error = self._second_factor_error(user, data.validated_data.get("otp"))
            if error:
                return Response({"otp": [error]}, status=status.HTTP_400_BAD_REQUEST)
        token, raw = api_token_issue(user=user, name="API")
        return Response({"token": raw, "expiry": token.expiry})

    @staticmethod
    def _second_factor_error(user, code: str | None) -> str | None:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            return str(_("Set up two-factor authentication in the portal first."))
        if not code and not access.sees_all_suppliers(user):
            return str(_("Your account asks for the code from your authenticator app."))
        if not code:
            return str(_("Staff accounts must give the code from their authenticator app."))
        allowed, _info = device.verify_is_allowed()
        if not allowed or not device.verify_token(code):
            return str(_("This code is not correct or has expired."))
        return None


class ApiTokenSerializer(portal.ModelSerializer):
    prefix = serializers.CharField(read_only=True, help_text=_("The token's first characters."))

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "expiry", "last_used_at"]
        read_only_fields = fields


class IsActiveUser(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


_NOT_SIGNED_IN = inline_serializer("TokenAuthError", {"detail": serializers.CharField()})


class OwnTokenListView(APIView):
    """The API tokens of the user asking: when each was made, expires and was last used."""

    permission_classes = [IsActiveUser]

    @extend_schema(
        responses={200: ApiTokenSerializer(many=True), 401: _NOT_SIGNED_IN, 403: _NOT_SIGNED_IN}
    )
    def get(self, request):
        tokens = api_tokens_of(user=request.user)
        return Response(ApiTokenSerializer(tokens, many=True).data)


class OwnTokenView(APIView):
    """Revoke one of one's own API tokens (the one in use included)."""

    permission_classes = [IsActiveUser]

    @extend_schema(
        responses={204: None, 401: _NOT_SIGNED_IN, 403: _NOT_SIGNED_IN, 404: _NOT_SIGNED_IN}
    )
    def delete(self, request, pk: int):
        api_token_revoke(actor=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
