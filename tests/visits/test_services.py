"""Visit records through the services, as staff use them: log, answer (with resends and
stale edits), submit (every bad input of issue 13), amend, follow up on a re-visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments import items as item_workflow
from assessments.models import ImprovementItem, ImprovementSource, ImprovementStatus
from procurement_portal.core.errors import Conflict
from tests.visits.conftest import answer_all, finding
from visits import services
from visits.models import (
    Visit,
    VisitAmendment,
    VisitAnswer,
    VisitChange,
    VisitResult,
    VisitStatus,
)

pytestmark = pytest.mark.django_db


def _messages(exc) -> dict:
    return exc.value.message_dict


# --- logging a visit ---------------------------------------------------------------------


def test_a_logged_visit_is_a_draft_with_every_checklist_item_waiting(draft, buyer):
    assert draft.status == VisitStatus.DRAFT
    assert draft.answers.count() == draft.template.items.count() == 10
    assert set(draft.answers.values_list("outcome", flat=True)) == {"unanswered"}
    assert list(draft.visited_by.all()) == [buyer]
    assert draft.fiscal_year == services.fiscal_year_of(draft.visit_date).year


def test_a_visit_without_a_site_or_a_date_is_refused(visits_reference, buyer, supplier, site):
    with pytest.raises(ValidationError) as exc:
        services.visit_create(
            actor=buyer, supplier_id=supplier.pk, kind="svr", visit_date="2026-01-05"
        )
    assert "site" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.visit_create(actor=buyer, supplier_id=supplier.pk, kind="svr", site_id=site.pk)
    assert _messages(exc)["visit_date"] == ["Enter the date of the visit."]
    assert not Visit.objects.exists()


def test_a_site_of_another_supplier_is_refused(visits_reference, buyer, supplier, other_site):
    with pytest.raises(ValidationError) as exc:
        services.visit_create(
            actor=buyer,
            supplier_id=supplier.pk,
            kind="svr",
            site_id=other_site.pk,
            visit_date="2026-01-05",
        )
    assert _messages(exc)["site"] == ["This site belongs to another supplier."]
    assert not Visit.objects.exists()


def test_bad_methods_dates_and_visitors_name_their_field(
    visits_reference, buyer, csco, supplier, site
):
    base = {"actor": buyer, "supplier_id": supplier.pk, "kind": "svr", "site_id": site.pk}
    with pytest.raises(ValidationError) as exc:
        services.visit_create(**base, visit_date="2026-01-05", methods=["telepathy"])
    assert "methods" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.visit_create(**base, visit_date="05/01/2026")
    assert _messages(exc)["visit_date"] == ["Enter a date as YYYY-MM-DD."]
    with pytest.raises(ValidationError) as exc:
        services.visit_create(**base, visit_date="2026-01-05", visited_by_ids=[csco.pk])
    assert "visited_by" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.visit_create(**{**base, "kind": "audit"}, visit_date="2026-01-05")
    assert "kind" in _messages(exc)
    assert not Visit.objects.exists()


def test_hostile_text_is_refused_with_its_field(visits_reference, buyer, supplier, site):
    with pytest.raises(ValidationError) as exc:
        services.visit_create(
            actor=buyer,
            supplier_id=supplier.pk,
            kind="svr",
            site_id=site.pk,
            visit_date="2026-01-05",
            supplier_attendees="Mr Tanaka\x00\ud800",
        )
    assert "supplier_attendees" in _messages(exc)
    assert not Visit.objects.exists()


def test_only_reviewers_log_visits_and_assessors_only_information_security(
    visits_reference, supplier, site, csco, supplier_user, infosec_assessor
):
    args = {"supplier_id": supplier.pk, "site_id": site.pk, "visit_date": "2026-01-05"}
    for user in (csco, supplier_user):
        with pytest.raises((PermissionDenied, ValidationError)):
            services.visit_create(actor=user, kind="svr", **args)
    with pytest.raises(PermissionDenied):
        services.visit_create(actor=infosec_assessor, kind="svr", **args)
    visit = services.visit_create(actor=infosec_assessor, kind="infosec", **args)
    assert visit.answers.count() == 8
    assert not Visit.objects.filter(kind="svr").exists()


# --- answers: revisions and client keys -------------------------------------------------


def _save(visit, actor, code, key, base, **values):
    return services.answer_save(
        actor=actor,
        visit_id=visit.pk,
        item_code=code,
        client_key=key,
        base_revision=base,
        values=values,
    )


def test_a_resent_change_is_applied_once(draft, buyer):
    first = _save(draft, buyer, "wages", "c-1", 0, outcome="conforming", note="Payslips seen")
    again = _save(draft, buyer, "wages", "c-1", 0, outcome="conforming", note="Payslips seen")
    assert (first.result, again.result) == ("saved", "duplicate")
    answer = VisitAnswer.objects.get(visit=draft, item__code="wages")
    assert answer.revision == 1
    assert VisitChange.objects.filter(visit=draft).count() == 1


def test_an_older_edit_never_overwrites_a_newer_one(draft, buyer):
    _save(draft, buyer, "wages", "tab-a-1", 0, note="first")
    _save(draft, buyer, "wages", "tab-a-2", 1, note="newest")
    with pytest.raises(services.AnswerConflict) as exc:
        _save(draft, buyer, "wages", "tab-b-1", 0, note="stale, typed offline")
    assert exc.value.current.note == "newest"
    assert "changed elsewhere" in exc.value.message
    answer = VisitAnswer.objects.get(visit=draft, item__code="wages")
    assert (answer.note, answer.revision) == ("newest", 2)
    # The key of the refused change was not used up: nothing was recorded for it.
    assert not VisitChange.objects.filter(client_key="tab-b-1").exists()


def test_a_due_date_before_the_visit_is_refused_when_saved(draft, buyer):
    before = (draft.visit_date - dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as exc:
        _save(draft, buyer, "wages", "k", 0, outcome="minor", due_date=before)
    assert "must not be before the visit" in _messages(exc)["due_date"][0]
    assert VisitAnswer.objects.get(visit=draft, item__code="wages").revision == 0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"guidance_category": "no-such"}, "guidance_category"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"note": "x" * 4001}, "note"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_answer_values_name_their_field(draft, buyer, values, field):
    with pytest.raises(ValidationError) as exc:
        _save(draft, buyer, "wages", "k", 0, **values)
    assert field in _messages(exc)


def test_a_bad_client_key_or_item_is_refused(draft, buyer):
    with pytest.raises(ValidationError) as exc:
        _save(draft, buyer, "wages", "", 0, note="n")
    assert "client_key" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        _save(draft, buyer, "no-such-item", "k", 0, note="n")
    assert "item" in _messages(exc)


# --- submission ---------------------------------------------------------------------------


def test_submit_derives_the_result_and_raises_one_item_per_finding(draft, buyer):
    answer_all(
        draft,
        buyer,
        findings={
            "working-hours": finding(draft),
            "waste-handling": finding(draft, outcome="significant", category="waste_emissions"),
        },
    )
    visit = services.visit_submit(actor=buyer, visit_id=draft.pk)
    assert visit.status == VisitStatus.SUBMITTED
    assert visit.result == VisitResult.SIGNIFICANT
    items = ImprovementItem.objects.filter(source=ImprovementSource.SITE_VISIT).order_by("id")
    assert [i.risk.code for i in items] == ["human_rights", "environment"]
    first = items[0]
    assert first.supplier_id == draft.supplier_id
    assert first.due_date == draft.visit_date + dt.timedelta(days=30)
    assert "Overtime records of March" in first.description
    assert first.description_ja.startswith("労働時間と時間外労働")
    assert first.required_action == "Keep overtime within the agreement and record it."
    assert first.events.count() == 1


def test_minor_findings_only_give_a_minor_result_and_none_gives_no_issues(
    make_visit, buyer, supplier, site
):
    minor = make_visit(supplier=supplier, site=site)
    answer_all(minor, buyer, findings={"wages": finding(minor, category="wages")})
    assert services.visit_submit(actor=buyer, visit_id=minor.pk).result == VisitResult.MINOR
    clean = make_visit(supplier=supplier, site=site)
    answer_all(clean, buyer, prefix="c")
    assert services.visit_submit(actor=buyer, visit_id=clean.pk).result == VisitResult.NONE


def test_a_submitted_visit_is_read_only_and_never_raises_twice(draft, buyer):
    answer_all(draft, buyer, findings={"wages": finding(draft, category="wages")})
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    with pytest.raises(Conflict):
        services.visit_submit(actor=buyer, visit_id=draft.pk)
    with pytest.raises(Conflict):
        _save(draft, buyer, "wages", "late", 2, note="after submission")
    assert ImprovementItem.objects.count() == 1


def test_a_visit_dated_in_the_future_cannot_be_submitted(make_visit, buyer, supplier, site):
    visit = make_visit(
        supplier=supplier, site=site, visit_date=timezone.localdate() + dt.timedelta(days=3)
    )
    answer_all(visit, buyer)
    with pytest.raises(ValidationError) as exc:
        services.visit_submit(actor=buyer, visit_id=visit.pk)
    assert _messages(exc)["visit_date"] == [
        "A visit cannot be submitted before the day it took place."
    ]
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.DRAFT


def test_a_finding_without_category_or_severity_is_refused_and_nothing_is_raised(draft, buyer):
    no_category = finding(draft)
    no_category["guidance_category"] = ""
    no_severity = finding(draft)
    no_severity["outcome"] = "conforming"
    answer_all(draft, buyer, findings={"wages": no_category, "working-hours": no_severity})
    with pytest.raises(ValidationError) as exc:
        services.visit_submit(actor=buyer, visit_id=draft.pk)
    errors = _messages(exc)
    assert errors["answers.wages"] == ["A finding needs a guidance category."]
    assert "choose its severity" in errors["answers.working-hours"][0]
    assert not ImprovementItem.objects.exists()
    assert Visit.objects.get(pk=draft.pk).status == VisitStatus.DRAFT


def test_unanswered_items_are_listed_at_submission(draft, buyer):
    _save(draft, buyer, "wages", "k", 0, outcome="conforming")
    with pytest.raises(ValidationError) as exc:
        services.visit_submit(actor=buyer, visit_id=draft.pk)
    missing = [key for key in _messages(exc) if key.startswith("answers.")]
    assert len(missing) == 9 and "answers.wages" not in missing


def test_a_due_date_before_a_changed_visit_date_is_caught_at_submission(
    make_visit, buyer, supplier, site
):
    visit = make_visit(
        supplier=supplier, site=site, visit_date=timezone.localdate() - dt.timedelta(days=10)
    )
    answer_all(visit, buyer, findings={"wages": finding(visit, category="wages", days=1)})
    later = visit.visit_date + dt.timedelta(days=5)
    services.visit_update(actor=buyer, visit_id=visit.pk, visit_date=later.isoformat())
    with pytest.raises(ValidationError) as exc:
        services.visit_submit(actor=buyer, visit_id=visit.pk)
    assert "must not be before the visit" in _messages(exc)["answers.wages"][0]
    assert not ImprovementItem.objects.exists()


def test_an_earlier_years_visit_is_loaded_with_its_own_year(make_visit, buyer, supplier, site):
    visit = make_visit(supplier=supplier, site=site, visit_date=dt.date(2019, 11, 20))
    answer_all(visit, buyer)
    visit = services.visit_submit(actor=buyer, visit_id=visit.pk)
    assert (visit.fiscal_year, visit.result) == (2020, VisitResult.NONE)


# --- amendments ---------------------------------------------------------------------------


def test_staff_amend_a_submitted_visit_with_a_reason_and_it_is_recorded(draft, buyer):
    answer_all(draft, buyer)
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    with pytest.raises(ValidationError) as exc:
        services.visit_amend(actor=buyer, visit_id=draft.pk, reason=" ", answers={})
    assert "reason" in _messages(exc)
    amendment = services.visit_amend(
        actor=buyer,
        visit_id=draft.pk,
        reason="Overtime records arrived after the visit.",
        header={"supplier_attendees": "Ms Sato (HR)"},
        answers={"working-hours": finding(draft)},
    )
    assert amendment.changes["answers.working-hours.outcome"] == {
        "from": "conforming",
        "to": "minor",
    }
    assert amendment.changes["supplier_attendees"]["to"] == "Ms Sato (HR)"
    visit = Visit.objects.get(pk=draft.pk)
    assert visit.result == VisitResult.MINOR
    assert ImprovementItem.objects.filter(visit_answer__visit=visit).count() == 1
    assert VisitAmendment.objects.count() == 1


def test_an_amendment_that_breaks_the_record_is_refused_whole(draft, buyer):
    answer_all(draft, buyer)
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    with pytest.raises(ValidationError):
        services.visit_amend(
            actor=buyer,
            visit_id=draft.pk,
            reason="typo",
            header={"supplier_attendees": "Ms Sato"},
            answers={"wages": {"outcome": "minor"}},
        )
    visit = Visit.objects.get(pk=draft.pk)
    assert visit.supplier_attendees == "" and not VisitAmendment.objects.exists()
    assert visit.answers.get(item__code="wages").outcome == "conforming"


def test_the_csco_and_suppliers_cannot_amend(draft, buyer, csco, supplier_user):
    answer_all(draft, buyer)
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    with pytest.raises(PermissionDenied):
        services.visit_amend(actor=csco, visit_id=draft.pk, reason="x", header={"summary": "y"})
    with pytest.raises(Visit.DoesNotExist):
        services.visit_amend(
            actor=supplier_user, visit_id=draft.pk, reason="x", header={"summary": "y"}
        )


# --- re-visits ----------------------------------------------------------------------------


def test_a_revisit_closes_a_fixed_item_and_reopens_one_that_is_not(
    make_visit, buyer, supplier, site, supplier_user
):
    first = make_visit(
        supplier=supplier, site=site, visit_date=timezone.localdate() - dt.timedelta(days=60)
    )
    answer_all(
        first,
        buyer,
        findings={"wages": finding(first, category="wages"), "working-hours": finding(first)},
    )
    services.visit_submit(actor=buyer, visit_id=first.pk)
    fixed, not_fixed = ImprovementItem.objects.filter(visit_answer__visit=first).order_by("id")
    Visit.objects.filter(pk=first.pk).update(letter_issued_at=timezone.now())  # the letter
    for item in (fixed, not_fixed):
        item_workflow.item_action_plan_submit(
            actor=supplier_user, item_id=item.pk, action_plan="Plan"
        )
    revisit = make_visit(supplier=supplier, site=site)
    services.follow_up_set(
        actor=buyer, visit_id=revisit.pk, improvement_item_id=fixed.pk, decision="close"
    )
    services.follow_up_set(
        actor=buyer,
        visit_id=revisit.pk,
        improvement_item_id=not_fixed.pk,
        decision="reopen",
        note="Time records still incomplete.",
    )
    answer_all(revisit, buyer, prefix="r")
    services.visit_submit(actor=buyer, visit_id=revisit.pk)
    fixed.refresh_from_db()
    not_fixed.refresh_from_db()
    assert fixed.status == ImprovementStatus.CLOSED
    assert not_fixed.status == ImprovementStatus.OPEN
    assert not_fixed.review_note == "Time records still incomplete."
    assert revisit.follow_ups.filter(applied_at__isnull=False).count() == 2


def test_a_revisit_cannot_close_an_item_the_supplier_has_not_answered(
    draft, make_visit, buyer, supplier, site
):
    answer_all(draft, buyer, findings={"wages": finding(draft, category="wages")})
    services.visit_submit(actor=buyer, visit_id=draft.pk)
    item = ImprovementItem.objects.get()
    revisit = make_visit(supplier=supplier, site=site)
    with pytest.raises(Conflict):
        services.follow_up_set(
            actor=buyer, visit_id=revisit.pk, improvement_item_id=item.pk, decision="close"
        )
    with pytest.raises(ValidationError) as exc:
        services.follow_up_set(
            actor=buyer, visit_id=revisit.pk, improvement_item_id=987654, decision="close"
        )
    assert "improvement_item" in _messages(exc)
    assert not revisit.follow_ups.exists()
