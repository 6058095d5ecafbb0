"""Putting messages into the outbox and delivering them."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import smtplib
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from email.utils import format_datetime, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models.signals import post_save
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
    delay: int = 0  # seconds before the retry
    message_id: int | None = None
    # The message was a stale claim (its worker died inside the SMTP exchange): a dead pool
    # leaves one per process, so the batch looks for the next at once.
    recovered: bool = False


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


def outbox_dispatch(*, message_ids: Iterable[int] = (), count: int | None = None) -> None:
    """Wake the workers for queued messages: one delivery task per ``OUTBOX_BATCH_SIZE``.
    The tasks do not carry the ids: each takes the next due messages from the table (see
    ``email_deliver_due``), so a task lost with its worker strands no message."""
    from .tasks import deliver_outbox_due

    n = len(list(message_ids)) if count is None else count
    size = max(int(settings.OUTBOX_BATCH_SIZE), 1)
    for _ in range(-(-n // size)):
        deliver_outbox_due.delay()


# --- delivery: claim, send, confirm ------------------------------------------------------

HISTORY_KEPT = 50


def _worker() -> str:
    # A forked pool process has its own pid: compute it when claiming, not at import.
    return f"{socket.gethostname()}:{os.getpid()}"


def _noted(message: OutboxMessage, event: str, **details) -> list:
    entry = {"at": timezone.now().isoformat(timespec="milliseconds"), "event": event}
    entry.update({k: v for k, v in details.items() if v not in (None, "")})
    return [*(message.history or []), entry][-HISTORY_KEPT:]


def retry_delay(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` tries: doubling, capped."""
    countdown = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return int(min(countdown, settings.OUTBOX_RETRY_MAX_SECONDS))


def _claim_stale(queryset, *, now: dt.datetime, max_attempts: int) -> OutboxMessage | None:
    """A message whose worker died between claim and confirm (its claim has expired)."""
    expired = now - dt.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)
    for message in queryset.filter(status=MessageStatus.SENDING, claimed_at__lt=expired).order_by(
        "claimed_at", "pk"
    )[:5]:
        lost = {"by": message.claimed_by, "attempt": message.attempts}
        message.unconfirmed_attempts += 1
        message.history = _noted(message, "unconfirmed", **lost)
        if message.attempts >= max_attempts:
            message.status = MessageStatus.FAILED
            message.last_error = (
                f"Delivery was interrupted {message.unconfirmed_attempts} time(s) with no answer "
                "recorded; it may have been delivered."
            )
            message.history = _noted(message, "failed", error=message.last_error)
            message.save(
                update_fields=[
                    "status", "unconfirmed_attempts", "history", "last_error", "updated_at"
                ]
            )  # fmt: skip
            continue
        return message
    return None


def _claim(*, message_id: int | None, max_attempts: int, force: bool = False, stale: bool = True):
    """Claim one message and commit the claim before any SMTP: ``message_id``'s, or else
    the longest-due one (a stale claim first). ``force`` ignores the retry backoff (the
    in-process embedded default retries at once). None when there is nothing to send."""
    now = timezone.now()
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True)
        if message_id is not None:
            rows = rows.filter(pk=message_id)
        message = _claim_stale(rows, now=now, max_attempts=max_attempts) if stale else None
        recovered = message is not None
        if message is None:
            due = rows.filter(status=MessageStatus.QUEUED)
            if not force:
                due = due.filter(next_attempt_at__lte=now)
            message = due.order_by("next_attempt_at", "pk").first()
        if message is None:
            return None
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.claimed_at = now
        message.claimed_by = _worker()[:200]
        message.history = _noted(
            message, "sending", by=message.claimed_by, attempt=message.attempts
        )
        message.save(
            update_fields=[
                "status", "attempts", "claimed_at", "claimed_by", "unconfirmed_attempts",
                "history", "updated_at",
            ]
        )  # fmt: skip
    message.recovered = recovered
    return message


def _mine(message: OutboxMessage):
    return OutboxMessage.objects.filter(
        pk=message.pk,
        status=MessageStatus.SENDING,
        claimed_by=message.claimed_by,
        claimed_at=message.claimed_at,
    )


def _saved(message: OutboxMessage, fields: list[str]) -> None:
    """The conditional updates of delivery skip ``save()``; tell ``post_save`` listeners
    (e.g. accounts drops a sent reset link from the stored copy) as a save would."""
    post_save.send(
        sender=OutboxMessage, instance=message, created=False, update_fields=frozenset(fields),
        raw=False, using="default",
    )  # fmt: skip


