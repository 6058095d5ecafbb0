"""Celery tasks of declarations: thin wrappers taking ids (schedules live in settings)."""

from celery import shared_task

from .reminders import reminders_send_all, requests_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_declaration_requests(version_id: int) -> int:
    """Ask a newly published version's audience to sign it (keyed: safe to run twice)."""
    return requests_send(actor=None, version_id=version_id)


@shared_task
def send_declaration_reminders() -> int:
    """The weekly round of reminders for every published version."""
    return reminders_send_all()
