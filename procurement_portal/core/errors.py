"""Errors: the domain's own, defined once, and the error pages.

**Domain errors** are what services raise; each is mapped once to an API answer
(``core.api.exception_handler``) and once to a form (``core.forms.apply_validation_error``):

- ``ValidationError`` (Django's): bad input, keyed by field. API 400 naming the field;
  forms show each message at its field.
- ``NotAllowed`` (a Django ``PermissionDenied``): the role or the object's rule forbids the
  step. API 403; pages 403.
- ``Conflict``: the object is not in a state that allows the step, or it changed since it
  was read; nothing changed. API 409 in one shape (``detail``, ``code``, ``status``,
  ``current``; ``core.openapi.ConflictOutputSerializer``); pages show the message.

Apps subclass these (``assessments.workflow.TransitionConflict``) and never build HTTP
answers for them.

**Error pages**: DRF answers the errors raised inside its views. The handlers below answer
what happens before or outside them (a path no route matches, such as
``/api/v1/suppliers/abc/``; a request Django refuses, such as too many query fields or a
host not allowed; an unhandled error), so that every answer under ``/api/`` is JSON:
``{"detail": "..."}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions

__all__ = ["Conflict", "NotAllowed", "ValidationError"]


class NotAllowed(PermissionDenied):
    """The user's role, or the rule for this object, forbids the step (403)."""


class Conflict(Exception):
    """The object is not in a state that allows the step (``code`` "state"), or it changed
    since the client read it ("stale"); nothing was changed (409).

    ``status`` is the object's status now, when it has one; ``current`` the object as it is
    now, for a client to show ("changed by someone else"): the API shapes it through the
    view's ``conflict_current(obj)``."""

    code = "state"

    def __init__(self, message: str, *, status: str | None = None, current: Any = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.current = current


API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX) or request.path.startswith(API_PREFIX)


def _json(exc: exceptions.APIException) -> JsonResponse:
    return JsonResponse({"detail": str(exc.detail)}, status=exc.status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return _json(exceptions.ParseError())
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return _json(exceptions.PermissionDenied())
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return _json(exceptions.NotFound())
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return _json(exceptions.APIException())
    return defaults.server_error(request)
