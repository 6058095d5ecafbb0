"""Putting messages into the outbox and delivering them."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)

# Errors worth trying again later; anything else fails the message at once.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, TimeoutError)


@dataclass(frozen=True)
class DeliveryResult:
    status: str
    retry: bool = False
    error: str = ""


def email_enqueue(
    *,
    key: str,
    to: str,
    template: str,
    context: dict,
    language: str = "en",
) -> OutboxMessage:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` in the recipient's
    language and queue the message. The same key returns the existing row unchanged, so a
    retried caller never makes a second message. Delivery starts after the caller's
    transaction commits."""
    with translation.override(language):
        ctx = {
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
            "LANGUAGE_CODE": language,
            **context,
        }
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", ctx).split())
        body_text = render_to_string(f"emails/{template}.txt", ctx)
        body_html = render_to_string(f"emails/{template}.html", ctx)
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            key=key[:200],
            defaults={
                "to": to,
                "subject": subject[:255],
                "body_text": body_text,
                "body_html": body_html,
                "language": language,
            },
        )
        if created:
            from .tasks import deliver_outbox_message

            transaction.on_commit(lambda: deliver_outbox_message.delay(message.pk))
    return message


def email_deliver(*, message_id: int, max_attempts: int) -> DeliveryResult:
    """Send one queued message. The row stays locked from the check to the mark, so two
    workers given the same message cannot both send it."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.QUEUED)
            .first()
        )
        if message is None:  # already sent, failed, or being sent by another worker
            return DeliveryResult(status="skipped")
        message.attempts += 1
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            connection=get_connection(fail_silently=False),
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        try:
            email.send()
        except TRANSIENT_ERRORS as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            retry = message.attempts < max_attempts
            if not retry:
                message.status = MessageStatus.FAILED
            message.save(update_fields=["attempts", "last_error", "status", "updated_at"])
            logger.warning("outbox %s attempt %s failed: %s", message.key, message.attempts, exc)
            return DeliveryResult(status=message.status, retry=retry, error=message.last_error)
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error", "updated_at"])
        return DeliveryResult(status=MessageStatus.SENT)


def email_resend(*, message_id: int) -> OutboxMessage:
    """Staff asked to send a failed message again: queue it once more."""
    from .tasks import deliver_outbox_message

    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status == MessageStatus.FAILED:
            message.status = MessageStatus.QUEUED
            message.attempts = 0
            message.save(update_fields=["status", "attempts", "updated_at"])
            transaction.on_commit(lambda: deliver_outbox_message.delay(message.pk))
    return message
