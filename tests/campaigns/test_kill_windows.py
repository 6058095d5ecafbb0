"""The three moments a worker can die while sending one e-mail, each made to happen
exactly, with a real Celery worker SIGKILLed (with its pool) and a new one taking over.

* before its claim commits: the message was never handed to the server; sent once;
* inside the SMTP answer (the server has accepted the message and said 250, the worker
  has not recorded it): sent again after the claim timeout, so two copies, both with the
  same Message-ID, and the row and the campaign's progress page count it;
* after its confirm: that message is sent once and counts as nothing; the next message,
  claimed but not yet accepted, is sent again and counted as unconfirmed (it may have
  been delivered as far as the portal can know).

The claim timeout is short here (11 s, EMAIL_TIMEOUT 2 s); the test process plays beat,
asking the worker to sweep the outbox every half second.
"""

from __future__ import annotations

import asyncio
import csv
import re
import threading
import time
from collections import Counter

import pytest

from assessments.campaigns import services
from assessments.models import CampaignStatus
from procurement_portal.outbox.models import MessageStatus, OutboxMessage
from procurement_portal.outbox.services import message_id_for

from .helpers import draft, suppliers_with_contacts
from .test_worker import FAST_REDELIVERY
from .workers import Beat, kill_hard

pytestmark = pytest.mark.redis

WINDOW_ENV = {
    **FAST_REDELIVERY,
    "EMAIL_TIMEOUT": "2",
    "OUTBOX_CLAIM_TIMEOUT_SECONDS": "11",
    "OUTBOX_SWEEP_AFTER_SECONDS": "1",
}


@pytest.fixture
def worker_env(smtp_server):
    return {"EMAIL_URL": smtp_server.url, **WINDOW_ENV}


class Window:
    """Makes the sink stop at its ``nth`` DATA: with ``accept`` after storing the message
    and sending the first line of a 250 answer ("250-..."), so the client has the server's
    acceptance in part and waits for the rest; without, before any answer. ``reached`` is
    set at that moment; the answer is finished (or the connection dropped) on ``release``."""

    def __init__(self, sink, *, nth: int, accept: bool):
        self.sink, self.nth, self.accept = sink, nth, accept
        self.seen = 0
        self.reached = threading.Event()
        self.release = threading.Event()
        self.original = sink.handle_DATA
        sink.handle_DATA = self.handle_DATA

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen != self.nth:
            return await self.original(server, session, envelope)
        if self.accept:
            await self.original(server, session, envelope)  # stored: the server has it
            await server.push("250-2.0.0 Accepted")
        self.reached.set()
        while not self.release.is_set():
            await asyncio.sleep(0.02)
        return "250 2.0.0 OK" if self.accept else "451 4.3.0 going away"


def _wait(predicate, *, timeout: float, what: str, log=lambda: ""):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen in {timeout} s\n{log()[-4000:]}")
        time.sleep(0.05)


def _plain_messages(n: int) -> list[OutboxMessage]:
    """Rows queued without any delivery task (the test hands them out itself)."""
    return [
        OutboxMessage.objects.create(
            key=f"window:{i}", to=f"w{i}@supplier.example", subject=f"S{i}", body_text="b"
        )
        for i in range(n)
    ]


def _kill(worker, window=None):
    kill_hard(worker.proc.pid)
    worker.proc.wait(timeout=10)
    if window is not None:
        window.release.set()


