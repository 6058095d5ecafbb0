"""Delivery of outbox messages: a thin task around the service, retried with backoff."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .services import email_deliver


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_outbox_message(self, message_id: int) -> str:
    max_attempts = settings.OUTBOX_MAX_ATTEMPTS
    result = email_deliver(message_id=message_id, max_attempts=max_attempts)
    # In-process (embedded default) there is no broker to wait on: try again at once.
    while result.retry and self.request.is_eager:
        result = email_deliver(message_id=message_id, max_attempts=max_attempts)
    if result.retry:
        countdown = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (self.request.retries or 0)
        raise self.retry(countdown=min(countdown, 3600))
    return result.status
