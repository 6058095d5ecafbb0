"""The answer to a locked-out log-in (django-axes' AXES_LOCKOUT_CALLABLE).

One rule for pages and API: 429 with the cool-off in minutes. API clients get JSON in the
API's error shape (``detail``) with a Retry-After header; people get the page that says
how long to wait and offers a password reset.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, math.ceil(seconds / 60))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "detail": _(
                    "Too many failed log-in attempts for this account from your network. "
                    "Try again in %(minutes)s minutes."
                )
                % {"minutes": minutes}
            },
            status=429,
        )
    else:
        response = render(
            request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429
        )
    response["Retry-After"] = str(seconds)
    return response


def normalize_login(value) -> str:
    """The one spelling of a log-in name: trimmed, lower-case. Log-in matches addresses
    without regard to case, so the lock-out must count them the same way."""
    return str(value or "").strip().lower()


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """AXES_USERNAME_CALLABLE: every spelling of an address shares one failure counter,
    whichever door the attempt came through (log-in page, admin log-in, API token)."""
    if credentials:
        raw = credentials.get(settings.AXES_USERNAME_FORM_FIELD) or credentials.get("email")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = data.get(settings.AXES_USERNAME_FORM_FIELD) or data.get("email")
    return normalize_login(raw)
