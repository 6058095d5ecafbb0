"""The client's IP address, read the same way by the audit log, lock-out and throttling.

``X-Forwarded-For`` is trusted only for as many hops as ``TRUSTED_PROXY_COUNT`` says
(0 = connect straight to the portal, so the header is ignored and cannot be forged).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops > 0 and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            candidate = chain[-hops]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def client_ip_for_axes(request, *args, **kwargs) -> str | None:
    """django-axes calls its IP callable with the request (and more in some versions)."""
    return client_ip(request)
