"""Campaign authoring, targeting and launch in-process (the embedded default)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.campaigns import selectors, services
from assessments.models import Assessment, Campaign, CampaignStatus, TargetRule, VersionStatus
from assessments.workflow import TransitionConflict
from procurement_portal.accounts.models import Invitation
from procurement_portal.outbox.models import MessageStatus, OutboxMessage
from suppliers.models import Category
from tests.assessments.builders import build_assessment, build_version
from tests.factories import ContactFactory, DesignationFactory, SupplierFactory

from .helpers import draft, suppliers_with_contacts, the_version

pytestmark = pytest.mark.django_db


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- bad input -------------------------------------------------------------------------


def test_due_date_before_open_date_is_refused_naming_the_field(buyer):
    suppliers_with_contacts(1)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        draft(buyer, opens_on=today, due_date=today - dt.timedelta(days=1))
    assert "due_date" in _errors(exc)
    assert Campaign.objects.count() == 0


def test_unpublished_questionnaire_is_refused(buyer):
    suppliers_with_contacts(1)
    with pytest.raises(ValidationError) as exc:
        draft(buyer, version=build_version(code="draft-saq", status=VersionStatus.DRAFT))
    assert "published" in _errors(exc)["version"][0]
    assert Campaign.objects.count() == 0


def test_a_target_that_matches_nobody_is_refused(buyer):
    suppliers_with_contacts(2, country="JP")
    with pytest.raises(ValidationError) as exc:
        draft(buyer, regions=["latam"])
    assert "No supplier matches" in _errors(exc)["target_rule"][0]


def test_unknown_supplier_codes_are_listed(buyer):
    suppliers_with_contacts(2)
    with pytest.raises(ValidationError) as exc:
        draft(buyer, target_rule=TargetRule.CODES, supplier_codes=["C-00000", "NOPE-1", "NOPE-2"])
    message = _errors(exc)["supplier_codes"][0]
    assert "NOPE-1" in message and "NOPE-2" in message and "C-00000" not in message
    assert Campaign.objects.count() == 0


def test_empty_code_list_and_bad_reminders_are_refused(buyer):
    suppliers_with_contacts(1)
    with pytest.raises(ValidationError) as exc:
        draft(
            buyer,
            target_rule=TargetRule.CODES,
            supplier_codes=[],
            reminder_days_before=[0, -3],
            reminder_max=99,
        )
    errors = _errors(exc)
    assert {"supplier_codes", "reminder_days_before", "reminder_max"} <= set(errors)


def test_read_only_roles_cannot_create_or_launch(csco, buyer):
    suppliers_with_contacts(1)
    with pytest.raises(PermissionDenied):
        draft(csco)
    campaign = draft(buyer)
    with pytest.raises(PermissionDenied):
        services.campaign_launch(actor=csco, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_parse_supplier_codes_reads_csv_and_plain_text():
    assert services.parse_supplier_codes('code,name\nA-1,Acme\n"B-2",Beta\nA-1,again\n') == [
        "A-1",
        "B-2",
    ]
    assert services.parse_supplier_codes("A-1\r\nB-2 C-3\n") == ["A-1", "B-2", "C-3"]


# --- targeting -----------------------------------------------------------------------


def test_targets_follow_each_rule(buyer):
    jp = SupplierFactory(code="JP-1", country="JP", handles_confidential_info=True)
    sg = SupplierFactory(code="SG-1", country="SG")
    vn = SupplierFactory(code="VN-1", country="VN")
    us = SupplierFactory(code="US-1", country="US", status="inactive")
    DesignationFactory(supplier=sg, fiscal_year=2026)
    DesignationFactory(supplier=jp, fiscal_year=2025)  # another year: not critical in 2026
    hardware = Category.objects.get(code="hardware")
    vn.categories.add(hardware)

    def codes(**fields):
        campaign = draft(buyer, **fields)
        preview = selectors.campaign_targets(campaign)
        assert preview.count == len(preview.preview)
        return [s.code for s in preview.preview]

    assert codes() == ["JP-1", "SG-1", "VN-1"]  # active only
    assert codes(critical_only=True) == ["SG-1"]
    assert codes(critical_only=True, regions=["asia"]) == ["SG-1"]
    assert codes(regions=["asia"]) == ["SG-1", "VN-1"]
    assert codes(countries=["VN", "JP"]) == ["JP-1", "VN-1"]
    assert codes(categories=[hardware]) == ["VN-1"]
    assert codes(confidential_only=True) == ["JP-1"]
    assert codes(target_rule=TargetRule.CODES, supplier_codes=["US-1", "SG-1"]) == [
        "SG-1",
        "US-1",
    ]
    assert us.code == "US-1"


def test_target_preview_count_is_exact_and_preview_is_capped(buyer):
    suppliers_with_contacts(60)
    campaign = draft(buyer)
    preview = selectors.campaign_targets(campaign, preview_size=50)
    assert preview.count == 60
    assert len(preview.preview) == 50


# --- launch --------------------------------------------------------------------------


def test_launch_creates_assessments_and_one_invitation_per_contact(
    buyer, settings, django_capture_on_commit_callbacks
):
    settings.CAMPAIGN_CHUNK_SIZE = 3
    settings.PORTAL_BASE_URL = "https://portal.example"
    suppliers = suppliers_with_contacts(7)
    ContactFactory(supplier=suppliers[0], email="second@supplier.example", language="en")
    already = build_assessment(supplier=suppliers[1], version=the_version())
    campaign = draft(buyer, version=already.version)

    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHED
    assert campaign.target_count == 7
    assert Assessment.objects.filter(version=already.version).count() == 7  # one reused
    invitations = OutboxMessage.objects.filter(group=campaign.outbox_group)
    assert invitations.count() == 8
    assert set(invitations.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert len(mail.outbox) == 8
    by_to = {m.to[0]: m for m in mail.outbox}
    reused = by_to["c1@supplier.example"]
    # Contact 1 has no account yet: the link is a one-time invitation that creates it and
    # lands on the reused assessment (procurement_portal.accounts, issue 10.1).
    assert "https://portal.example/accounts/invitation/" in reused.body
    assert Invitation.objects.get(email="c1@supplier.example").next_path == (
        f"/assessments/{already.pk}/"
    )
    due = campaign.due_date  # in the reader's own date format (contact 1 reads Japanese)
    assert f"{due.year}年{due.month}月{due.day}日" in reused.body
    assert "2026年度" in reused.subject  # contact 1 reads Japanese
    assert "FY2026" in by_to["c0@supplier.example"].subject
    html = dict(by_to["c0@supplier.example"].alternatives)
    assert any(kind == "text/html" for _body, kind in by_to["c0@supplier.example"].alternatives)
    assert html is not None


def test_launching_twice_is_refused_and_running_the_tasks_again_sends_nothing(
    buyer, django_capture_on_commit_callbacks
):
    from assessments import tasks

    suppliers_with_contacts(4)
    campaign = draft(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    with pytest.raises(TransitionConflict):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    # a redelivered launch and a redelivered chunk find the work done
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.LAUNCHING)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.launch_campaign(campaign.pk)
        tasks.launch_campaign_chunk(campaign.pk, 0, 10**9)
    assert OutboxMessage.objects.count() == 4
    assert len(mail.outbox) == 4
    assert Assessment.objects.count() == 4


def test_a_future_campaign_is_scheduled_and_opens_by_itself(
    buyer, django_capture_on_commit_callbacks, monkeypatch
):
    from assessments import tasks

    suppliers_with_contacts(2)
    today = timezone.localdate()
    campaign = draft(
        buyer, opens_on=today + dt.timedelta(days=5), due_date=today + dt.timedelta(days=40)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    assert len(mail.outbox) == 0

    with django_capture_on_commit_callbacks(execute=True):
        tasks.campaigns_tick()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED  # not yet

    later = today + dt.timedelta(days=5)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.campaigns_tick()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHED
    assert len(mail.outbox) == 2


# --- reminders -----------------------------------------------------------------------


def test_reminder_schedule_before_and_after_the_due_date(buyer):
    suppliers_with_contacts(1)
    today = timezone.localdate()
    campaign = draft(
        buyer,
        opens_on=today,
        due_date=today + dt.timedelta(days=30),
        reminder_days_before=[3, 14, 45],  # 45 is before the open date: dropped
        overdue_every_days=7,
        reminder_max=4,
    )
    steps = services.reminder_schedule(campaign)
    due = campaign.due_date
    assert [(s.number, s.date, s.kind) for s in steps] == [
        (1, due - dt.timedelta(days=14), "reminder"),
        (2, due - dt.timedelta(days=3), "reminder"),
        (3, due + dt.timedelta(days=7), "overdue"),
        (4, due + dt.timedelta(days=14), "overdue"),
    ]


def test_reminders_skip_submitted_suppliers_and_a_double_tick_sends_nothing_twice(
    buyer, django_capture_on_commit_callbacks, monkeypatch
):
    from assessments import tasks

    suppliers = suppliers_with_contacts(3)
    today = timezone.localdate()
    campaign = draft(buyer, reminder_days_before=[14, 3], overdue_every_days=7, reminder_max=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    mail.outbox.clear()
    Assessment.objects.filter(supplier=suppliers[0]).update(status="submitted")
    Assessment.objects.filter(supplier=suppliers[1]).update(status="accepted")

    def tick_on(day):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.campaigns_tick()

    tick_on(campaign.due_date - dt.timedelta(days=14))
    tick_on(campaign.due_date - dt.timedelta(days=14))  # the same tick twice
    assert [m.to[0] for m in mail.outbox] == ["c2@supplier.example"]
    assert "Reminder" in mail.outbox[0].subject
    # a redelivered reminder task finds the messages queued already
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_campaign_reminders(campaign.pk, 1)
    assert len(mail.outbox) == 1

    tick_on(campaign.due_date + dt.timedelta(days=8))
    assert len(mail.outbox) == 2
    assert "Overdue" in mail.outbox[1].subject or "期限" in mail.outbox[1].subject
    keys = sorted(
        OutboxMessage.objects.exclude(key__contains=":invite:").values_list("key", flat=True)
    )
    contact = suppliers[2].contacts.get()
    assert keys == [
        f"campaign:{campaign.pk}:overdue:3:{contact.pk}",
        f"campaign:{campaign.pk}:reminder:1:{contact.pk}",
    ]
    # reminders go through the same claimed, confirmed delivery, one Message-ID per key
    from procurement_portal.outbox.services import message_id_for

    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [
        message_id_for(f"campaign:{campaign.pk}:reminder:1:{contact.pk}"),
        message_id_for(f"campaign:{campaign.pk}:overdue:3:{contact.pk}"),
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert today  # the campaign opened today


def test_a_reminder_run_that_dies_halfway_is_finished_by_the_next_tick_never_twice(
    buyer, django_capture_on_commit_callbacks, monkeypatch, settings
):
    from assessments import tasks

    # given: a launched campaign of five suppliers, reminders queued two suppliers at a time
    settings.CAMPAIGN_CHUNK_SIZE = 2
    suppliers_with_contacts(5)
    campaign = draft(buyer, reminder_days_before=[14], overdue_every_days=0, reminder_max=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    mail.outbox.clear()
    monkeypatch.setattr(
        timezone, "localdate", lambda *a, **k: campaign.due_date - dt.timedelta(days=14)
    )
    # when: the worker dies after the first chunk's reminders are committed (its delivery
    # wake-up lost with it)
    remind = services._remind

    def dies_after_the_first_chunk(campaign_, step, recipients):
        if OutboxMessage.objects.filter(key__contains=":reminder:").exists():
            raise RuntimeError("worker killed")
        return remind(campaign_, step, recipients)

    monkeypatch.setattr(services, "_remind", dies_after_the_first_chunk)
    with pytest.raises(RuntimeError, match="worker killed"):
        tasks.campaigns_tick()
    reminders = OutboxMessage.objects.filter(key__contains=":reminder:")
    assert reminders.count() == 2 and mail.outbox == []
    campaign.refresh_from_db()
    assert campaign.reminder_step == 0  # the step is not recorded as done
    # and the next tick runs on a live worker
    monkeypatch.setattr(services, "_remind", remind)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.campaigns_tick()
    # then: every contact has its reminder once, the two queued before the death included
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"c{i}@supplier.example" for i in range(5)
    )
    assert reminders.count() == 5
    assert set(reminders.values_list("status", flat=True)) == {MessageStatus.SENT}
    campaign.refresh_from_db()
    assert campaign.reminder_step == 1
    with django_capture_on_commit_callbacks(execute=True):
        tasks.campaigns_tick()  # a third tick finds the step done
    assert len(mail.outbox) == 5


# --- progress ------------------------------------------------------------------------


def test_progress_counts_and_resend(buyer, django_capture_on_commit_callbacks, settings):
    suppliers = suppliers_with_contacts(4)
    SupplierFactory(code="NOCONTACT")
    campaign = draft(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    Assessment.objects.filter(supplier=suppliers[0]).update(status="submitted")
    Assessment.objects.filter(supplier=suppliers[1]).update(status="in_progress")
    contact = suppliers[3].contacts.get()
    OutboxMessage.objects.filter(key=campaign.invitation_key(contact.pk)).update(
        status=MessageStatus.FAILED, last_error="SMTPRecipientsRefused"
    )

    progress = selectors.campaign_progress(campaign)

    assert (progress.suppliers, progress.invited, progress.delivered, progress.failed) == (
        5,
        4,
        3,
        1,
    )
    assert (progress.submitted, progress.started, progress.not_started) == (1, 1, 3)
    assert progress.without_contact == 1
    assert progress.response_rate == 20.0
    assert [(r.region, r.suppliers, r.submitted) for r in progress.by_region] == [("japan", 5, 1)]
    assert [m.to for m in progress.failed_messages] == [contact.email]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_invitation_resend(
            actor=buyer, campaign_id=campaign.pk, contact_id=contact.pk
        )
    assert [m.to[0] for m in mail.outbox] == [contact.email]
    assert OutboxMessage.objects.get(key=campaign.invitation_key(contact.pk)).status == "sent"
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_invitation_resend(
            actor=buyer, campaign_id=campaign.pk, contact_id=contact.pk
        )
    assert len(mail.outbox) == 2
    assert OutboxMessage.objects.filter(
        key=campaign.invitation_key(contact.pk) + ":again:1"
    ).exists()

    rows = list(selectors.campaign_supplier_rows(campaign))
    assert [r[0] for r in rows] == ["C-00000", "C-00001", "C-00002", "C-00003", "NOCONTACT"]
    assert rows[0][5] == "Submitted" and rows[4][8] == 0
