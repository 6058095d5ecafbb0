"""The campaigns API: list, detail with progress counts, launch; the permission matrix
for every role, and the launch's refusals (400 naming the field, 409)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Campaign, CampaignStatus, VersionStatus
from procurement_portal.outbox.models import OutboxMessage

from .helpers import draft, suppliers_with_contacts

pytestmark = pytest.mark.django_db

ROLES = [
    "supplier_user",
    "other_supplier_user",
    "buyer",
    "infosec_assessor",
    "csco",
    "compliance_officer",
    "admin_user",
]
# Who reads campaigns (company staff) and who launches them (staff who assign).
READERS = {"buyer", "infosec_assessor", "csco", "compliance_officer", "admin_user"}
LAUNCHERS = {"buyer", "admin_user"}


@pytest.fixture
def as_user(api_client):
    def _as(user):
        api_client.force_authenticate(user)
        return api_client

    return _as


@pytest.fixture
def launched(buyer, django_capture_on_commit_callbacks):
    from assessments.campaigns import services

    suppliers_with_contacts(3)
    campaign = draft(buyer, name="Launched survey")
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    return campaign


def test_detail_carries_the_progress_counts(as_user, buyer, launched):
    # one invitation sent again after an unconfirmed attempt
    first = OutboxMessage.objects.filter(key__startswith=f"campaign:{launched.pk}:invite:")[0]
    OutboxMessage.objects.filter(pk=first.pk).update(unconfirmed_attempts=1)
    body = as_user(buyer).get(f"/api/v1/campaigns/{launched.pk}/").json()
    assert body["name"] == "Launched survey"
    assert body["status"] == CampaignStatus.LAUNCHED
    assert body["targets"] == 3
    progress = body["progress"]
    assert progress["suppliers"] == 3
    assert progress["invited"] == 3
    assert progress["sent_again_after_unconfirmed"] == 1
    assert progress["skipped"] == 0
    assert progress["not_started"] == 3
    assert progress["opened"] == 0
    assert progress["submitted"] == 0
    assert progress["not_invited"] == 0
    assert [r["region"] for r in progress["by_region"]] == ["japan"]


def test_detail_counts_opened_submitted_and_skipped(as_user, buyer, launched):
    from assessments.models import Assessment, AssessmentStatus

    assessments = list(
        Assessment.objects.filter(supplier__code__startswith="C-").order_by("supplier__code")
    )
    Assessment.objects.filter(pk=assessments[0].pk).update(status=AssessmentStatus.IN_PROGRESS)
    Assessment.objects.filter(pk=assessments[1].pk).update(status=AssessmentStatus.SUBMITTED)
    Campaign.objects.filter(pk=launched.pk).update(skipped_count=2)
    progress = as_user(buyer).get(f"/api/v1/campaigns/{launched.pk}/").json()["progress"]
    assert (progress["not_started"], progress["opened"], progress["submitted"]) == (1, 1, 1)
    assert progress["skipped"] == 2
    assert progress["response_rate"] == 33.3


def test_a_draft_shows_its_exact_target(as_user, buyer):
    suppliers_with_contacts(2)
    campaign = draft(buyer)
    body = as_user(buyer).get(f"/api/v1/campaigns/{campaign.pk}/").json()
    assert body["status"] == CampaignStatus.DRAFT
    assert body["targets"] == 2
    assert body["progress"]["suppliers"] == 2
    assert body["progress"]["not_invited"] == 2
    assert body["progress"]["invited"] == 0


def test_list_newest_year_first_in_a_fixed_number_of_queries(as_user, buyer):
    suppliers_with_contacts(1)
    draft(buyer, name="One")
    client = as_user(buyer)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/campaigns/").json()["count"] == 1
    for i in range(5):
        draft(buyer, name=f"Many {i}", fiscal_year=2027)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/campaigns/").json()
    assert body["count"] == 6
    assert body["results"][0]["fiscal_year"] == 2027
    assert body["results"][0]["fiscal_year_label"]
    assert len(many) == len(one)


@pytest.mark.parametrize("role", ROLES)
def test_read_matrix(request, as_user, launched, role):
    client = as_user(request.getfixturevalue(role))
    listed = client.get("/api/v1/campaigns/")
    detail = client.get(f"/api/v1/campaigns/{launched.pk}/")
    if role in READERS:
        assert listed.status_code == 200
        assert [row["id"] for row in listed.json()["results"]] == [launched.pk]
        assert detail.status_code == 200
    else:
        # Supplier users see no campaign: the list is refused, an id is unknown to them.
        assert listed.status_code == 403
        assert detail.status_code == 404
        assert "Launched survey" not in listed.content.decode() + detail.content.decode()


def test_anonymous_is_refused(api_client, launched):
    assert api_client.get("/api/v1/campaigns/").status_code in (401, 403)
    assert api_client.get(f"/api/v1/campaigns/{launched.pk}/").status_code in (401, 403)
    assert api_client.post(f"/api/v1/campaigns/{launched.pk}/launch/").status_code in (401, 403)


@pytest.mark.parametrize("role", ROLES)
def test_launch_matrix(request, as_user, buyer, role, django_capture_on_commit_callbacks):
    suppliers_with_contacts(2)
    campaign = draft(buyer)
    client = as_user(request.getfixturevalue(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/campaigns/{campaign.pk}/launch/")
    campaign.refresh_from_db()
    if role in LAUNCHERS:
        assert response.status_code == 200, response.content
        # answered as the launch is handed to the workers, who then invite everyone
        assert response.json()["status"] == CampaignStatus.LAUNCHING
        assert campaign.status == CampaignStatus.LAUNCHED
        assert OutboxMessage.objects.filter(group=campaign.outbox_group).count() == 2
    else:
        assert response.status_code == (403 if role in READERS else 404)
        assert campaign.status == CampaignStatus.DRAFT
        assert not OutboxMessage.objects.exists()


def test_launch_with_the_open_date_ahead_schedules(as_user, buyer):
    suppliers_with_contacts(1)
    ahead = timezone.localdate() + dt.timedelta(days=5)
    campaign = draft(buyer, opens_on=ahead, due_date=ahead + dt.timedelta(days=30))
    response = as_user(buyer).post(f"/api/v1/campaigns/{campaign.pk}/launch/")
    assert response.status_code == 200
    assert response.json()["status"] == CampaignStatus.SCHEDULED
    assert not OutboxMessage.objects.exists()


def test_launching_twice_is_a_conflict(as_user, buyer, launched):
    response = as_user(buyer).post(f"/api/v1/campaigns/{launched.pk}/launch/")
    assert response.status_code == 409
    assert response.json()["status"] == CampaignStatus.LAUNCHED


def test_a_draft_that_no_longer_holds_is_refused_naming_the_field(as_user, buyer):
    suppliers_with_contacts(1)
    campaign = draft(buyer)
    campaign.version.__class__.objects.filter(pk=campaign.version_id).update(
        status=VersionStatus.RETIRED
    )
    response = as_user(buyer).post(f"/api/v1/campaigns/{campaign.pk}/launch/")
    assert response.status_code == 400
    assert "version" in response.json()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_unknown_campaign_is_404(as_user, buyer):
    assert as_user(buyer).get("/api/v1/campaigns/987654/").status_code == 404
    assert as_user(buyer).post("/api/v1/campaigns/987654/launch/").status_code == 404