def test_killed_inside_the_smtp_answer_two_copies_same_message_id_counted(
    campaign_workers, smtp_server, buyer, client
):
    # given: a campaign of three suppliers, and a server that stops inside its answer to
    # the second message, having accepted it
    suppliers_with_contacts(3)
    campaign = draft(buyer)
    window = Window(smtp_server, nth=2, accept=True)
    first = campaign_workers("first")
    services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    assert window.reached.wait(60), first.output()[-3000:]
    held = OutboxMessage.objects.get(status=MessageStatus.SENDING)
    # when: the worker is killed at that moment, and a new one takes over
    _kill(first, window)
    with Beat():
        second = campaign_workers("second")
        invitations = OutboxMessage.objects.filter(group=campaign.outbox_group)
        _wait(
            lambda: invitations.filter(status=MessageStatus.SENT).count() == 3,
            timeout=90,
            what="every invitation sent",
            log=second.output,
        )
    # then: the held contact has two copies, the same message to its mail system
    received = list(smtp_server.messages)
    per_recipient = Counter(m["To"] for m in received)
    assert per_recipient[held.to] == 2 and sorted(per_recipient.values()) == [1, 1, 2]
    copies = [m for m in received if m["To"] == held.to]
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"] == message_id_for(held.key)
    assert copies[0]["Date"] == copies[1]["Date"]
    assert copies[0]["X-Portal-Outbox-Key"] == held.key
    # and the row says it was sent again after an unconfirmed attempt
    held.refresh_from_db()
    assert (held.status, held.attempts, held.unconfirmed_attempts) == ("sent", 2, 1)
    events = [entry["event"] for entry in held.history]
    assert events == ["sending", "unconfirmed", "sending", "sent"]
    assert invitations.filter(unconfirmed_attempts__gt=0).count() == 1
    # and the progress page and the CSV count that one contact
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHED
    client.force_login(buyer)
    page = client.get(f"/assessments/campaigns/{campaign.pk}/progress/").content.decode()
    assert re.search(r'id="count-unconfirmed">\s*1\s*<', page)
    response = client.get(f"/assessments/campaigns/{campaign.pk}/suppliers.csv")
    rows = list(csv.reader(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()))
    assert rows[0][-1] == "Sent again after an unconfirmed attempt"
    assert sorted(row[-1] for row in rows[1:]) == ["0", "0", "1"]


def test_killed_before_the_claim_commits_the_message_is_sent_once(
    campaign_workers, smtp_server, settings
):
    import psycopg2
    from django.db import connection

    # given: a queued message, and the outbox table locked against writes so that the
    # worker's claim (select, then update) stops inside its transaction
    [message] = _plain_messages(1)
    sd = connection.settings_dict
    locker = psycopg2.connect(
        dbname=sd["NAME"], user=sd["USER"] or "postgres", host=sd["HOST"] or "127.0.0.1",
        port=sd["PORT"] or 5432, password=sd["PASSWORD"] or None,
    )  # fmt: skip
    first = campaign_workers("first")
    try:
        with locker.cursor() as cur:
            cur.execute("LOCK TABLE outbox_outboxmessage IN SHARE MODE")
            from procurement_portal.outbox.tasks import deliver_outbox_due

            deliver_outbox_due.delay()

            def claim_waiting() -> bool:
                with connection.cursor() as c:
                    c.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        " AND query LIKE 'UPDATE %outbox_outboxmessage%'"
                    )
                    return c.fetchone()[0] == 1

            _wait(claim_waiting, timeout=30, what="the claim waiting", log=first.output)
            # when: the worker is killed inside its claim
            _kill(first)
        locker.rollback()
    finally:
        locker.close()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claimed_at) == ("queued", 0, None)
    with Beat():
        second = campaign_workers("second")
        _wait(
            lambda: OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 1,
            timeout=60,
            what="the message sent",
            log=second.output,
        )
    time.sleep(1)
    # then: one copy, nothing counted as unconfirmed
    assert [m["To"] for m in smtp_server.messages] == [message.to]
    message.refresh_from_db()
    assert (message.attempts, message.unconfirmed_attempts) == (1, 0)


def test_killed_after_the_confirm_that_message_is_sent_once(campaign_workers, smtp_server):
    from procurement_portal.outbox.tasks import deliver_outbox_due

    # given: two queued messages; the server stops on the second before answering
    confirmed, claimed = _plain_messages(2)
    window = Window(smtp_server, nth=2, accept=False)
    first = campaign_workers("first")
    deliver_outbox_due.delay()
    assert window.reached.wait(60), first.output()[-3000:]
    confirmed.refresh_from_db()
    assert confirmed.status == MessageStatus.SENT  # confirmed before the next claim
    # when: the worker is killed then
    _kill(first, window)
    with Beat():
        second = campaign_workers("second")
        _wait(
            lambda: OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 2,
            timeout=90,
            what="both sent",
            log=second.output,
        )
    time.sleep(1)
    # then: each has one copy; the confirmed one counts as nothing, the claimed one was
    # sent again after its unconfirmed attempt (the server had refused it: one copy)
    assert sorted(m["To"] for m in smtp_server.messages) == [confirmed.to, claimed.to]
    confirmed.refresh_from_db()
    claimed.refresh_from_db()
    assert (confirmed.attempts, confirmed.unconfirmed_attempts) == (1, 0)
    assert (claimed.attempts, claimed.unconfirmed_attempts) == (2, 1)
