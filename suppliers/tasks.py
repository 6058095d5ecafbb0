"""Periodic work on the registry (schedules live in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .imports.tasks import run_import_job  # noqa: F401  (Celery discovers suppliers.tasks)
from .privacy import contacts_apply_retention


@shared_task
def apply_contact_retention() -> int:
    return contacts_apply_retention()
