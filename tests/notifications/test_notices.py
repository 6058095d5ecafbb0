"""Notices as the people concerned receive them: who is told of each event, in which
language, with which link; preferences and the programme's required notices; a retried
event never sends twice; the staff's daily digest; the weekly overdue reminder.

E-mail is read from the outbox rows (what will be sent); test_return_journey.py and
test_item_journey.py read it from a real SMTP server.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from assessments import notices
from assessments.items import item_action_plan_submit, item_close, item_reopen, item_verify
from assessments.models import (
    Answer,
    AssessmentStatus,
    ImprovementItem,
    Question,
    QuestionnaireVersion,
)
from assessments.review import services
from assessments.workflow import assessment_transition
from procurement_portal.accounts.roles import Role
from procurement_portal.notifications import kinds as K
from procurement_portal.notifications.models import DigestEntry, NotificationPreferences
from procurement_portal.notifications.services import (
    Recipient,
    digests_send,
    notify,
    preferences_save,
)
from procurement_portal.outbox.models import OutboxMessage
from tests.assessments.builders import build_assessment, build_version
from tests.factories import ContactFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
S = AssessmentStatus
MIXED = {
    "forced-labour-policy": "yes",
    "working-hours": "mostly",
    "headcount": "120",
    "ems": ["none"],
}


def submitted(supplier, *, actor=None):
    version = QuestionnaireVersion.objects.filter(questionnaire__code="test-saq").first()
    assessment = build_assessment(supplier=supplier, version=version or build_version())
    for code, value in MIXED.items():
        question = Question.objects.get(version=assessment.version, code=code)
        Answer.objects.create(assessment=assessment, question=question, value=value)
    return assessment_transition(assessment_id=assessment.pk, to=S.SUBMITTED, actor=actor)


def mails(kind: str) -> dict[str, OutboxMessage]:
    return {m.to: m for m in OutboxMessage.objects.filter(key__startswith=f"notice:{kind}:")}


@pytest.fixture
def ja_supplier_user(supplier_user):
    supplier_user.preferred_language = "ja"
    supplier_user.save()
    return supplier_user


def test_return_tells_supplier_users_and_contacts_in_their_language(
    supplier, ja_supplier_user, buyer, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    ContactFactory(supplier=supplier, email="kenji@acme.example", name="Kenji", language="en")
    ContactFactory(supplier=supplier, email=ja_supplier_user.email, name="Same person")
    assessment = submitted(supplier, actor=ja_supplier_user)
    answer = assessment.answers.get(question__code="working-hours")
    services.answer_comment_add(actor=buyer, answer_id=answer.pk, body="Which sites?")

    services.assessment_return(actor=buyer, assessment_id=assessment.pk, note="Please explain.")

    sent = mails(K.ASSESSMENT_RETURNED)
    assert set(sent) == {ja_supplier_user.email, "kenji@acme.example"}  # one mail per person
    ja, en = sent[ja_supplier_user.email], sent["kenji@acme.example"]
    assert ja.language == "ja" and "差し戻し" in ja.subject
    assert "Please explain." in ja.body_text and "Bunta Buyer" in ja.body_text
    link = f"https://portal.example.com/assessments/{assessment.pk}/"
    assert link in ja.body_text and link in ja.body_html
    assert en.language == "en" and en.subject.startswith("Returned for clarification")
    assert "1 comment on an answer" in en.body_text
    assert "/notifications/preferences/" not in en.body_text  # a contact has no preferences
    assert "/notifications/preferences/" in ja.body_text


def test_a_retried_event_sends_once():
    recipients = [Recipient(email="a@example.com", name="A")]
    context = {"supplier_name": "S", "fiscal_year": "FY2026", "level": 2, "reason": "r"}
    for _ in range(3):
        notify(kind=K.LEVEL_OVERRIDDEN, recipients=recipients, context=context, key="level:1:9")
    assert OutboxMessage.objects.filter(to="a@example.com").count() == 1


def test_turned_off_notices_are_skipped_but_required_ones_are_not(supplier, supplier_user, buyer):
    preferences_save(actor=supplier_user, enabled_kinds=[])  # every optional kind off
    prefs = NotificationPreferences.objects.get(user=supplier_user)
    assert K.ASSESSMENT_ACCEPTED in prefs.disabled_kinds
    assert K.ASSESSMENT_RETURNED not in prefs.disabled_kinds  # required: cannot be off
    # even a row that says so (an older registry) does not silence a required notice
    prefs.disabled_kinds = [*prefs.disabled_kinds, K.ASSESSMENT_RETURNED]
    prefs.save()

    assessment = submitted(supplier, actor=supplier_user)
    services.assessment_return(actor=buyer, assessment_id=assessment.pk, note="Why?")
    assert supplier_user.email in mails(K.ASSESSMENT_RETURNED)
    assessment_transition(assessment_id=assessment.pk, to=S.SUBMITTED, actor=supplier_user)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    assert mails(K.ASSESSMENT_ACCEPTED) == {}
    assert mails(K.ITEMS_RAISED) == {}


def test_preferences_refuse_unknown_kinds_and_digest_for_suppliers(supplier_user, buyer):
    with pytest.raises(ValidationError) as exc:
        preferences_save(actor=supplier_user, enabled_kinds=["nonsense"])
    assert "enabled_kinds" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        preferences_save(actor=supplier_user, enabled_kinds=[], digest=True)
    assert "digest" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a staff kind is not the supplier's to choose
        preferences_save(actor=supplier_user, enabled_kinds=[K.ACTION_PLAN_SUBMITTED])
    prefs = preferences_save(actor=buyer, enabled_kinds=[K.ACTION_PLAN_SUBMITTED], digest=True)
    assert prefs.digest
    assert set(prefs.disabled_kinds) == {K.ASSESSMENT_RESUBMITTED, K.SUPPLIER_REPLIED}


def test_accept_tells_supplier_of_acceptance_and_new_items(supplier, supplier_user, buyer):
    assessment = submitted(supplier, actor=supplier_user)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    items = ImprovementItem.objects.filter(assessment=assessment)
    assert items.exists()
    accepted = mails(K.ASSESSMENT_ACCEPTED)[supplier_user.email]
    assert f"/assessments/review/{assessment.pk}/scores/" in accepted.body_text
    raised = mails(K.ITEMS_RAISED)[supplier_user.email]
    assert raised.subject.startswith(f"{items.count()} new improvement item")
    assert "/assessments/review/my-items/" in raised.body_text


def test_resubmission_tells_the_reviewer_who_returned_it(supplier, supplier_user, buyer):
    other = UserFactory(email="other-buyer@portal.example", role=Role.PROCUREMENT)
    assessment = submitted(supplier, actor=supplier_user)
    services.assessment_return(actor=buyer, assessment_id=assessment.pk, note="More detail")
    from assessments.answering.services import assessment_submit

    assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    sent = mails(K.ASSESSMENT_RESUBMITTED)
    assert set(sent) == {buyer.email}
    assert other.email not in sent
    assert f"/assessments/review/{assessment.pk}/" in sent[buyer.email].body_text


def test_supplier_replies_in_the_thread_and_the_reviewer_is_told(supplier, supplier_user, buyer):
    assessment = submitted(supplier, actor=supplier_user)
    answer = assessment.answers.get(question__code="working-hours")
    root = services.answer_comment_add(actor=buyer, answer_id=answer.pk, body="Which sites?")
    # while the review is in progress the supplier neither sees nor answers the comment
    from assessments.models import AnswerComment

    with pytest.raises(AnswerComment.DoesNotExist):
        services.answer_comment_reply(actor=supplier_user, comment_id=root.pk, body="All")
    services.assessment_return(actor=buyer, assessment_id=assessment.pk)

    reply = services.answer_comment_reply(
        actor=supplier_user, comment_id=root.pk, body="  All three sites.  "
    )
    assert reply.parent == root and reply.body == "All three sites."
    mail = mails(K.SUPPLIER_REPLIED)[buyer.email]
    assert "All three sites." in mail.body_text and "ACME-001" in mail.subject
    # a reply to the reply joins the same thread
    again = services.answer_comment_reply(actor=buyer, comment_id=reply.pk, body="Thanks")
    assert again.parent == root
    assert supplier_user.email in mails(K.REVIEWER_REPLIED)


def test_replies_are_refused_when_not_allowed(
    supplier, supplier_user, other_supplier_user, buyer, csco
):
    from assessments.models import AnswerComment
    from assessments.workflow import TransitionConflict

    assessment = submitted(supplier, actor=supplier_user)
    answer = assessment.answers.get(question__code="working-hours")
    root = services.answer_comment_add(actor=buyer, answer_id=answer.pk, body="Which sites?")
    services.assessment_return(actor=buyer, assessment_id=assessment.pk)
    with pytest.raises(AnswerComment.DoesNotExist):  # another supplier: as if absent
        services.answer_comment_reply(actor=other_supplier_user, comment_id=root.pk, body="x")
    with pytest.raises(ValidationError) as exc:
        services.answer_comment_reply(actor=supplier_user, comment_id=root.pk, body=" ")
    assert exc.value.message_dict == {"body": ["Write a reply."]}
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # the CSCO reads, never writes
        services.answer_comment_reply(actor=csco, comment_id=root.pk, body="x")
    services.answer_comment_resolve(actor=buyer, comment_id=root.pk)
    with pytest.raises(ValidationError):  # a resolved thread takes no more replies
        services.answer_comment_reply(actor=supplier_user, comment_id=root.pk, body="x")
    assessment_transition(assessment_id=assessment.pk, to=S.SUBMITTED, actor=supplier_user)
    services.answer_comment_resolve(actor=buyer, comment_id=root.pk, resolved=False)
    with pytest.raises(TransitionConflict):  # submitted: the supplier's turn is over
        services.answer_comment_reply(actor=supplier_user, comment_id=root.pk, body="x")
    assert AnswerComment.objects.filter(parent=root).count() == 0


def test_staff_digest_collects_notices_into_one_daily_mail(supplier, supplier_user, buyer):
    preferences_save(
        actor=buyer,
        enabled_kinds=[K.ASSESSMENT_RESUBMITTED, K.SUPPLIER_REPLIED, K.ACTION_PLAN_SUBMITTED],
        digest=True,
    )
    assessment = submitted(supplier, actor=supplier_user)
    answer = assessment.answers.get(question__code="working-hours")
    root = services.answer_comment_add(actor=buyer, answer_id=answer.pk, body="Which sites?")
    services.assessment_return(actor=buyer, assessment_id=assessment.pk)
    services.answer_comment_reply(actor=supplier_user, comment_id=root.pk, body="All")
    from assessments.answering.services import assessment_submit

    assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    assert mails(K.SUPPLIER_REPLIED) == {} and mails(K.ASSESSMENT_RESUBMITTED) == {}
    assert DigestEntry.objects.filter(user=buyer, sent_at__isnull=True).count() == 2

    assert digests_send() == 1
    assert digests_send() == 0  # a second run (a retried task) sends nothing
    digest = OutboxMessage.objects.get(key__startswith="notice:digest:")
    assert digest.to == buyer.email
    assert digest.subject == "Your daily digest: 2 notices"
    assert "ACME-001 replied to your comment" in digest.body_text
    assert "Submitted again: ACME-001 Test SAQ" in digest.body_text


def test_item_steps_tell_the_supplier_and_the_reviewer(supplier, supplier_user, buyer):
    assessment = submitted(supplier, actor=supplier_user)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    item = ImprovementItem.objects.filter(assessment=assessment).first()

    item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="Audit by May")
    plan = mails(K.ACTION_PLAN_SUBMITTED)
    assert set(plan) == {buyer.email}  # the reviewer who accepted the assessment
    assert "Audit by May" in plan[buyer.email].body_text
    item_reopen(actor=buyer, item_id=item.pk, note="Name who is responsible")
    assert "Name who is responsible" in mails(K.ITEM_REOPENED)[supplier_user.email].body_text
    item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="Taro by May")
    assert OutboxMessage.objects.filter(key__startswith="notice:action_plan").count() == 2
    item_verify(actor=buyer, item_id=item.pk, note="Good plan")
    item_close(actor=buyer, item_id=item.pk)
    assert supplier_user.email in mails(K.ITEM_VERIFIED)
    assert supplier_user.email in mails(K.ITEM_CLOSED)
    closed = mails(K.ITEM_CLOSED)[supplier_user.email]
    assert f"/assessments/review/items/{item.pk}/" in closed.body_text


def test_action_plan_without_a_known_reviewer_goes_to_procurement_staff(
    supplier, supplier_user, buyer
):
    assessment = submitted(supplier, actor=supplier_user)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    buyer.is_active = False
    buyer.save()
    colleague = UserFactory(email="colleague@portal.example", role=Role.PROCUREMENT)
    UserFactory(email="csco2@portal.example", role=Role.CSCO)
    item = ImprovementItem.objects.filter(assessment=assessment).first()
    item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="Plan")
    assert set(mails(K.ACTION_PLAN_SUBMITTED)) == {colleague.email}


def test_overdue_items_remind_the_supplier_once_a_week(supplier, supplier_user, buyer):
    assessment = submitted(supplier, actor=supplier_user)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    items = ImprovementItem.objects.filter(assessment=assessment)
    due = items.first().due_date
    monday = due + dt.timedelta(days=7 - due.weekday())  # a Monday after the due date
    assert notices.items_overdue_notify(today=monday) == 1
    notices.items_overdue_notify(today=monday + dt.timedelta(days=1))  # same week: nothing
    assert OutboxMessage.objects.filter(key__startswith="notice:items_overdue:").count() == 1
    mail = mails(K.ITEMS_OVERDUE)[supplier_user.email]
    count = items.count()
    assert mail.subject == f"{count} improvement item{'s are' if count > 1 else ' is'} overdue"
    notices.items_overdue_notify(today=monday + dt.timedelta(days=7))  # next week: again
    assert OutboxMessage.objects.filter(key__startswith="notice:items_overdue:").count() == 2


def test_daily_checks_task_runs_the_registered_checks(settings):
    from procurement_portal.notifications.tasks import run_daily_checks

    assert run_daily_checks() == {"assessments.notices.items_overdue_notify": 0}


def test_level_override_tells_the_supplier(supplier, supplier_user, buyer):
    second = UserFactory(email="second@acme.example", role=Role.SUPPLIER)
    MembershipFactory(user=second, supplier=supplier)
    services.infosec_level_override(
        actor=buyer, supplier_id=supplier.pk, fiscal_year=2026, level=2, reason="Site audit"
    )
    sent = mails(K.LEVEL_OVERRIDDEN)
    assert set(sent) == {supplier_user.email, second.email}
    assert "level 2" in sent[second.email].subject
    assert "set the information-security level" in sent[second.email].body_text
    # the override reason is internal (issue 8, item 12): not in the supplier's e-mail
    for message in sent.values():
        assert "Site audit" not in message.body_text + message.body_html


def test_a_reviewer_reply_during_the_review_tells_nobody_yet(supplier, supplier_user, buyer):
    assessment = submitted(supplier, actor=supplier_user)
    answer = assessment.answers.get(question__code="working-hours")
    root = services.answer_comment_add(actor=buyer, answer_id=answer.pk, body="Which sites?")
    services.answer_comment_reply(actor=buyer, comment_id=root.pk, body="Also Osaka?")
    assert mails(K.REVIEWER_REPLIED) == {}  # the supplier cannot read it before the return


def test_digest_is_written_in_the_staff_members_language(supplier, supplier_user, buyer):
    buyer.preferred_language = "ja"
    buyer.save()
    preferences_save(actor=buyer, enabled_kinds=[K.ACTION_PLAN_SUBMITTED], digest=True)
    assessment = submitted(supplier, actor=supplier_user)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    item = ImprovementItem.objects.filter(assessment=assessment).first()
    item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="Audit by May")
    assert digests_send() == 1
    digest = OutboxMessage.objects.get(key__startswith="notice:digest:")
    assert digest.language == "ja" and digest.subject == "本日のまとめ:通知1件".replace(
        ":", "\uff1a"
    )
    assert "ACME-001 からの改善計画" in digest.body_text
    assert f"/assessments/review/items/{item.pk}/" in digest.body_html
