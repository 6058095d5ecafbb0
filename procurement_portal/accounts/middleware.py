"""Session rules that apply to every request: idle expiry and staff two-factor."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from procurement_portal import access

LAST_SEEN_KEY = "portal_last_seen"
# Paths a staff user may reach before confirming the second factor.
TWO_FACTOR_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class IdleSessionMiddleware:
    """Ends a session left idle for SESSION_IDLE_SECONDS. The last-seen time is written at
    most once a minute, so an active user costs no extra session write per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("You were logged out after a period of inactivity."))
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Session expired.")}, status=401)
                return redirect(
                    f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
                )
            if last is None or now - int(last) >= 60:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def needs_second_factor(user) -> bool:
    return (
        settings.PORTAL_REQUIRE_STAFF_2FA
        and user.is_authenticated
        and access.sees_all_suppliers(user)
        and not user.is_verified()
    )


class StaffTwoFactorMiddleware:
    """Company-side users reach nothing but the two-factor pages until they confirm a
    TOTP code in this session (django-otp's OTPMiddleware sets ``user.is_verified``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
            and needs_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Two-factor verification is required for staff accounts.")},
                    status=403,
                )
            target = reverse("accounts:2fa")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
