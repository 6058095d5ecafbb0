"""Celery tasks of the self-assessment: thin wrappers around the campaign services.

Each takes ids, never model instances, and is safe to run twice: tasks are acknowledged
late and put back when their worker dies (settings: CELERY_TASK_ACKS_LATE,
CELERY_TASK_REJECT_ON_WORKER_LOST), so a redelivered one must find the work done and do
nothing more. Beat's schedule is in settings.CELERY_BEAT_SCHEDULE.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from assessments.campaigns import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def launch_campaign(campaign_id: int) -> int:
    """Fix the campaign's target list and hand its chunks to the workers."""
    chunks = services.campaign_prepare(campaign_id=campaign_id)
    for first_id, last_id in chunks:
        launch_campaign_chunk.delay(campaign_id, first_id, last_id)
    return len(chunks)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def launch_campaign_chunk(campaign_id: int, first_id: int, last_id: int) -> int:
    return services.campaign_launch_chunk(
        campaign_id=campaign_id, first_id=first_id, last_id=last_id
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_campaign_reminders(campaign_id: int, step_number: int) -> int:
    return services.campaign_send_reminders(campaign_id=campaign_id, step_number=step_number)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def campaigns_tick() -> dict[str, int]:
    """Beat's periodic look at every campaign: open the scheduled ones whose date has come,
    send due reminders and overdue notices, restart stalled launches. Two ticks at once
    (or one run twice) send nothing twice: every message key names its campaign, step and
    contact."""
    today = timezone.localdate()
    due = services.campaigns_due(today=today)
    opened = sum(services.campaign_open(campaign_id=pk) for pk in due["open"])
    reminded = 0
    for pk, step_number in due["remind"]:
        send_campaign_reminders.delay(pk, step_number)
        reminded += 1
    return {"opened": opened, "reminded": reminded, "restarted": _restart(due["stalled"])}


def _restart(campaign_ids: list[int]) -> int:
    for pk in campaign_ids:
        logger.warning("campaign %s: launch stalled, handing it out again", pk)
        launch_campaign.delay(pk)
    return len(campaign_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def campaigns_watch() -> int:
    """Beat's frequent look (CAMPAIGN_WATCH_SECONDS) for launches whose chunks were lost
    with a killed worker: handed out again within minutes, not at the broker's visibility
    timeout."""
    return _restart(services.campaigns_stalled())