def _confirm(message: OutboxMessage) -> None:
    """The server said 250: record it at once (its own short transaction)."""
    now = timezone.now()
    history = _noted(message, "sent", by=message.claimed_by, attempt=message.attempts)
    if _mine(message).update(
        status=MessageStatus.SENT, sent_at=now, last_error="", history=history, updated_at=now
    ):
        message.status, message.sent_at, message.last_error = MessageStatus.SENT, now, ""
        message.history, message.updated_at = history, now
        _saved(message, ["status", "sent_at", "last_error", "history", "updated_at"])
        return
    # Our claim was taken over (this worker was slower than the claim timeout): another
    # worker sends it again and records that; the copy accepted here is counted there.
    logger.warning("outbox %s: accepted after its claim was taken over", message.key)
    OutboxMessage.objects.filter(
        pk=message.pk, status__in=[MessageStatus.QUEUED, MessageStatus.FAILED]
    ).update(status=MessageStatus.SENT, sent_at=now, last_error="", updated_at=now)


def _refused(
    message: OutboxMessage, exc: Exception, *, max_attempts: int, unanswered: bool = False
) -> DeliveryResult:
    """The server refused for now or could not be reached: queue it for a later try, or
    fail it after ``max_attempts``. ``unanswered``: the message was sent whole and no
    answer came, so it is counted as unconfirmed (a retry may be a second copy)."""
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    retry = message.attempts < max_attempts
    status = MessageStatus.QUEUED if retry else MessageStatus.FAILED
    delay = retry_delay(message.attempts)
    if unanswered:
        message.unconfirmed_attempts += 1
        message.history = _noted(message, "unconfirmed", by=message.claimed_by, error=error)
    history = _noted(message, "retry" if retry else "failed", attempt=message.attempts, error=error)
    fields = {
        "unconfirmed_attempts": message.unconfirmed_attempts,
        "status": status,
        "last_error": error,
        "next_attempt_at": now + dt.timedelta(seconds=delay),
        "history": history,
        "updated_at": now,
    }
    if _mine(message).update(**fields):
        for name, value in fields.items():
            setattr(message, name, value)
        _saved(message, list(fields))
    logger.warning("outbox %s attempt %s failed: %s", message.key, message.attempts, exc)
    return DeliveryResult(
        status=status, retry=retry, error=error, delay=delay, message_id=message.pk
    )


def _connected(connection) -> Exception | None:
    """Open an SMTP connection that is not open (yet, or since an error), so that a claim
    never waits on connecting and logging in: OUTBOX_CLAIM_TIMEOUT_SECONDS need only cover
    one message's exchange. The error, if it cannot be opened (recorded on the message)."""
    if getattr(connection, "connection", False) is None:  # an SMTP backend, not connected
        try:
            connection.open()
        except TRANSIENT_ERRORS as exc:
            return exc
    return None


class _Watch:
    """Whether the current message's last line has gone to the server (set by the SMTP
    connection's ``send``), to tell a lost answer from a refusal."""

    data_sent = False


def _watch(connection) -> _Watch:
    smtp = getattr(connection, "connection", None)  # smtplib.SMTP once opened
    if smtp is None or not hasattr(smtp, "send"):
        return _Watch()  # console, locmem, or not open: nothing to watch
    watch = getattr(smtp, "_outbox_watch", None)
    if watch is None:
        watch = smtp._outbox_watch = _Watch()
        send = smtp.send

        def watched_send(data):
            send(data)
            if isinstance(data, bytes) and data.endswith(b"\r\n.\r\n"):
                watch.data_sent = True

        smtp.send = watched_send
    watch.data_sent = False
    return watch


