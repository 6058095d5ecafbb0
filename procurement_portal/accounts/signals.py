"""Outbox hook for password-reset messages: the link leaves the database once sent.

Also: a supplier user's optional second factor is noted in the session at log-in.

The reset message must carry a live link while it waits for delivery; once the mail
server has taken it (or it has failed for good) the stored copy is replaced by a note, so
the outbox table and its admin never hold a usable link. The outbox itself is unchanged:
this listens to its rows being saved.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from procurement_portal.outbox.models import MessageStatus, OutboxMessage

RESET_KEY_PREFIX = "password-reset:"
REDACTED_BODY = "[The password-reset link was removed from the stored copy after sending.]"


@receiver(post_save, sender=OutboxMessage, dispatch_uid="accounts.drop_reset_link_once_sent")
def _drop_reset_link_once_sent(sender, instance: OutboxMessage, **kwargs) -> None:
    if not instance.key.startswith(RESET_KEY_PREFIX):
        return
    if instance.status not in (MessageStatus.SENT, MessageStatus.FAILED):
        return
    if instance.body_text == REDACTED_BODY:
        return
    OutboxMessage.objects.filter(pk=instance.pk).update(body_text=REDACTED_BODY, body_html="")
    instance.body_text, instance.body_html = REDACTED_BODY, ""


@receiver(user_logged_in, dispatch_uid="accounts.remember_chosen_second_factor")
def _remember_chosen_second_factor(sender, request, user, **kwargs) -> None:
    """A supplier user's optional second factor is looked up once, at log-in, and kept in
    the session (the middleware asks it on every request)."""
    session = getattr(request, "session", None)
    if session is not None:
        from .middleware import ENROLLED_KEY, chose_second_factor

        session.pop(ENROLLED_KEY, None)
        chose_second_factor(request, user)
