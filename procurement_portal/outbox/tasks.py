"""Delivery of outbox messages: thin tasks around the services.

A task is only a wake-up: the outbox table is the queue. Delivery claims one message at a
time (committed before SMTP) and confirms it after the server's answer, so a task that is
lost with its worker strands nothing: the next delivery task or beat's sweep takes the
due messages, and a claim left by a dead worker is taken again after
OUTBOX_CLAIM_TIMEOUT_SECONDS (and counted as unconfirmed). Tasks are late-acknowledged
all the same, so a lost one also comes back from the broker.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .services import (
    email_deliver,
    email_deliver_batch,
    email_deliver_due,
    outbox_sweep,
    retry_delay,
)


def _backoff(retries: int) -> int:
    return retry_delay((retries or 0) + 1)


def _retry_later(results) -> None:
    for result in results:
        deliver_outbox_message.apply_async((result.message_id,), countdown=result.delay)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_outbox_message(self, message_id: int) -> str:
    """Send one message (queued with ``email_enqueue``), retried with backoff."""
    max_attempts = settings.OUTBOX_MAX_ATTEMPTS
    eager = self.request.is_eager
    result = email_deliver(message_id=message_id, max_attempts=max_attempts, force=eager)
    # In-process (embedded default) there is no broker to wait on: try again at once.
    while result.retry and eager:
        result = email_deliver(message_id=message_id, max_attempts=max_attempts, force=True)
    if result.retry:
        raise self.retry(countdown=result.delay)
    return result.status


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def deliver_outbox_due(self) -> int:
    """Send up to OUTBOX_BATCH_SIZE due messages over one connection; after a full batch,
    hand on to a fresh task (queued behind the others, so no worker is held for long)."""
    size = max(int(settings.OUTBOX_BATCH_SIZE), 1)
    total = 0
    while True:
        claimed, retry = email_deliver_due(max_attempts=settings.OUTBOX_MAX_ATTEMPTS, limit=size)
        total += claimed
        if self.request.is_eager:
            for result in retry:
                deliver_outbox_message.delay(result.message_id)
            if claimed < size:
                return total
            continue
        _retry_later(retry)
        if claimed >= size:
            deliver_outbox_due.delay()
        return total


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_outbox_batch(message_ids: list[int]) -> int:
    """Tasks queued by an earlier version carried the ids of their messages."""
    _retry_later(
        email_deliver_batch(message_ids=message_ids, max_attempts=settings.OUTBOX_MAX_ATTEMPTS)
    )
    return len(message_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_outbox() -> int:
    return outbox_sweep()
