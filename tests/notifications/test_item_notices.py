"""Item notices as the supplier and the reviewer read them: the finding in the reader's
language where the item keeps both, a one-language finding saying which language it is
in, and the items an on-site visit raises, which stay out of every notice until the
visit's letter is issued and then reach the supplier's portal users (the contacts get the
letter itself); an action plan on such an item goes to the staff member who submitted
the visit. Issue 10, item 5 and its minor item on findings in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from assessments import notices
from assessments.items import item_action_plan_submit
from assessments.models import ImprovementItem, ImprovementSource
from assessments.review import services as review
from procurement_portal.accounts.roles import Role
from procurement_portal.notifications import kinds as K
from procurement_portal.outbox.models import OutboxMessage
from tests.factories import ContactFactory, SiteFactory, UserFactory
from tests.notifications.test_notices import mails, submitted
from tests.visits.conftest import answer_all
from visits import letters
from visits import services as visits

pytestmark = pytest.mark.django_db

HOURS_JA = "労働時間と時間外労働が記録され、法令および労使協定の上限内である。"
HOURS_EN = "Working hours and overtime are recorded"


@pytest.fixture(autouse=True)
def letters_on_disk(settings, tmp_path):
    settings.PDF_RENDER_TIMEOUT = 180  # eager rendering on a shared machine
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents"), "allow_overwrite": True},
        },
    }


@pytest.fixture
def ja_user(supplier_user):
    supplier_user.preferred_language = "ja"
    supplier_user.save()
    return supplier_user


def _visit_with_a_late_finding(actor, supplier):
    """A visit two months ago whose finding was due ten days ago, submitted."""
    from visits.reference_data import ensure_reference_data

    ensure_reference_data()
    today = timezone.localdate()
    visit = visits.visit_create(
        actor=actor,
        supplier_id=supplier.pk,
        site_id=SiteFactory(supplier=supplier).pk,
        kind="svr",
        visit_date=today - dt.timedelta(days=60),
        methods=["interview", "inspection"],
    )
    finding = {
        "outcome": "minor",
        "note": "",
        "guidance_category": "working_hours",
        "required_action": "Record overtime daily.",
        "due_date": (today - dt.timedelta(days=10)).isoformat(),
    }
    answer_all(visit, actor, findings={"working-hours": finding}, prefix=f"n{visit.pk}")
    return visits.visit_submit(actor=actor, visit_id=visit.pk)


def test_a_visits_items_reach_portal_users_with_the_letter_and_not_before(supplier, ja_user, buyer):
    ContactFactory(supplier=supplier, email="pat@acme.example", name="Pat", language="en")
    colleague = UserFactory(email="colleague@portal.example", role=Role.PROCUREMENT)
    visit = _visit_with_a_late_finding(buyer, supplier)
    item = ImprovementItem.objects.get(source=ImprovementSource.SITE_VISIT)
    today = timezone.localdate()

    # The item is overdue, but the supplier has not had the letter: no notice names it.
    assert notices.items_overdue_notify(today=today) == 0
    assert mails(K.ITEMS_RAISED) == {} and mails(K.ITEMS_OVERDUE) == {}

    letters.letter_request(actor=buyer, visit_id=visit.pk)

    # The contact gets the letter; the portal user, who is no contact, the items notice.
    assert OutboxMessage.objects.filter(
        key__startswith=f"visit-letter:{visit.pk}:", to="pat@acme.example"
    ).exists()
    raised = mails(K.ITEMS_RAISED)
    assert set(raised) == {ja_user.email}
    mail = raised[ja_user.email]
    with translation.override("ja"):
        visit_day = date_format(visit.visit_date, "DATE_FORMAT")
    assert mail.language == "ja" and visit_day in mail.body_text
    assert HOURS_JA in mail.body_text and HOURS_EN not in mail.body_text
    assert "/assessments/review/items/" in mail.body_text or "/assessments/" in mail.body_text
    # Issuing again (a redelivered task) tells nobody twice.
    assert letters.letter_issue(visit_id=visit.pk).outcome == "already-issued"
    assert OutboxMessage.objects.filter(key__startswith="notice:items_raised:").count() == 1

    # Now the weekly reminder names it, to the portal user and the contact.
    assert notices.items_overdue_notify(today=today) == 1
    assert set(mails(K.ITEMS_OVERDUE)) == {ja_user.email, "pat@acme.example"}
    assert HOURS_EN in mails(K.ITEMS_OVERDUE)["pat@acme.example"].body_text

    # The action plan goes to who submitted the visit, not to every buyer.
    item_action_plan_submit(actor=ja_user, item_id=item.pk, action_plan="Daily records")
    assert set(mails(K.ACTION_PLAN_SUBMITTED)) == {buyer.email}
    assert colleague.email not in mails(K.ACTION_PLAN_SUBMITTED)


def test_findings_are_told_in_the_readers_language_or_say_which_language(supplier, ja_user, buyer):
    assessment = submitted(supplier, actor=ja_user)
    review.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    raised = mails(K.ITEMS_RAISED)[ja_user.email]
    item = ImprovementItem.objects.filter(assessment=assessment, description_ja__gt="").first()
    assert item is not None
    first_ja = item.description_ja.split("\n", 1)[0]
    assert first_ja in raised.body_text  # the questionnaire's own Japanese wording

    # A finding written in Japanese only: the English reader is told it is in Japanese.
    ImprovementItem.objects.filter(pk=item.pk).update(
        description="残業記録が協定を超えている", description_ja="", written_in="ja"
    )
    item_action_plan_submit(actor=ja_user, item_id=item.pk, action_plan="毎日記録します")
    plan = mails(K.ACTION_PLAN_SUBMITTED)[buyer.email]
    assert plan.language == "en"
    assert "残業記録が協定を超えている (written in Japanese)" in plan.body_text


def test_no_follow_up_notice_names_a_visits_item_before_its_letter(supplier, supplier_user, buyer):
    from assessments.items import item_verify
    from assessments.models import ImprovementStatus

    _visit_with_a_late_finding(buyer, supplier)
    item = ImprovementItem.objects.get(source=ImprovementSource.SITE_VISIT)
    # (a state only the supplier's plan reaches; set here to reach the notice at all)
    ImprovementItem.objects.filter(pk=item.pk).update(
        status=ImprovementStatus.ACTION_PLAN_SUBMITTED, action_plan="Plan"
    )
    item_verify(actor=buyer, item_id=item.pk, note="Seen on site")
    assert mails(K.ITEM_VERIFIED) == {}
