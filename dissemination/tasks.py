"""Celery tasks of dissemination: thin wrappers around the services, ids in, safe to run
twice (every message is keyed in the outbox). Beat's entry is in
settings.CELERY_BEAT_SCHEDULE ("dissemination-tick")."""

from __future__ import annotations

import logging

from celery import shared_task

from procurement_portal.core.errors import Conflict

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_version_requests(version_id: int) -> int:
    """E-mail the suppliers asked to read a newly published version."""
    return services.version_requests_send(version_id=version_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_version(version_id: int) -> int:
    try:
        return services.version_remind(version_id=version_id)
    except Conflict:  # retired since beat chose it
        return 0


@shared_task(acks_late=True, reject_on_worker_lost=True)
def dissemination_tick() -> int:
    """Beat: requests a lost task never queued, then the reminders that are due."""
    from .models import GuidelineVersion, VersionStatus

    for version_id in GuidelineVersion.objects.filter(
        status=VersionStatus.PUBLISHED, last_reminded_at__isnull=True
    ).values_list("pk", flat=True):
        services.version_requests_send(version_id=version_id)
    due = services.reminders_due()
    for version_id in due:
        remind_version.delay(version_id)
    return len(due)