def message_id_for(key: str) -> str:
    """The Message-ID of the message with outbox key ``key``: the same for every copy, so a
    copy sent again after an unconfirmed attempt is the same message to the recipient's
    mail system (which may merge them, and keeps one thread)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2].strip() or "portal.localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _email(message: OutboxMessage, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        connection=connection,
        headers={
            "Message-ID": message_id_for(message.key),
            "Date": format_datetime(message.created_at.astimezone(dt.UTC)),
            "X-Portal-Outbox-Key": message.key,
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _deliver_one(
    *,
    message_id: int | None,
    max_attempts: int,
    connection,
    force: bool = False,
    stale: bool = True,
) -> DeliveryResult:
    """Claim (committed), send over ``connection``, confirm (committed). A worker that dies
    before the claim commits leaves the message queued (sent once, later); one that dies
    after the server's answer and before the confirm leaves a stale claim, which is sent
    again after OUTBOX_CLAIM_TIMEOUT_SECONDS and counted as unconfirmed."""
    send_limiter().acquire()
    unreachable = _connected(connection)  # before the claim: it covers one exchange only
    message = _claim(message_id=message_id, max_attempts=max_attempts, force=force, stale=stale)
    if message is None:  # sent, failed, not due yet, or being sent by a live worker
        return DeliveryResult(status="skipped")
    if unreachable is not None:
        result = _refused(message, unreachable, max_attempts=max_attempts)
        return replace(result, recovered=message.recovered)
    watch = _watch(connection)
    try:
        _email(message, connection).send()
    except TRANSIENT_ERRORS as exc:
        # The whole message went out and the answer never came (timeout, dropped line): the
        # server may have it, as when a worker dies there. A coded answer is a refusal.
        unanswered = watch.data_sent and not isinstance(exc, smtplib.SMTPResponseException)
        result = _refused(message, exc, max_attempts=max_attempts, unanswered=unanswered)
        return replace(result, recovered=message.recovered)
    _confirm(message)
    return DeliveryResult(
        status=MessageStatus.SENT, message_id=message.pk, recovered=message.recovered
    )


def email_deliver(*, message_id: int, max_attempts: int, force: bool = False) -> DeliveryResult:
    """Send one message (if it is due, or its claim is stale) on a connection of its own."""
    connection = _opened(get_connection(fail_silently=False))
    try:
        return _deliver_one(
            message_id=message_id, max_attempts=max_attempts, connection=connection, force=force
        )
    finally:
        connection.close()


def _opened(connection):
    """The connection, opened now so that every message of a batch goes over it (an
    unopened one is opened and closed again by each send). A server that cannot be reached
    is left to each send, which then records the error on its message."""
    try:
        connection.open()
    except TRANSIENT_ERRORS as exc:
        logger.warning("outbox: cannot open the mail connection: %s", exc)
    return connection


def email_deliver_due(*, max_attempts: int, limit: int) -> tuple[int, list[DeliveryResult]]:
    """Send up to ``limit`` due messages, longest-due first (stale claims before all), one
    after another over one SMTP connection, each claimed and confirmed on its own. Returns
    how many were claimed and the results that asked for a retry."""
    claimed, retry = 0, []
    connection = _opened(get_connection(fail_silently=False))
    look_for_stale = True
    try:
        for _n in range(limit):
            # Stale claims are looked for at a batch's first message, and again after each
            # one found (a killed pool leaves one per process: all are sent again by this
            # batch, not one per sweep); not before every message (a query saved on each).
            result = _deliver_one(
                message_id=None,
                max_attempts=max_attempts,
                connection=connection,
                stale=look_for_stale,
            )
            if result.status == "skipped":
                break
            claimed += 1
            look_for_stale = result.recovered
            if result.error:
                connection.close()
                connection = _opened(get_connection(fail_silently=False))
            if result.retry:
                retry.append(result)
    finally:
        connection.close()
    return claimed, retry


def email_deliver_batch(*, message_ids: Sequence[int], max_attempts: int) -> list[DeliveryResult]:
    """Send the given messages over one SMTP connection (tasks queued before the outbox
    took due messages from the table still carry ids). Returns the retry results."""
    retry = []
    connection = _opened(get_connection(fail_silently=False))
    try:
        for message_id in message_ids:
            result = _deliver_one(
                message_id=message_id, max_attempts=max_attempts, connection=connection
            )
            if result.error:
                connection.close()
                connection = _opened(get_connection(fail_silently=False))
            if result.retry:
                retry.append(result)
    finally:
        connection.close()
    return retry


# How many delivery tasks one sweep starts at most (each hands itself on while it finds
# a full batch, so a few drain any backlog; more would only wait in the broker).
SWEEP_TASKS = 4


def outbox_sweep() -> int:
    """Beat's look at the outbox (every OUTBOX_SWEEP_INTERVAL_SECONDS): if a message has
    been due for more than OUTBOX_SWEEP_AFTER_SECONDS, or a claim has outlived
    OUTBOX_CLAIM_TIMEOUT_SECONDS (its worker died inside the SMTP exchange), start delivery
    tasks. Returns how many messages were waiting. A delivery never takes a message a live
    worker holds, so a sweep during a slow but healthy drain costs a few idle tasks."""
    now = timezone.now()
    late = now - dt.timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    expired = now - dt.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)
    stale = OutboxMessage.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=expired)
    waiting = OutboxMessage.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lt=late)
    n = stale.count() + waiting.count()
    if n:
        size = max(int(settings.OUTBOX_BATCH_SIZE), 1)
        outbox_dispatch(count=min(n, size * SWEEP_TASKS))
    return n


def email_resend(*, message_id: int) -> OutboxMessage:
    """Staff asked to send a failed message again: queue it once more."""
    from .tasks import deliver_outbox_message

    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status == MessageStatus.FAILED:
            message.status = MessageStatus.QUEUED
            message.attempts = 0
            message.next_attempt_at = timezone.now()
            message.history = _noted(message, "queued again")
            message.save(
                update_fields=["status", "attempts", "next_attempt_at", "history", "updated_at"]
            )
            transaction.on_commit(lambda: deliver_outbox_message.delay(message.pk))
    return message
