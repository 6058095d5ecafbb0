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
