"""A real Celery worker on Redis: publishing hands the request e-mails to it, and beat's
tick (run as the worker would be asked to by beat) sends a due reminder round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dissemination.models import GuidelineVersion
from tests.factories import ContactFactory

from .builders import published_version

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_env(smtp_server):
    return {"EMAIL_URL": smtp_server.url}


def test_the_worker_sends_the_requests_and_a_due_reminder_round(
    celery_worker, smtp_server, buyer, supplier, other_supplier, supplier_user
):
    from dissemination import services
    from dissemination.tasks import dissemination_tick

    ContactFactory(supplier=supplier, email="hanako@acme.example", language="ja")
    ContactFactory(supplier=other_supplier, email="lee@other.example", language="en")

    # when staff publish (the request task runs in the worker after the commit)
    version = published_version(actor=buyer, reminder_every_days=7)

    # then both contacts are asked
    requests = smtp_server.wait_for(2, timeout=30)
    assert sorted(m["To"] for m in requests) == ["hanako@acme.example", "lee@other.example"]

    # when one supplier acknowledges and the reminder interval passes, beat's tick runs
    services.acknowledgement_create(user=supplier_user, version_id=version.pk)
    GuidelineVersion.objects.filter(pk=version.pk).update(
        published_at=timezone.now() - dt.timedelta(days=8)
    )
    dissemination_tick.delay()

    # then only the missing supplier's contact gets a reminder, once
    messages = smtp_server.wait_for(3, timeout=30)
    assert [m["To"] for m in messages[2:]] == ["lee@other.example"]
    assert "Reminder" in messages[2]["Subject"]
    version.refresh_from_db()
    assert version.reminder_round == 1
