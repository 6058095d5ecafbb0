"""The e-mail outbox, over real SMTP: once per key, in the reader's language, retried
when the server says 'later', failures kept visible and resendable."""

from __future__ import annotations

import time

import pytest

from procurement_portal.outbox.models import MessageStatus, OutboxMessage
from procurement_portal.outbox.services import email_enqueue, email_resend


def _notice(key: str, *, to: str = "taro@supplier.example", language: str = "en"):
    return email_enqueue(
        key=key,
        to=to,
        template="notice",
        language=language,
        context={
            "subject": "Your self-assessment is due",
            "greeting": "Dear supplier,",
            "message": "Please answer by 30 June.",
            "link": "http://127.0.0.1:8000/",
        },
    )


@pytest.mark.django_db(transaction=True)
def test_message_is_delivered_once_however_often_it_is_asked_for(smtp_server):
    first = _notice("test:1:notice")
    again = _notice("test:1:notice")

    assert first.pk == again.pk
    assert OutboxMessage.objects.count() == 1
    received = smtp_server.wait_for(1, timeout=5)
    assert len(received) == 1
    assert received[0]["To"] == "taro@supplier.example"
    assert received[0]["Subject"] == "Your self-assessment is due"
    assert "Please answer by 30 June." in received[0].get_body(("plain",)).get_content()
    assert received[0].get_body(("html",)) is not None
    first.refresh_from_db()
    assert first.status == MessageStatus.SENT and first.sent_at and first.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_message_is_written_in_the_recipients_language(smtp_server):
    _notice("test:2:notice", language="ja")
    [msg] = smtp_server.wait_for(1, timeout=5)
    html = msg.get_body(("html",)).get_content()
    assert 'lang="ja"' in html


@pytest.mark.django_db(transaction=True)
def test_server_saying_later_is_retried_then_failure_is_kept_and_resend_works(
    smtp_server, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_server.reject = True

    message = _notice("test:3:notice")

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 3
    assert "451" in message.last_error
    assert smtp_server.messages == []

    smtp_server.reject = False
    email_resend(message_id=message.pk)
    assert len(smtp_server.wait_for(1, timeout=5)) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.last_error == ""


@pytest.mark.django_db(transaction=True)
def test_unreachable_server_fails_visibly(settings):
    from tests.services import _free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    settings.OUTBOX_MAX_ATTEMPTS = 2

    message = _notice("test:4:notice")

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "ConnectionRefusedError" in message.last_error


@pytest.fixture
def worker_env(smtp_server):
    return {"EMAIL_URL": smtp_server.url}


@pytest.mark.redis
def test_a_real_worker_delivers_over_smtp_exactly_once(celery_worker, smtp_server):
    for n in range(5):
        _notice(f"test:worker:{n}", to=f"person{n}@supplier.example")
    _notice("test:worker:0", to="person0@supplier.example")  # asked twice

    received = smtp_server.wait_for(5, timeout=30)

    assert sorted(m["To"] for m in received) == [f"person{n}@supplier.example" for n in range(5)]
    # The server has the fifth message a moment before the worker commits "sent": wait for
    # the confirmation rather than race it.
    deadline = time.monotonic() + 30
    while OutboxMessage.objects.filter(status=MessageStatus.SENT).count() < 5:
        assert time.monotonic() < deadline, "the worker never confirmed all five as sent"
        time.sleep(0.1)
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 5
