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
# The routes (by URL name) a staff user may reach after the password and before the second
# factor: the second-factor page itself, log-out, the password-reset pages, invitation
# links, the language switch and the health check. Everything else, the staff pages under
# /accounts/ included, waits for the code. Static files are served before any of this.
TWO_FACTOR_EXEMPT_ROUTES = frozenset(
    {
        "accounts:2fa",
        "accounts:logout",
        "accounts:password-reset",
        "accounts:password-reset-sent",
        "accounts:password-reset-confirm",
        "accounts:password-reset-complete",
        "accounts:invitation",
        "accounts:invitation-renew",
        "set_language",
        "healthz",
    }
)


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


ENROLLED_KEY = "portal_2fa_enrolled"


def chose_second_factor(request, user) -> bool:
    """Whether a supplier user turned the (optional) second factor on. Asked of the
    database once per session and kept there with the user's id; the setup page updates
    it when the person turns it on or off."""
    if not access.acts_for_suppliers(user):
        return False
    kept = request.session.get(ENROLLED_KEY)
    if not kept or kept[0] != user.pk:
        from .two_factor import has_device

        kept = [user.pk, has_device(user)]
        request.session[ENROLLED_KEY] = kept
    return bool(kept[1])


def needs_second_factor(user, request=None) -> bool:
    """Staff confirm a code in each session (PORTAL_REQUIRE_STAFF_2FA); so does a supplier
    user who chose to add an authenticator app."""
    if not user.is_authenticated or user.is_verified():
        return False
    if access.sees_all_suppliers(user):
        return settings.PORTAL_REQUIRE_STAFF_2FA
    return request is not None and chose_second_factor(request, user)


class StaffTwoFactorMiddleware:
    """Company-side users (and supplier users who chose an authenticator app) reach nothing
    but the two-factor pages until they confirm a TOTP code in this session (django-otp's
    OTPMiddleware sets ``user.is_verified``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Decided on the resolved route's name, not its path: a route is exempt only if
        # it is named above, wherever it lives.
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        view_name = match.view_name if match is not None else None
        if (
            user is not None
            and view_name not in TWO_FACTOR_EXEMPT_ROUTES
            and needs_second_factor(user, request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Two-factor verification is required for staff accounts.")},
                    status=403,
                )
            target = reverse("accounts:2fa")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return None
