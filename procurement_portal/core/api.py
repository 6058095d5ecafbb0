"""API plumbing shared by every app: permissions, pagination, error shape."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions, permissions
from rest_framework.authentication import SessionAuthentication, get_authorization_header
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import AnonRateThrottle as _AnonRateThrottle
from rest_framework.throttling import UserRateThrottle as _UserRateThrottle

from procurement_portal import access
from procurement_portal.core.audit import note_actor
from procurement_portal.core.errors import Conflict
from procurement_portal.core.net import client_ip


class AuditedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result:
            note_actor(result[0])
        return result


class AuditedTokenAuthentication(KnoxTokenAuthentication):
    """django-rest-knox tokens (hashed at rest, each with its expiry), sent as
    ``Authorization: Token <token>`` or ``Authorization: Bearer <token>``. Each use is
    noted on the token (at most once a minute) and the user is the audit trail's actor."""

    keyword = "Token"  # the one named in the OpenAPI schema and WWW-Authenticate
    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in self.keywords:
            return None
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            auth[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user, token = self.authenticate_credentials(auth[1])
        now = timezone.now()
        last = getattr(token, "last_used_at", None)
        if last is None or (now - last).total_seconds() >= 60:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        note_actor(user)
        return user, token


class _ClientIdentMixin:
    """DRF's own ident trusts X-Forwarded-For by its NUM_PROXIES; use the portal's rule."""

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class UserRateThrottle(_ClientIdentMixin, _UserRateThrottle):
    pass


class AnonRateThrottle(_ClientIdentMixin, _AnonRateThrottle):
    """Anonymous clients, per address: ``anon`` unless the view names its own limit in
    ``anon_throttle_scope``. The docs page, the schema and the token endpoint each have
    one (``api_docs``, ``api_schema``, ``api_token``), so reading the docs never uses up
    the requests a newcomer needs to get a token, nor the other way round."""

    def allow_request(self, request, view):
        scope = getattr(view, "anon_throttle_scope", None)
        if scope and scope != self.scope:
            self.scope = scope
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class Pagination(PageNumberPagination):
    """Pages of ``page_size`` rows (at most ``API_MAX_PAGE_SIZE``). A page size that is not
    a whole number from 1 is refused (400) instead of silently replaced by the default."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                # A larger size is served as the maximum; the schema states the cap.
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
                parameter["description"] = _(
                    "Rows per page, from 1 to %(max)s (default %(default)s)."
                ) % {"max": self.max_page_size, "default": self.page_size}
        return parameters


class RolePermission(permissions.BasePermission):
    """Authenticated and active; writes need the view's ``write_action`` capability.

    What rows a user sees is decided by the view's queryset (``visible_to``). Scope comes
    first: a write to an object the user may not see is a 404, as a read would be, and
    only a write to an object they see is refused for the role (403).
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        action = getattr(view, "write_action", None)
        if action is not None and access.can(user, action):
            return True
        _require_visible(view)
        return False


def _require_visible(view) -> None:
    """On a detail route, raise 404 unless the object is in the view's (scoped) queryset."""
    lookup_kwarg = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
    if not lookup_kwarg or lookup_kwarg not in getattr(view, "kwargs", {}):
        return
    from django.http import Http404

    value = view.kwargs[lookup_kwarg]
    try:
        found = view.get_queryset().filter(**{view.lookup_field: value}).exists()
    except (TypeError, ValueError, DjangoValidationError):
        found = False
    if not found:
        raise Http404


class ScopedAPIMixin:
    """The access policy applied before any handler runs; every viewset starts from it
    (``procurement_portal.core.viewsets`` has it mixed into DRF's viewsets: this module is
    named in DRF's settings and cannot import DRF's views).

    * ``get_queryset`` starts from ``access.visible_to(request.user, ...)`` of the
      viewset's ``model``: the default one returns the visible rows of ``model`` (or of
      ``queryset``), and a subclass's own ``get_queryset`` is wrapped at class creation so
      whatever it returns is narrowed to the visible rows too. A viewset cannot forget.
    * the schema generator's fake view gets an empty queryset of ``model`` here, once.
    * a staff-only model (``access.scope_of(model).staff_only``), or a viewset saying
      ``staff_only = True``, refuses everyone else (403) before the handler, as its pages do.
    * ``get_object`` checks ``access.require(user, action, obj)``: the object's rule
      for the view's ``write_action`` on writes (scope first: 404, then 403).
    """

    model: type | None = None
    scope_action: str = access.VIEW  # rows listed: those the user may see
    staff_only: bool = False  # an endpoint for company staff over a shared model
    staff_only_message = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("get_queryset")
        if own is not None and not getattr(own, "_portal_scoped", False):
            cls.get_queryset = _scoped(own)

    def get_scoped_model(self):
        if self.model is not None:
            return self.model
        queryset = getattr(self, "queryset", None)
        if queryset is not None:
            return queryset.model
        raise ImproperlyConfigured(f"{type(self).__name__} names no model")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        staff_only = self.staff_only or access.scope_of(self.get_scoped_model()).staff_only
        if staff_only and not access.sees_all_suppliers(request.user):
            raise exceptions.PermissionDenied(self.staff_only_message)

    def get_queryset(self):
        queryset = getattr(self, "queryset", None)
        if queryset is not None:
            return queryset.all()
        return self.get_scoped_model()._default_manager.all()

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        action = access.VIEW
        if request.method not in permissions.SAFE_METHODS:
            action = getattr(self, "write_action", None) or access.VIEW
        access.require(request.user, action, obj)


def _scoped(get_queryset):
    @functools.wraps(get_queryset)
    def scoped_get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.get_scoped_model()._default_manager.none()
        return access.visible_to(self.request.user, get_queryset(self), self.scope_action)

    scoped_get_queryset._portal_scoped = True
    return scoped_get_queryset


ScopedAPIMixin.get_queryset = _scoped(ScopedAPIMixin.get_queryset)


def conflict_response(exc: Conflict, view=None):
    """The one 409 of the API (``core.openapi.ConflictOutputSerializer``). The view shapes
    ``current`` (a model instance) as its endpoint answers it (``conflict_current``)."""
    current = exc.current
    if current is not None:
        shape = getattr(view, "conflict_current", None)
        current = shape(current) if shape is not None else None
    from rest_framework.response import Response

    body = {"detail": exc.message, "code": exc.code, "status": exc.status, "current": current}
    return Response(body, status=409)


def exception_handler(exc, context):
    """Turn domain errors raised by services into answers: ``ValidationError`` 400 naming
    the field, ``PermissionDenied`` (``NotAllowed``) 403, ``Conflict`` 409 in one shape."""
    # Imported here: rest_framework.views imports this module through the settings.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    if isinstance(exc, Conflict):
        set_rollback()
        return conflict_response(exc, context.get("view"))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == "__all__" else field): [str(m) for m in msgs]
                for field, msgs in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError(
            {"non_field_errors": ["The change conflicts with existing data."]}
        )
    return drf_exception_handler(exc, context)
