"""Daily notice tasks (scheduled in settings.CELERY_BEAT_SCHEDULE): thin wrappers."""

from __future__ import annotations

from celery import shared_task

from .services import daily_checks_run, digests_send


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_digests() -> int:
    """One e-mail per staff member who chose the daily digest and has notices waiting."""
    return digests_send()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_daily_checks() -> dict[str, int]:
    """The apps' daily checks (improvement items overdue, ...). Each notice is keyed, so a
    second run on the same day sends nothing new."""
    return daily_checks_run()
