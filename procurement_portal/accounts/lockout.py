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
