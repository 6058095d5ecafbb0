"""Background work for accounts: password-reset messages, and their links' removal."""

from __future__ import annotations

from celery import shared_task

from .password_reset import password_reset_send, redact_sent_reset_links


@shared_task(name="procurement_portal.accounts.tasks.send_password_reset")
def send_password_reset(email: str) -> int:
    """Look the address up and queue the reset message (nothing if no account uses it).
    Safe to run twice: the same link has the same outbox key."""
    redact_sent_reset_links()
    return password_reset_send(email=email)


@shared_task(name="procurement_portal.accounts.tasks.redact_sent_reset_links")
def redact_sent_reset_links_task() -> int:
    return redact_sent_reset_links()
