"""What campaigns ask of the one outbox: bulk queueing once per key, batches over one SMTP
connection, retries with backoff then a visible failure, the sweep, the local rate limit."""

from __future__ import annotations

import time

import pytest

from procurement_portal.outbox import tasks
from procurement_portal.outbox.models import MessageStatus, OutboxMessage
from procurement_portal.outbox.ratelimit import LocalLimiter
from procurement_portal.outbox.services import EmailSpec, emails_enqueue_many, outbox_sweep


def _specs(n: int, prefix: str = "t") -> list[EmailSpec]:
    return [
        EmailSpec(
            key=f"{prefix}:{i}",
            to=f"p{i}@supplier.example",
            template="notice",
            context={"subject": f"S{i}", "greeting": "Hi", "message": "M", "link": ""},
        )
        for i in range(n)
    ]


@pytest.mark.django_db(transaction=True)
def test_bulk_queue_sends_each_key_once_over_one_connection(smtp_server, settings):
    settings.OUTBOX_BATCH_SIZE = 10
    first = emails_enqueue_many(messages=_specs(25), group="g:1")
    again = emails_enqueue_many(messages=_specs(25), group="g:1")

    received = smtp_server.wait_for(25, timeout=10)
    assert len(first) == 25 and again == []
    assert sorted(m["To"] for m in received) == sorted(f"p{i}@supplier.example" for i in range(25))
    assert OutboxMessage.objects.filter(group="g:1", status=MessageStatus.SENT).count() == 25


@pytest.mark.django_db(transaction=True)
def test_refused_batch_message_is_retried_then_failed_and_resendable(smtp_server, settings):
    from procurement_portal.outbox.services import email_resend

    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_server.reject = True
    [pk] = emails_enqueue_many(messages=_specs(1, "r"))
    message = OutboxMessage.objects.get(pk=pk)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert "451" in message.last_error
    smtp_server.reject = False
    email_resend(message_id=pk)
    assert len(smtp_server.wait_for(1, timeout=5)) == 1


def test_backoff_doubles_up_to_the_maximum(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 600
    assert [tasks._backoff(n) for n in range(6)] == [30, 60, 120, 240, 480, 600]


@pytest.mark.django_db(transaction=True)
def test_sweep_hands_out_messages_whose_task_was_lost(smtp_server, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    OutboxMessage.objects.create(key="lost:1", to="x@supplier.example", subject="s", body_text="b")
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 3600
    assert outbox_sweep() == 0  # just queued: its task may still come
    settings.OUTBOX_SWEEP_AFTER_SECONDS = -1
    assert outbox_sweep() == 1
    assert [m["To"] for m in smtp_server.wait_for(1, timeout=5)] == ["x@supplier.example"]
    assert outbox_sweep() == 0


def test_local_limiter_spaces_messages():
    limiter = LocalLimiter(rate=50, burst=1)
    start = time.monotonic()
    for _ in range(11):
        limiter.acquire()
    assert time.monotonic() - start >= 0.19  # 10 intervals of 20 ms
