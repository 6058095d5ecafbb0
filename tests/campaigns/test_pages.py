"""The campaign pages as staff use them, and who may open which."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments.models import Campaign, CampaignStatus
from procurement_portal.outbox.models import MessageStatus, OutboxMessage

from .helpers import draft, suppliers_with_contacts, the_version

pytestmark = pytest.mark.django_db


def _form(**extra):
    today = timezone.localdate()
    data = {
        "name": "Critical Asia FY2026",
        "version": the_version().pk,
        "fiscal_year": 2026,
        "opens_on": today.isoformat(),
        "due_date": (today + timezone.timedelta(days=30)).isoformat(),
        "target_rule": "filters",
        "reminder_days_before": "14, 3",
        "overdue_every_days": 7,
        "reminder_max": 5,
    }
    data.update(extra)
    return data


@pytest.fixture
def launched(buyer, django_capture_on_commit_callbacks):
    from assessments.campaigns import services

    suppliers_with_contacts(3)
    campaign = draft(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    return campaign


def test_staff_create_preview_and_launch_a_campaign(
    login, buyer, django_capture_on_commit_callbacks
):
    from tests.factories import DesignationFactory, SupplierFactory

    sg = SupplierFactory(code="SG-1", country="SG")
    SupplierFactory(code="VN-1", country="VN")
    jp = SupplierFactory(code="JP-1", country="JP")
    DesignationFactory(supplier=sg, fiscal_year=2026)
    DesignationFactory(supplier=jp, fiscal_year=2026)
    client = login(buyer)

    response = client.post(
        "/assessments/campaigns/new/", _form(critical_only="on", regions=["asia"])
    )

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/campaigns/{campaign.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "SG-1" in page and "VN-1" not in page and "JP-1" not in page
    assert "Launch for 1 supplier" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assessments/campaigns/{campaign.pk}/launch/")
    assert response["Location"] == f"/assessments/campaigns/{campaign.pk}/progress/"
    progress = client.get(response["Location"]).content.decode()
    assert 'id="count-suppliers">1<' in progress
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHED


def test_bad_input_is_shown_at_the_fields_and_nothing_is_saved(login, buyer):
    suppliers_with_contacts(1)
    client = login(buyer)
    today = timezone.localdate()
    response = client.post(
        "/assessments/campaigns/new/",
        _form(due_date=(today - timezone.timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 400
    assert "The due date cannot be before the open date." in response.content.decode()

    upload = SimpleUploadedFile("codes.csv", b"code\nC-00000\nNOPE-9\n", content_type="text/csv")
    response = client.post(
        "/assessments/campaigns/new/", _form(target_rule="codes", codes_file=upload)
    )
    assert response.status_code == 400
    assert "NOPE-9" in response.content.decode()
    assert Campaign.objects.count() == 0


def test_uploaded_code_list_targets_exactly_those_suppliers(login, buyer):
    suppliers_with_contacts(3)
    client = login(buyer)
    upload = SimpleUploadedFile("codes.txt", "C-00002\r\nC-00000\r\n".encode("cp932"))
    response = client.post(
        "/assessments/campaigns/new/", _form(target_rule="codes", codes_file=upload)
    )
    assert response.status_code == 302
    assert Campaign.objects.get().supplier_codes == ["C-00002", "C-00000"]


def test_progress_export_and_resend(login, buyer, launched, django_capture_on_commit_callbacks):
    from django.core import mail

    client = login(buyer)
    message = OutboxMessage.objects.filter(group=launched.outbox_group).order_by("pk").first()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, last_error="550"
    )
    page = client.get(f"/assessments/campaigns/{launched.pk}/progress/").content.decode()
    assert 'id="count-failed">1<' in page and "Send again" in page

    response = client.get(f"/assessments/campaigns/{launched.pk}/suppliers.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[1].startswith("C-00000,")
    assert len(body.splitlines()) == 4

    mail.outbox.clear()
    contact_id = message.key.split(":")[3]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/assessments/campaigns/{launched.pk}/resend/", {"contact_id": contact_id}
        )
    assert response.status_code == 302
    assert [m.to[0] for m in mail.outbox] == [message.to]


def test_progress_counts_reminders_sent_again_apart_from_invitations(login, buyer, launched):
    # given: a reminder of the campaign sent again after a worker died in its SMTP answer
    contact_id = (
        OutboxMessage.objects.filter(group=launched.outbox_group).order_by("pk").first().key
    ).split(":")[3]
    OutboxMessage.objects.create(
        key=f"campaign:{launched.pk}:reminder:1:{contact_id}",
        group=launched.outbox_group,
        to="c0@supplier.example",
        subject="Reminder",
        body_text="b",
        status=MessageStatus.SENT,
        attempts=2,
        unconfirmed_attempts=1,
    )
    # when: staff open the progress page
    page = login(buyer).get(f"/assessments/campaigns/{launched.pk}/progress/").content.decode()
    # then: the invitations' count is unchanged, the reminder is counted on its own line
    assert 'id="count-invited">3<' in page and 'id="count-unconfirmed">0<' in page
    assert 'id="count-unconfirmed-reminders">1<' in page
    assert "may have two copies of the same message" in page


def test_progress_page_polls_while_launching(login, buyer, launched):
    Campaign.objects.filter(pk=launched.pk).update(status=CampaignStatus.LAUNCHING)
    client = login(buyer)
    page = client.get(f"/assessments/campaigns/{launched.pk}/progress/").content.decode()
    assert 'hx-trigger="every 3s"' in page
    fragment = client.get(
        f"/assessments/campaigns/{launched.pk}/progress/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and 'id="count-invited"' in fragment


READ_PAGES = ["/assessments/campaigns/", "/{pk}/", "/{pk}/progress/", "/{pk}/suppliers.csv"]
WRITE_PAGES = [
    ("get", "/assessments/campaigns/new/"),
    ("get", "/{pk}/edit/"),
    ("post", "/{pk}/launch/"),
]


def _url(path: str, pk: int) -> str:
    return (
        path if path.startswith("/assessments") else f"/assessments/campaigns{path.format(pk=pk)}"
    )


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("anonymous", 302, 302),
        ("supplier_user", 403, 403),
        ("other_supplier_user", 403, 403),
        ("csco", 200, 403),
        ("infosec_assessor", 200, 403),
        ("buyer", 200, 200),
    ],
)
def test_permission_matrix(request, client, role, read, write, buyer):
    suppliers_with_contacts(1)
    campaign = draft(buyer)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for path in READ_PAGES:
        assert client.get(_url(path, campaign.pk)).status_code == read, path
    for method, path in WRITE_PAGES:
        if method == "post" and write == 200:
            continue  # launching is tested above; here only that others cannot
        response = getattr(client, method)(_url(path, campaign.pk))
        assert response.status_code == write, path
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_list_page_queries_do_not_grow_with_campaigns(login, buyer, django_assert_max_num_queries):
    suppliers_with_contacts(1)
    client = login(buyer)
    draft(buyer)
    with django_assert_max_num_queries(12) as one:
        client.get("/assessments/campaigns/")
    for i in range(10):
        draft(buyer, name=f"Survey {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/assessments/campaigns/")
    assert page.content.decode().count("Survey ") >= 10


def test_progress_page_queries_do_not_grow_with_suppliers(
    login, buyer, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from assessments.campaigns import services

    suppliers_with_contacts(30)
    campaign = draft(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    client = login(buyer)
    with django_assert_max_num_queries(14):
        response = client.get(f"/assessments/campaigns/{campaign.pk}/progress/")
    assert 'id="count-suppliers">30<' in response.content.decode()
