"""A launch whose chunks were lost with a killed worker is handed out again within
minutes by beat's watch, and never while a chunk is at work on it."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from assessments.campaigns import services
from assessments.models import Campaign, CampaignStatus, CampaignSupplier

from .helpers import draft, suppliers_with_contacts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lost_launch(buyer, settings):
    """A launching campaign whose target list is fixed and whose chunk tasks are gone."""
    settings.CELERY_TASK_ALWAYS_EAGER = False  # nothing runs: the tasks are "lost"
    suppliers_with_contacts(3)
    campaign = draft(buyer)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.LAUNCHING, launched_by=buyer, launched_at=timezone.now()
    )
    services.campaign_prepare(campaign_id=campaign.pk)
    return campaign


def _age(campaign, seconds: int) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_a_launch_with_no_progress_is_handed_out_again_once_per_period(lost_launch, settings):
    settings.CAMPAIGN_STALLED_SECONDS = 240
    _age(lost_launch, 100)
    assert services.campaigns_stalled() == []  # may be waiting in the broker still
    _age(lost_launch, 241)
    assert services.campaigns_stalled() == [lost_launch.pk]
    assert services.campaigns_stalled() == []  # handed out: wait for progress again


def test_a_launch_with_a_chunk_at_work_is_left_alone(lost_launch, settings):
    settings.CAMPAIGN_STALLED_SECONDS = 240
    _age(lost_launch, 1000)
    row = CampaignSupplier.objects.filter(campaign=lost_launch).first()
    sd = connection.settings_dict
    worker = psycopg2.connect(
        dbname=sd["NAME"], user=sd["USER"] or "postgres", host=sd["HOST"] or "127.0.0.1",
        port=sd["PORT"] or 5432, password=sd["PASSWORD"] or None,
    )  # fmt: skip
    try:
        with worker.cursor() as cur:  # a chunk's transaction holds its rows
            cur.execute(
                "SELECT id FROM assessments_campaignsupplier WHERE id = %s FOR UPDATE", [row.pk]
            )
            assert services.campaigns_stalled() == []
        worker.rollback()  # the worker died: its transaction is gone
    finally:
        worker.close()
    assert services.campaigns_stalled() == [lost_launch.pk]


def test_the_watch_task_restarts_the_launch_and_it_completes(
    lost_launch, settings, django_capture_on_commit_callbacks
):
    from assessments.tasks import campaigns_watch

    settings.CAMPAIGN_STALLED_SECONDS = 240
    _age(lost_launch, 241)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns_watch() == 1
    lost_launch.refresh_from_db()
    assert lost_launch.status == CampaignStatus.LAUNCHED
    assert not CampaignSupplier.objects.filter(
        campaign=lost_launch, invited_at__isnull=True
    ).exists()


# --- a real worker killed inside a chunk, with the broker's default visibility timeout ---


@pytest.fixture
def worker_env(smtp_server):
    return {
        "EMAIL_URL": smtp_server.url,
        # The broker's default: a dead worker's task comes back from Redis only after an
        # hour and a half, far beyond this test, so only beat's watch can hand it out.
        "CELERY_VISIBILITY_TIMEOUT": "5400",
        "CAMPAIGN_CHUNK_SIZE": "20",
        "CAMPAIGN_STALLED_SECONDS": "3",
        "OUTBOX_BATCH_SIZE": "20",
        "OUTBOX_SEND_RATE_PER_SECOND": "0",
        "OUTBOX_SWEEP_AFTER_SECONDS": "1",
        "EMAIL_TIMEOUT": "2",
        "OUTBOX_CLAIM_TIMEOUT_SECONDS": "11",
    }


@pytest.mark.redis
def test_a_chunk_lost_with_a_killed_worker_is_handed_out_by_the_watch_not_the_broker(
    campaign_workers, smtp_server, buyer
):
    import time
    from collections import Counter

    from assessments.models import Assessment
    from procurement_portal.outbox.models import MessageStatus, OutboxMessage

    from .workers import Beat, kill_hard

    def wait(predicate, *, timeout: float, what: str, log=lambda: ""):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                pytest.fail(f"{what} did not happen in {timeout} s\n{log()[-4000:]}")
            time.sleep(0.05)

    # given: a campaign of 60 suppliers (three chunks), and the outbox table locked against
    # writes, so that the first chunk stops inside its transaction, its rows locked
    suppliers_with_contacts(60)
    campaign = draft(buyer)
    sd = connection.settings_dict
    locker = psycopg2.connect(
        dbname=sd["NAME"], user=sd["USER"] or "postgres", host=sd["HOST"] or "127.0.0.1",
        port=sd["PORT"] or 5432, password=sd["PASSWORD"] or None,
    )  # fmt: skip
    first = campaign_workers("first")
    try:
        with locker.cursor() as cur:
            cur.execute("LOCK TABLE outbox_outboxmessage IN SHARE MODE")
            services.campaign_launch(actor=buyer, campaign_id=campaign.pk)

            def chunk_waiting() -> bool:
                with connection.cursor() as c:
                    c.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        " AND query LIKE 'INSERT INTO %outbox_outboxmessage%'"
                    )
                    return c.fetchone()[0] == 1

            wait(chunk_waiting, timeout=60, what="the first chunk at work", log=first.output)
            # when: the worker is killed with its pool inside that chunk
            kill_hard(first.proc.pid)
            first.proc.wait(timeout=10)
        locker.rollback()
    finally:
        locker.close()
    invited = CampaignSupplier.objects.filter(campaign=campaign, invited_at__isnull=False)
    assert invited.count() == 0  # the dead worker's chunk never committed
    # and a new worker starts, with beat's outbox sweep and campaigns' watch
    with Beat(watch_launches=True):
        second = campaign_workers("second")
        wait(
            lambda: Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.LAUNCHED,
            timeout=90,
            what="the launch completed",
            log=second.output,
        )
        smtp_server.wait_for(60, timeout=60)
        time.sleep(1.5)  # anything sent twice would arrive now
    # then: the lost chunk was handed out again by the watch (the broker still holds it)
    assert "launch stalled, handing it out again" in second.output()
    assert invited.count() == 60 and Assessment.objects.count() == 60
    # and every contact has exactly one invitation
    per_recipient = Counter(m["To"] for m in smtp_server.messages)
    assert len(per_recipient) == 60 and set(per_recipient.values()) == {1}
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 60
    assert not OutboxMessage.objects.filter(unconfirmed_attempts__gt=0).exists()
