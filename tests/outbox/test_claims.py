"""Claim, send, confirm: what the outbox records at each step, the one Message-ID of a
message, stale claims taken over only after the claim timeout, and the sweep."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.utils import timezone

from procurement_portal.outbox.models import MessageStatus, OutboxMessage
from procurement_portal.outbox.services import (
    email_deliver,
    email_deliver_due,
    message_id_for,
    outbox_sweep,
)
from tests.services import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


def _row(key: str = "claims:1", **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        key=key, to=fields.pop("to", "hana@supplier.example"), subject="S", body_text="B", **fields
    )


def test_message_id_is_derived_from_the_key_and_the_senders_domain(settings):
    settings.DEFAULT_FROM_EMAIL = "Portal <noreply@portal.example.com>"
    first = message_id_for("campaign:1:invite:7")
    assert first == message_id_for("campaign:1:invite:7")
    assert first != message_id_for("campaign:1:invite:8")
    assert first.startswith("<") and first.endswith("@portal.example.com>")
    assert len(first.split("@")[0]) == 33  # "<" and 32 hex digits


def test_a_sent_message_carries_its_identity_and_history(smtp_server):
    message = _row()
    result = email_deliver(message_id=message.pk, max_attempts=5)
    assert result.status == MessageStatus.SENT
    [received] = smtp_server.wait_for(1, timeout=5)
    message.refresh_from_db()
    assert received["Message-ID"] == message_id_for(message.key)
    assert received["X-Portal-Outbox-Key"] == message.key
    assert received["Date"].datetime == message.created_at.replace(microsecond=0)
    assert (message.status, message.attempts, message.unconfirmed_attempts) == ("sent", 1, 0)
    assert message.claimed_by and message.claimed_at and message.sent_at
    assert [e["event"] for e in message.history] == ["sending", "sent"]


def test_a_live_claim_is_never_taken_a_stale_one_is_sent_again_and_counted(smtp_server, settings):
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 120
    now = timezone.now()
    live = _row("claims:live", status=MessageStatus.SENDING, attempts=1, claimed_at=now)
    stale = _row(
        "claims:stale",
        to="stale@supplier.example",
        status=MessageStatus.SENDING,
        attempts=1,
        claimed_at=now - dt.timedelta(seconds=121),
        claimed_by="dead-host:123",
    )
    claimed, retry = email_deliver_due(max_attempts=5, limit=10)
    assert (claimed, retry) == (1, [])
    assert [m["To"] for m in smtp_server.wait_for(1, timeout=5)] == ["stale@supplier.example"]
    live.refresh_from_db()
    stale.refresh_from_db()
    assert live.status == MessageStatus.SENDING and live.attempts == 1
    assert (stale.status, stale.attempts, stale.unconfirmed_attempts) == ("sent", 2, 1)
    assert [e["event"] for e in stale.history] == ["unconfirmed", "sending", "sent"]
    assert stale.history[0]["by"] == "dead-host:123"


def test_one_batch_sends_again_every_claim_a_killed_pool_left(smtp_server, settings):
    # given: a worker with three pool processes killed, each inside an SMTP exchange, and
    # a message still waiting (the campaign's last), and one a live worker holds
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 120
    dead_at = timezone.now() - dt.timedelta(seconds=125)
    for i in range(3):
        _row(
            f"claims:dead:{i}",
            to=f"dead{i}@supplier.example",
            status=MessageStatus.SENDING,
            attempts=1,
            claimed_at=dead_at,
            claimed_by=f"dead-host:{i}",
        )
    _row("claims:waiting", to="waiting@supplier.example")
    _row("claims:live", to="live@supplier.example", status=MessageStatus.SENDING, attempts=1,
         claimed_at=timezone.now())  # fmt: skip
    # when: the sweep's one delivery task runs
    claimed, retry = email_deliver_due(max_attempts=5, limit=50)
    # then: all three are sent again by it (not one per sweep), and the waiting one too
    assert (claimed, retry) == (4, [])
    received = sorted(m["To"] for m in smtp_server.wait_for(4, timeout=5))
    assert received == [
        "dead0@supplier.example", "dead1@supplier.example", "dead2@supplier.example",
        "waiting@supplier.example",
    ]  # fmt: skip
    again = OutboxMessage.objects.filter(key__startswith="claims:dead:")
    assert set(again.values_list("status", "unconfirmed_attempts")) == {("sent", 1)}
    assert OutboxMessage.objects.get(key="claims:live").status == MessageStatus.SENDING


def test_a_message_interrupted_at_every_attempt_fails_visibly(settings):
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 120
    message = _row(
        status=MessageStatus.SENDING,
        attempts=3,
        claimed_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert email_deliver_due(max_attempts=3, limit=10) == (0, [])
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.unconfirmed_attempts == 1
    assert "may have been delivered" in message.last_error


def test_a_message_waiting_for_its_retry_is_not_sent_early(smtp_server):
    _row(next_attempt_at=timezone.now() + dt.timedelta(minutes=5))
    assert email_deliver_due(max_attempts=5, limit=10) == (0, [])
    assert smtp_server.messages == []


def test_sweep_starts_delivery_for_stale_claims_and_long_due_messages(smtp_server, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 60
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 120
    now = timezone.now()
    _row("claims:fresh", to="fresh@supplier.example")  # its task may still come
    _row(
        "claims:stale",
        to="stale@supplier.example",
        status=MessageStatus.SENDING,
        attempts=1,
        claimed_at=now - dt.timedelta(minutes=3),
    )
    _row(
        "claims:late",
        to="late@supplier.example",
        next_attempt_at=now - dt.timedelta(minutes=2),
    )
    assert outbox_sweep() == 2
    received = sorted(m["To"] for m in smtp_server.wait_for(3, timeout=5))
    # the delivery it started sends whatever is due, the fresh message included
    assert received == ["fresh@supplier.example", "late@supplier.example", "stale@supplier.example"]
    assert outbox_sweep() == 0


def test_the_beat_schedule_recovers_in_minutes_with_the_defaults(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["outbox-sweep"]["schedule"] <= 120
    assert schedule["campaigns-watch"]["schedule"] <= 120
    worst_message = settings.OUTBOX_CLAIM_TIMEOUT_SECONDS + schedule["outbox-sweep"]["schedule"]
    worst_chunk = settings.CAMPAIGN_STALLED_SECONDS + schedule["campaigns-watch"]["schedule"]
    assert worst_message < 300 and worst_chunk < 300


@pytest.mark.django_db(transaction=False)
def test_beats_schedules_are_in_one_place(settings):
    # every sweep and watch is an entry of settings.CELERY_BEAT_SCHEDULE, and no module of
    # the portal schedules periodic work of its own
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "procurement_portal.outbox.tasks.sweep_outbox",
        "procurement_portal.documents.tasks.sweep_documents",
        "assessments.tasks.campaigns_watch",
        "assessments.tasks.campaigns_tick",
    } <= schedule
    skipped = {"node_modules", "tests", "bench", "media", "static", "staticfiles", "locale"}
    code = [
        path
        for top in ROOT.iterdir()
        if top.is_dir() and not top.name.startswith(".") and top.name not in skipped
        for path in top.rglob("*.py")
    ]
    assert any(path.name == "celery.py" for path in code)
    elsewhere = [
        str(path.relative_to(ROOT))
        for path in code
        if path.name != "settings.py"
        and any(
            word in path.read_text(errors="replace")
            for word in ("add_periodic_task", "beat_schedule", "CELERY_BEAT_SCHEDULE =")
        )
    ]
    assert elsewhere == []


@pytest.mark.django_db(transaction=False)
def test_a_claim_timeout_a_live_worker_could_outlast_is_refused():
    env = {
        **os.environ,
        "EMAIL_TIMEOUT": "30",
        "OUTBOX_CLAIM_TIMEOUT_SECONDS": "120",
        "DJANGO_SETTINGS_MODULE": "procurement_portal.settings",
    }
    proc = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "OUTBOX_CLAIM_TIMEOUT_SECONDS must be longer than 5 x EMAIL_TIMEOUT" in proc.stderr


def test_an_answer_lost_on_the_line_is_counted_like_a_dead_worker(smtp_server, settings):
    # given: a server that takes the first message and then drops the line instead of
    # answering, as a network failure would
    settings.OUTBOX_MAX_ATTEMPTS = 3
    original = smtp_server.handle_DATA
    dropped = []

    async def drop_first(server, session, envelope):
        result = await original(server, session, envelope)
        if not dropped:
            dropped.append(True)
            server.transport.close()
        return result

    smtp_server.handle_DATA = drop_first
    message = _row()
    # when: it is delivered (in-process, retried at once)
    from procurement_portal.outbox.tasks import deliver_outbox_message

    settings.CELERY_TASK_ALWAYS_EAGER = True
    deliver_outbox_message.delay(message.pk)
    # then: two copies, one Message-ID, and the row counts the unconfirmed attempt
    copies = smtp_server.wait_for(2, timeout=5)
    assert [m["Message-ID"] for m in copies] == [message_id_for(message.key)] * 2
    message.refresh_from_db()
    assert (message.status, message.attempts, message.unconfirmed_attempts) == ("sent", 2, 1)
    assert [e["event"] for e in message.history] == [
        "sending", "unconfirmed", "retry", "sending", "sent"
    ]  # fmt: skip


def test_a_refusal_is_not_counted_as_unconfirmed(smtp_server, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    smtp_server.reject = True
    message = _row()
    email_deliver(message_id=message.pk, max_attempts=2, force=True)
    message.refresh_from_db()
    assert (message.status, message.unconfirmed_attempts) == ("queued", 0)
    assert "451" in message.last_error


def test_the_outbox_admin_shows_and_filters_messages_sent_again(login, admin_user):
    # given: one message sent plainly, one sent again after a worker died in its SMTP answer
    _row("claims:plain", to="plain@supplier.example", status=MessageStatus.SENT, attempts=1)
    again = _row(
        "claims:again",
        to="again@supplier.example",
        status=MessageStatus.SENT,
        attempts=2,
        unconfirmed_attempts=1,
        history=[
            {"event": "sending", "by": "dead-host:1", "attempt": 1},
            {"event": "unconfirmed", "by": "dead-host:1", "attempt": 1},
            {"event": "sending", "by": "live-host:2", "attempt": 2},
            {"event": "sent", "by": "live-host:2", "attempt": 2},
        ],
    )
    client = login(admin_user)
    # when: the administrator opens the outbox, then filters it
    listing = client.get("/admin/outbox/outboxmessage/").content.decode()
    filtered = client.get("/admin/outbox/outboxmessage/?unconfirmed=yes").content.decode()
    detail = client.get(f"/admin/outbox/outboxmessage/{again.pk}/change/").content.decode()
    # then: the count is a column and a filter that names how many, and the row tells why
    assert "Sent again after an unconfirmed attempt" in listing
    assert "Yes (1)" in listing
    assert "again@supplier.example" in filtered and "plain@supplier.example" not in filtered
    assert "unconfirmed" in detail and "dead-host:1" in detail
