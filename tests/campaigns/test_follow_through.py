"""Issue 10, item 6: a campaign does not re-invite suppliers that have already finished
(shown apart before launch, skipped by the launch, counted after), names the suppliers
without a contact, counts every supplier once, and resends to one contact from the page."""

from __future__ import annotations

import re

import pytest

from assessments.campaigns import selectors, services
from assessments.models import Assessment, AssessmentStatus
from procurement_portal.outbox.models import OutboxMessage
from tests.factories import SupplierFactory

from .helpers import draft, suppliers_with_contacts, the_version

pytestmark = pytest.mark.django_db


def _finished(supplier, buyer, status):
    from assessments.answering.services import assessments_assign_many

    [assessment] = assessments_assign_many(
        actor=buyer, suppliers=[supplier], version=the_version(), fiscal_year=2026
    )
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    return assessment


@pytest.fixture
def finished_two(buyer):
    """Five suppliers; one has submitted this questionnaire for 2026, one had it accepted."""
    suppliers = suppliers_with_contacts(5)
    _finished(suppliers[0], buyer, AssessmentStatus.ACCEPTED)
    _finished(suppliers[1], buyer, AssessmentStatus.SUBMITTED)
    return suppliers


def test_preview_shows_the_finished_suppliers_apart_and_launch_skips_them(
    finished_two, buyer, login, django_capture_on_commit_callbacks
):
    campaign = draft(buyer)
    client = login(buyer)
    page = client.get(f"/assessments/campaigns/{campaign.pk}/").content.decode()
    assert "Launch for 3 suppliers" in page
    assert "Not asked again: 2 suppliers have already submitted" in page
    finished_part = page.split('id="already-submitted"')[1]
    assert "C-00000" in finished_part and "C-00001" in finished_part
    assert "C-00002" not in finished_part

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/assessments/campaigns/{campaign.pk}/launch/")
    page = client.get(f"/assessments/campaigns/{campaign.pk}/progress/").content.decode()
    assert "2 suppliers that have already submitted this questionnaire" in page
    assert re.search(r'id="count-skipped">\s*2\s*<', page)
    invited = set(OutboxMessage.objects.values_list("to", flat=True))
    assert invited == {"c2@supplier.example", "c3@supplier.example", "c4@supplier.example"}
    assert Assessment.objects.get(supplier=finished_two[0]).status == AssessmentStatus.ACCEPTED


def test_progress_counts_add_up_and_accepted_is_counted_once(
    buyer, login, django_capture_on_commit_callbacks
):
    suppliers = suppliers_with_contacts(5)
    campaign = draft(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    statuses = ["in_progress", "returned", "submitted", "accepted"]
    for supplier, status in zip(suppliers, statuses, strict=False):
        Assessment.objects.filter(supplier=supplier).update(status=status)

    progress = selectors.campaign_progress(campaign)

    parts = (
        progress.not_invited,
        progress.not_started,
        progress.started,
        progress.submitted,
        progress.accepted,
    )
    assert parts == (0, 1, 2, 1, 1)
    assert sum(parts) == progress.suppliers == 5
    assert progress.returned == 1 and progress.responded == 2
    assert progress.response_rate == 40.0
    page = login(buyer).get(f"/assessments/campaigns/{campaign.pk}/progress/").content.decode()
    assert re.search(r'id="count-submitted">\s*1\s*<', page)
    assert re.search(r'id="count-accepted">\s*1\s*<', page)
    assert re.search(r'id="count-total">\s*5\s*<', page)


def test_suppliers_without_a_contact_are_named_on_the_progress_page(
    buyer, login, django_capture_on_commit_callbacks
):
    suppliers_with_contacts(1)
    SupplierFactory(code="NOBODY-1", legal_name="Nobody Home Ltd")
    campaign = draft(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    page = login(buyer).get(f"/assessments/campaigns/{campaign.pk}/progress/").content.decode()
    named = page.split('id="without-contact"')[1]
    assert "NOBODY-1" in named and "Nobody Home Ltd" in named
    assert "C-00000" not in named


def test_staff_resend_to_one_contact_by_address_from_the_page(
    buyer, csco, login, django_capture_on_commit_callbacks
):
    suppliers_with_contacts(2)
    campaign = draft(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    client = login(buyer)
    page = client.get(f"/assessments/campaigns/{campaign.pk}/progress/").content.decode()
    assert 'id="resend"' in page and 'name="email"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/assessments/campaigns/{campaign.pk}/resend/",
            {"email": "C1@Supplier.example"},
            follow=True,
        )
    assert "Invitation queued again for c1@supplier.example" in response.content.decode()
    again = OutboxMessage.objects.filter(key__contains=":again:")
    assert list(again.values_list("to", flat=True)) == ["c1@supplier.example"]

    response = client.post(
        f"/assessments/campaigns/{campaign.pk}/resend/", {"email": "who@else.example"}, follow=True
    )
    assert "No contact of the campaign&#x27;s suppliers has this address." in (
        response.content.decode()
    )
    assert again.count() == 1
    # a read-only role sees no form and may not post
    reader = login(csco)
    page = reader.get(f"/assessments/campaigns/{campaign.pk}/progress/").content.decode()
    assert 'id="resend"' not in page
    response = reader.post(
        f"/assessments/campaigns/{campaign.pk}/resend/", {"email": "c1@supplier.example"}
    )
    assert response.status_code == 403
