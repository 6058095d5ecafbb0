"""Delivery of outbox messages: thin tasks around the services, retried with backoff.

Both are late-acknowledged and rejected (so redelivered) when the worker dies: a message
whose task was lost with its worker is sent by the next one, and never twice, because
delivery sends only a row still marked queued and marks it sent right after acceptance.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .services import email_deliver, email_deliver_batch, outbox_sweep


def _backoff(retries: int) -> int:
    countdown = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (retries or 0)
    return min(countdown, settings.OUTBOX_RETRY_MAX_SECONDS)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_outbox_message(self, message_id: int) -> str:
    max_attempts = settings.OUTBOX_MAX_ATTEMPTS
    result = email_deliver(message_id=message_id, max_attempts=max_attempts)
    # In-process (embedded default) there is no broker to wait on: try again at once.
    while result.retry and self.request.is_eager:
        result = email_deliver(message_id=message_id, max_attempts=max_attempts)
    if result.retry:
        raise self.retry(countdown=_backoff(self.request.retries))
    return result.status


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_outbox_batch(message_ids: list[int]) -> int:
    """Send a batch over one connection; a message refused for now goes on retrying on its
    own (``deliver_outbox_message``) from the first backoff step."""
    retry = email_deliver_batch(message_ids=message_ids, max_attempts=settings.OUTBOX_MAX_ATTEMPTS)
    for message_id in retry:
        if deliver_outbox_batch.request.is_eager:
            deliver_outbox_message.delay(message_id)
        else:
            deliver_outbox_message.apply_async((message_id,), countdown=_backoff(0))
    return len(message_ids) - len(retry)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_outbox() -> int:
    return outbox_sweep()
