"""Password reset by e-mail, done the same way whether or not the address is registered.

The page only counts the request (per address and per client, in the cache) and queues
``send_password_reset``; the task looks the address up and, for an account, queues the
message in the outbox. So the page answers in the same time either way, the number of
e-mails per address is bounded, and the live reset token is never part of an outbox key
(the key holds the user and a hash of the token). ``redact_sent_reset_links`` then drops
the link from the stored copy once the message has gone.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from procurement_portal.outbox.models import MessageStatus, OutboxMessage
from procurement_portal.outbox.services import email_enqueue

from .lockout import normalize_login
from .models import User
from .signals import REDACTED_BODY, RESET_KEY_PREFIX


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _count(key: str) -> int:
    window = settings.PASSWORD_RESET_LIMIT_WINDOW_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def reset_request_allowed(*, email: str, client: str | None) -> bool:
    """Count one reset request; False once the address or the client is over its limit
    for the window. Both counters are always counted, so the work never depends on the
    address being registered."""
    by_address = _count(f"password-reset:address:{_digest(normalize_login(email))}")
    by_client = _count(f"password-reset:client:{_digest(client or 'unknown')}")
    return (
        by_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        and by_client <= settings.PASSWORD_RESET_LIMIT_PER_CLIENT
    )


def password_reset_send(*, email: str) -> int:
    """Queue a reset message for each active account with a usable password at ``email``
    (normally one). Returns how many were queued."""
    queued = 0
    users = User.objects.filter(email__iexact=normalize_login(email), is_active=True)
    for user in users:
        if not user.has_usable_password():
            continue
        token = default_token_generator.make_token(user)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        path = reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token})
        email_enqueue(
            # The token changes whenever the password or last log-in does: one message per
            # link, keyed by a hash of it, so the key never holds a usable token.
            key=f"{RESET_KEY_PREFIX}{user.pk}:{_digest(token)[:32]}",
            to=user.email,
            template="password_reset",
            language=user.preferred_language,
            context={"path": path},
        )
        queued += 1
    return queued


def redact_sent_reset_links() -> int:
    """Replace the stored body of every reset message that has been sent (or has failed
    for good) by a note. Returns how many rows were changed."""
    return (
        OutboxMessage.objects.filter(
            key__startswith=RESET_KEY_PREFIX,
            status__in=[MessageStatus.SENT, MessageStatus.FAILED],
        )
        .exclude(body_text=REDACTED_BODY)
        .update(body_text=REDACTED_BODY, body_html="")
    )
