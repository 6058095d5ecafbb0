"""Putting messages into the outbox and delivering them."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import MessageStatus, OutboxMessage
from .ratelimit import send_limiter

logger = logging.getLogger(__name__)

# Errors worth trying again later; anything else fails the message at once.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, TimeoutError)


@dataclass(frozen=True)
class DeliveryResult:
    status: str
    retry: bool = False
    error: str = ""


@dataclass(frozen=True)
class EmailSpec:
    """One message to queue with ``emails_enqueue_many`` (same meaning as email_enqueue)."""

    key: str
    to: str
    template: str
    context: dict = field(default_factory=dict)
    language: str = "en"


def _render(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        ctx = {
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
            "LANGUAGE_CODE": language,
            **context,
        }
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", ctx).split())
        body_text = render_to_string(f"emails/{template}.txt", ctx)
        body_html = render_to_string(f"emails/{template}.html", ctx)
    return subject[:255], body_text, body_html


def email_enqueue(
    *,
    key: str,
    to: str,
    template: str,
    context: dict,
    language: str = "en",
    group: str = "",
) -> OutboxMessage:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` in the recipient's
    language and queue the message. The same key returns the existing row unchanged, so a
    retried caller never makes a second message. Delivery starts after the caller's
    transaction commits."""
    subject, body_text, body_html = _render(template=template, context=context, language=language)
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            key=key[:200],
            defaults={
                "to": to,
                "group": group[:100],
                "subject": subject,
                "body_text": body_text,
                "body_html": body_html,
                "language": language,
            },
        )
        if created:
            from .tasks import deliver_outbox_message

            transaction.on_commit(lambda: deliver_outbox_message.delay(message.pk))
    return message


@transaction.atomic
def emails_enqueue_many(*, messages: Sequence[EmailSpec], group: str = "") -> list[int]:
    """Queue many messages in a few queries (a campaign's invitations): the same rule as
    ``email_enqueue``, key by key. Keys already in the outbox are left alone (neither
    rendered nor sent again). Returns the ids of the messages queued by this call; their
    delivery starts, in batches over one SMTP connection each, after the commit."""
    wanted = {spec.key[:200]: spec for spec in messages}
    if not wanted:
        return []
    existing = set(OutboxMessage.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    rows = []
    for key, spec in wanted.items():
        if key in existing:
            continue
        subject, body_text, body_html = _render(
            template=spec.template, context=spec.context, language=spec.language
        )
        rows.append(
            OutboxMessage(
                key=key,
                to=spec.to,
                group=group[:100],
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                language=spec.language,
            )
        )
    # A concurrent caller may have inserted some of the same keys meanwhile: the unique key
    # keeps theirs, and both callers dispatching the same id is harmless (delivery locks
    # the row and sends only a queued message).
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    ids = list(
        OutboxMessage.objects.filter(
            key__in=[row.key for row in rows], status=MessageStatus.QUEUED
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: outbox_dispatch(message_ids=ids))
    return ids


def outbox_dispatch(*, message_ids: Iterable[int]) -> None:
    """Hand queued messages to the workers, ``OUTBOX_BATCH_SIZE`` per delivery task."""
    from .tasks import deliver_outbox_batch

    ids = sorted(message_ids)
    size = max(int(settings.OUTBOX_BATCH_SIZE), 1)
    for start in range(0, len(ids), size):
        deliver_outbox_batch.delay(ids[start : start + size])


def _email(message: OutboxMessage, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _deliver_locked(*, message_id: int, max_attempts: int, connection) -> DeliveryResult:
    """Send one queued message over ``connection``. The row stays locked from the check to
    the mark, so two workers given the same message cannot both send it; the mark is the
    very next statement after the SMTP server's acceptance, committed at once."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.QUEUED)
            .first()
        )
        if message is None:  # already sent, failed, or being sent by another worker
            return DeliveryResult(status="skipped")
        message.attempts += 1
        send_limiter().acquire()
        try:
            _email(message, connection).send()
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


def email_deliver(*, message_id: int, max_attempts: int) -> DeliveryResult:
    """Send one queued message on a connection of its own."""
    return _deliver_locked(
        message_id=message_id,
        max_attempts=max_attempts,
        connection=get_connection(fail_silently=False),
    )


def _opened(connection):
    """The connection, opened now so that every message of a batch goes over it (an
    unopened one is opened and closed again by each send). A server that cannot be reached
    is left to each send, which then records the error on its message."""
    try:
        connection.open()
    except TRANSIENT_ERRORS as exc:
        logger.warning("outbox: cannot open the mail connection: %s", exc)
    return connection


def email_deliver_batch(*, message_ids: Sequence[int], max_attempts: int) -> list[int]:
    """Send queued messages one after another over one SMTP connection (much faster than
    one connection each), each marked sent as it is accepted. A message the server refuses
    for now is left queued (attempt counted); its id is returned, for the caller to retry it
    on its own with backoff. After a failure the connection is opened afresh."""
    retry: list[int] = []
    connection = _opened(get_connection(fail_silently=False))
    try:
        for message_id in message_ids:
            result = _deliver_locked(
                message_id=message_id, max_attempts=max_attempts, connection=connection
            )
            if result.error:
                connection.close()
                connection = _opened(get_connection(fail_silently=False))
            if result.retry:
                retry.append(message_id)
    finally:
        connection.close()
    return retry


def outbox_sweep() -> int:
    """Hand out again the messages still queued long after their last attempt: their
    delivery task was lost (a worker died between queueing a message and handing it to
    delivery, or the broker lost it). Returns how many. Delivery sends only a queued row,
    so a message whose task was merely slow is still sent once."""
    before = timezone.now() - dt.timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    ids = list(
        OutboxMessage.objects.filter(status=MessageStatus.QUEUED, updated_at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    outbox_dispatch(message_ids=ids)
    return len(ids)


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
