"""Campaigns run by real Celery workers on the real Redis broker, e-mail over real SMTP.

The worker is killed with SIGKILL in the middle of a campaign; a new one takes over, and
every contact still receives its invitation, once when the worker did not die inside the
SMTP server's answer (test_kill_windows.py shows that window).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections import Counter

import pytest

from assessments.campaigns import services
from assessments.models import Assessment, CampaignStatus, CampaignSupplier
from procurement_portal.outbox.models import MessageStatus, OutboxMessage

from .helpers import draft, suppliers_with_contacts
from .workers import Beat, kill_hard

pytestmark = pytest.mark.redis

# Short broker timings so that a dead worker's task is handed over within seconds; the
# settings refuse a visibility timeout shorter than the task time limit and retry wait.
FAST_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": "6",
    "CELERY_TASK_TIME_LIMIT": "5",
    "CELERY_TASK_SOFT_TIME_LIMIT": "4",
    "OUTBOX_RETRY_MAX_SECONDS": "2",
    "OUTBOX_RETRY_BASE_SECONDS": "1",
    "OUTBOX_SEND_RATE_PER_SECOND": "0",
    "CAMPAIGN_CHUNK_SIZE": "20",
    "OUTBOX_BATCH_SIZE": "20",
    # A claim left by the killed worker is taken again after 11 s (EMAIL_TIMEOUT must be
    # under a fifth of it), and due messages nobody sends are swept after 1 s.
    "EMAIL_TIMEOUT": "2",
    "OUTBOX_CLAIM_TIMEOUT_SECONDS": "11",
    "OUTBOX_SWEEP_AFTER_SECONDS": "1",
}


@pytest.fixture
def worker_env(smtp_server):
    return {"EMAIL_URL": smtp_server.url, **FAST_REDELIVERY}


def _after_visibility_timeout() -> None:
    """Let the dead worker's unacknowledged task pass the visibility timeout before the new
    worker starts: kombu's Redis transport looks for such tasks when a worker starts and
    then only every 100 s, so starting it earlier would only make the test slower."""
    time.sleep(int(FAST_REDELIVERY["CELERY_VISIBILITY_TIMEOUT"]) + 1)


def _wait(predicate, *, timeout: float, what: str, log=lambda: ""):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen in {timeout} s\n{log()}")
        time.sleep(0.02)


def test_worker_killed_mid_campaign_every_contact_gets_exactly_one_invitation(
    campaign_workers, smtp_server, buyer
):
    # given: 300 suppliers with one contact each, and a campaign for all of them
    suppliers_with_contacts(300)
    campaign = draft(buyer)
    first = campaign_workers("first")
    # when: it is launched, and the worker is killed outright halfway through the chunks
    services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    assert not OutboxMessage.objects.exists()  # nothing done in this process
    invited = CampaignSupplier.objects.filter(campaign=campaign, invited_at__isnull=False)
    _wait(lambda: invited.count() >= 100, timeout=60, what="100 invited", log=first.output)
    kill_hard(first.proc.pid)
    first.proc.wait(timeout=10)
    done_when_killed = invited.count()
    assert done_when_killed < 300, "the campaign finished before the kill: nothing was proven"
    # and a new worker starts on the same queue
    _after_visibility_timeout()
    second = campaign_workers("second")
    smtp_server.wait_for(300, timeout=120)
    time.sleep(2)  # anything sent twice would arrive now
    received = list(smtp_server.messages)
    # then: every contact got exactly one invitation, every supplier one assessment
    per_recipient = Counter(m["To"] for m in received)
    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    assert len(per_recipient) == 300, (statuses, invited.count(), second.output()[-3000:])
    assert set(per_recipient.values()) == {1}
    assert Assessment.objects.count() == 300
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 300
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHED
    assert "Please submit it by" in received[0].get_body(("plain",)).get_content() or (
        "までに" in received[0].get_body(("plain",)).get_content()
    )


def test_worker_killed_while_sending_loses_nothing_and_sends_nothing_twice(
    campaign_workers, smtp_server, buyer
):
    # given: a campaign of 60 whose invitations are being sent
    suppliers_with_contacts(60)
    campaign = draft(buyer)
    first = campaign_workers("first")
    # when: the worker is killed while the SMTP server is receiving the 25th message (the
    # server has not said "250 OK" yet, so the message is not accepted; its claim is
    # committed, so the portal cannot know that)
    original = smtp_server.handle_DATA
    killed = []

    async def kill_at_25th(server, session, envelope):
        if len(smtp_server.messages) == 24 and not killed:
            killed.append(True)
            kill_hard(first.proc.pid)
            return "421 4.3.0 going away"
        return await original(server, session, envelope)

    smtp_server.handle_DATA = kill_at_25th
    services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    _wait(lambda: bool(killed), timeout=60, what="the kill", log=first.output)
    first.proc.wait(timeout=10)
    assert len(smtp_server.messages) == 24
    interrupted = OutboxMessage.objects.get(status=MessageStatus.SENDING)
    with Beat():
        second = campaign_workers("second")
        smtp_server.wait_for(60, timeout=120)
        time.sleep(2)
    # then: one copy each; the interrupted message was sent again after its claim timed
    # out, and is counted as unconfirmed (as far as the portal knows, it may have gone)
    per_recipient = Counter(m["To"] for m in smtp_server.messages)
    assert len(per_recipient) == 60, second.output()[-3000:]
    assert set(per_recipient.values()) == {1}
    interrupted.refresh_from_db()
    assert (interrupted.status, interrupted.unconfirmed_attempts) == ("sent", 1)
    assert OutboxMessage.objects.filter(unconfirmed_attempts__gt=0).count() == 1


LIMITER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from procurement_portal.outbox.ratelimit import RedisLimiter
    limiter = RedisLimiter({url!r}, rate=10, burst=1, key={key!r})
    for _ in range(15):
        limiter.acquire()
        print(time.time(), flush=True)
    """
)


def test_send_rate_limit_holds_across_two_processes(tmp_path):
    from tests.services import ROOT, _redis_url

    url = _redis_url()
    key = f"test:rate:{tmp_path.name}"
    script = LIMITER_SCRIPT.format(root=str(ROOT), url=url, key=key)
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    stamps = sorted(float(line) for p in procs for line in p.communicate(timeout=60)[0].split())
    assert len(stamps) == 30
    # 30 messages at 10 per second for both together: about 3 s, not 1.5 s (per process)
    assert stamps[-1] - stamps[0] >= 2.7
    for i in range(len(stamps) - 11):
        assert stamps[i + 11] - stamps[i] >= 1.0, "more than 11 sends within one second"
