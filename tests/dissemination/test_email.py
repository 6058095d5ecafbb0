"""The request and reminder e-mails over real SMTP: each contact once, in their language,
with the library's link; a reminder round reaches only the suppliers still missing."""

from __future__ import annotations

import pytest

from dissemination import services
from tests.factories import ContactFactory

from .builders import published_version

pytestmark = pytest.mark.django_db(transaction=True)


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_publication_and_a_reminder_round_arrive_over_smtp(
    smtp_server, buyer, supplier, other_supplier, supplier_user
):
    # given a Japanese-speaking contact at the supplier and an English one at the other
    ContactFactory(supplier=supplier, email="hanako@acme.example", language="ja")
    ContactFactory(supplier=other_supplier, email="lee@other.example", language="en")

    # when staff publish a version for every active supplier
    version = published_version(actor=buyer)

    # then each contact gets one request, in their language, linking to the library
    received = {m["To"]: m for m in smtp_server.wait_for(2, timeout=10)}
    assert set(received) == {"hanako@acme.example", "lee@other.example"}
    assert "グリーン調達ガイドライン" in received["hanako@acme.example"]["Subject"]
    assert "包装材を対象に追加" in _text(received["hanako@acme.example"])
    assert "Please read and acknowledge" in received["lee@other.example"]["Subject"]
    assert "/dissemination/" in _text(received["lee@other.example"])

    # when the supplier acknowledges and staff remind the missing
    services.acknowledgement_create(user=supplier_user, version_id=version.pk)
    assert services.version_remind(actor=buyer, version_id=version.pk) == 1

    # then only the other supplier's contact gets the reminder
    messages = smtp_server.wait_for(3, timeout=10)
    assert len(messages) == 3
    reminder = messages[-1]
    assert reminder["To"] == "lee@other.example" and reminder["Subject"].startswith("Reminder")
