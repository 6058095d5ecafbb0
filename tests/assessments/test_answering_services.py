"""The supplier's side as services: assignment and carry-over, saving answers of every
type, evidence, the show_if rule, submission."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from assessments.answering import services
from assessments.answering.services import MissingAnswers, StaleAnswer
from assessments.models import (
    Answer,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    Choice,
    Evidence,
    Question,
    QuestionType,
    VersionStatus,
)
from assessments.workflow import TransitionConflict, assessment_transition
from tests.assessments.builders import build_assessment, build_version
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# A real one-page PDF: uploads parse PDFs, so a bare header is refused.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)


@pytest.fixture
def version():
    return build_version()


@pytest.fixture
def assessment(supplier, version):
    return build_assessment(supplier=supplier, version=version)


def save(user, assessment, code, value=None, **kw) -> Answer:
    return services.answer_save(
        actor=user, assessment_id=assessment.pk, question_code=code, value=value, **kw
    )


def value_error(excinfo) -> list[str]:
    return excinfo.value.message_dict["value"]


# --- assignment -------------------------------------------------------------------------


def test_staff_assigns_a_published_version_once_per_year(buyer, supplier, version):
    # when a buyer assigns the same questionnaire twice for the same year
    first = services.assessment_assign(
        actor=buyer,
        supplier=supplier,
        version=version,
        fiscal_year=2026,
        due_date=dt.date(2026, 6, 30),
    )
    again = services.assessment_assign(
        actor=buyer, supplier=supplier, version=version, fiscal_year=2026
    )
    # then there is one assessment, not started, assigned by the buyer
    assert first.pk == again.pk
    assert Assessment.objects.filter(supplier=supplier).count() == 1
    assert first.status == AssessmentStatus.NOT_STARTED
    assert first.assigned_by == buyer
    assert first.due_date == dt.date(2026, 6, 30)


def test_a_newer_version_for_the_same_year_returns_the_existing_assessment(
    buyer, supplier, version
):
    first = services.assessment_assign(
        actor=buyer, supplier=supplier, version=version, fiscal_year=2026
    )
    v2 = build_version(number=2)
    again = services.assessment_assign(actor=buyer, supplier=supplier, version=v2, fiscal_year=2026)
    assert again.pk == first.pk and again.version_id == version.pk


@pytest.mark.parametrize("role", ["supplier_user", "csco", "infosec_assessor"])
def test_only_assigning_roles_may_assign(request, role, supplier, version):
    with pytest.raises(PermissionDenied):
        services.assessment_assign(
            actor=request.getfixturevalue(role),
            supplier=supplier,
            version=version,
            fiscal_year=2026,
        )
    assert not Assessment.objects.exists()


def test_a_draft_version_cannot_be_assigned(buyer, supplier):
    draft = build_version(status=VersionStatus.DRAFT)
    with pytest.raises(ValidationError) as excinfo:
        services.assessment_assign(actor=buyer, supplier=supplier, version=draft, fiscal_year=2026)
    assert "published" in excinfo.value.message_dict["version"][0]


def test_an_implausible_fiscal_year_is_refused(buyer, supplier, version):
    with pytest.raises(ValidationError) as excinfo:
        services.assessment_assign(
            actor=buyer, supplier=supplier, version=version, fiscal_year=3000
        )
    assert "fiscal_year" in excinfo.value.message_dict


def test_carry_over_maps_last_years_answers_by_code_and_type(
    buyer, supplier, supplier_user, version
):
    # given last year's answers to version 1
    last = build_assessment(supplier=supplier, version=version, fiscal_year=2025)
    for code, value in [
        ("forced-labour-policy", "yes"),
        ("working-hours", "mostly"),
        ("headcount", "120"),
        ("ems", ["iso14001", "eco-action-21"]),
        ("audit-date", "2025-01-15"),
    ]:
        save(supplier_user, last, code, value)
    # and a version 2 where "mostly" and "eco-action-21" are gone and audit-date is text now
    v2 = build_version(number=2)
    Choice.objects.filter(question__version=v2, code__in=["mostly", "eco-action-21"]).delete()
    Question.objects.filter(version=v2, code="audit-date").update(type=QuestionType.TEXT)
    # when this year's assessment is assigned with carry-over
    new = services.assessment_assign(actor=buyer, supplier=supplier, version=v2, fiscal_year=2026)
    # then the answers that still fit are there, marked carried over, and the rest are not
    carried = {a.question.code: a for a in new.answers.select_related("question")}
    assert new.carried_over_from_id == last.pk
    assert set(carried) == {"forced-labour-policy", "headcount", "ems"}
    assert carried["forced-labour-policy"].value == "yes"
    assert carried["ems"].value == ["iso14001"]
    assert carried["headcount"].value == "120"
    assert all(a.carried_over for a in carried.values())
    assert {a.question.version_id for a in carried.values()} == {v2.pk}


def test_assignment_without_carry_over_starts_empty(buyer, supplier, supplier_user, version):
    last = build_assessment(supplier=supplier, version=version, fiscal_year=2025)
    save(supplier_user, last, "forced-labour-policy", "yes")
    new = services.assessment_assign(
        actor=buyer, supplier=supplier, version=version, fiscal_year=2026, carry_over=False
    )
    assert not new.answers.exists() and new.carried_over_from is None


def test_bulk_assignment_creates_missing_ones_and_keeps_existing(
    buyer, supplier, other_supplier, version, supplier_user
):
    existing = build_assessment(supplier=supplier, version=version, fiscal_year=2026)
    result = services.assessments_assign_many(
        actor=buyer, suppliers=[supplier, other_supplier], version=version, fiscal_year=2026
    )
    assert [a.supplier_id for a in result] == sorted([supplier.pk, other_supplier.pk])
    assert existing.pk in {a.pk for a in result}
    assert Assessment.objects.count() == 2


# --- saving answers, type by type ---------------------------------------------------------


def test_first_answer_starts_the_assessment(supplier_user, assessment):
    answer = save(supplier_user, assessment, "forced-labour-policy", "yes")
    assessment.refresh_from_db()
    assert answer.value == "yes" and answer.revision == 1 and answer.updated_by == supplier_user
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    event = AssessmentEvent.objects.get(assessment=assessment)
    assert (event.from_status, event.to_status, event.actor) == (
        "not_started",
        "in_progress",
        supplier_user,
    )


def test_yes_no_and_single_choice_accept_only_their_codes(supplier_user, assessment):
    assert save(supplier_user, assessment, "working-hours", "always").value == "always"
    with pytest.raises(ValidationError) as excinfo:
        save(supplier_user, assessment, "forced-labour-policy", "maybe")
    assert value_error(excinfo) == ["Choose one of the options."]
    with pytest.raises(ValidationError):
        save(supplier_user, assessment, "working-hours", ["always", "never"])
    assert Answer.objects.get(question__code="working-hours").value == "always"


def test_multiple_choice_wants_distinct_known_codes_in_questionnaire_order(
    supplier_user, assessment
):
    assert save(supplier_user, assessment, "ems", ["none", "iso14001"]).value == [
        "iso14001",
        "none",
    ]
    with pytest.raises(ValidationError) as excinfo:
        save(supplier_user, assessment, "ems", ["iso14001", "iso14001"])
    assert value_error(excinfo) == ["Choose each option only once."]
    with pytest.raises(ValidationError) as excinfo:
        save(supplier_user, assessment, "ems", ["iso9001"])
    assert value_error(excinfo) == ["Choose only from the options shown."]
    assert Answer.objects.get(question__code="ems").value == ["iso14001", "none"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("120", "120"),
        ("1,200", "1200"),
        ("\uff11\uff12\uff10", "120"),  # full-width digits, as a Japanese IME types them
        ("12.50", "12.5"),
        (0, "0"),
        ("1000000", "1000000"),
    ],
)
def test_numbers_are_stored_as_exact_strings(supplier_user, assessment, typed, stored):
    assert save(supplier_user, assessment, "headcount", typed).value == stored


@pytest.mark.parametrize(
    "typed", ["-1", "1000001", "abc", "1e999999", "NaN", "Infinity", True, ["1"]]
)
def test_numbers_out_of_bounds_or_not_numbers_are_refused_with_the_bounds(
    supplier_user, assessment, typed
):
    with pytest.raises(ValidationError) as excinfo:
        save(supplier_user, assessment, "headcount", typed)
    assert value_error(excinfo) == ["Enter a number between 0 and 1,000,000."]
    assert not Answer.objects.exists()


def test_dates_must_be_real_iso_dates(supplier_user, assessment):
    assert save(supplier_user, assessment, "audit-date", "2026-02-28").value == "2026-02-28"
    with pytest.raises(ValidationError) as excinfo:
        save(supplier_user, assessment, "audit-date", "2026-02-30")
    assert value_error(excinfo) == ["Enter a real date, for example 2026-03-31."]
    with pytest.raises(ValidationError) as excinfo:
        save(supplier_user, assessment, "audit-date", "28/02/2026")
    assert "YYYY-MM-DD" in value_error(excinfo)[0]


def test_text_is_trimmed_and_limited(supplier_user, assessment):
    assert save(supplier_user, assessment, "forced-labour-plan", "  A plan.  ").value == "A plan."
    with pytest.raises(ValidationError) as excinfo:
        save(supplier_user, assessment, "forced-labour-plan", "x" * 10_001)
    assert value_error(excinfo) == [
        "Keep the answer to 10,000 characters or fewer (it has 10,001)."
    ]
    assert Answer.objects.get().value == "A plan."


def test_file_questions_are_not_answered_with_a_value(supplier_user, assessment):
    with pytest.raises(ValidationError) as excinfo:
        save(supplier_user, assessment, "certificate", "x.pdf")
    assert value_error(excinfo) == ["Upload a file to answer this question."]


def test_not_applicable_only_where_allowed(supplier_user, assessment):
    answer = save(supplier_user, assessment, "working-hours", "always")
    answer = save(supplier_user, assessment, "working-hours", "always", not_applicable=True)
    assert answer.not_applicable and answer.value is None and answer.is_answered
    with pytest.raises(ValidationError) as excinfo:
        save(supplier_user, assessment, "headcount", None, not_applicable=True)
    assert "not_applicable" in excinfo.value.message_dict


def test_an_empty_value_clears_the_answer(supplier_user, assessment):
    save(supplier_user, assessment, "headcount", "5")
    answer = save(supplier_user, assessment, "headcount", "")
    assert answer.value is None and not answer.is_answered and answer.revision == 2


def test_an_unknown_question_code_is_not_found(supplier_user, assessment):
    with pytest.raises(Question.DoesNotExist):
        save(supplier_user, assessment, "no-such-question", "yes")


def test_saving_confirms_a_carried_over_answer(supplier_user, assessment):
    question = Question.objects.get(code="headcount")
    Answer.objects.create(assessment=assessment, question=question, value="7", carried_over=True)
    answer = save(supplier_user, assessment, "headcount", "7")
    assert not answer.carried_over and answer.revision == 2


def test_a_stale_revision_is_refused_with_the_current_answer(supplier_user, assessment, supplier):
    colleague = UserFactory(role="supplier")
    MembershipFactory(user=colleague, supplier=supplier)
    save(supplier_user, assessment, "headcount", "10", expected_revision=0)
    save(colleague, assessment, "headcount", "12", expected_revision=1)
    # when the first user saves based on revision 1, which the colleague has replaced
    with pytest.raises(StaleAnswer) as excinfo:
        save(supplier_user, assessment, "headcount", "11", expected_revision=1)
    # then nothing is saved and the error carries the colleague's answer
    assert excinfo.value.answer.value == "12" and excinfo.value.answer.revision == 2
    assert Answer.objects.get().value == "12"


def test_two_users_answering_different_questions_keep_both(supplier_user, assessment, supplier):
    colleague = UserFactory(role="supplier")
    MembershipFactory(user=colleague, supplier=supplier)
    # both opened the page with nothing answered (revision 0 everywhere)
    save(supplier_user, assessment, "forced-labour-policy", "yes", expected_revision=0)
    save(colleague, assessment, "headcount", "300", expected_revision=0)
    values = dict(Answer.objects.values_list("question__code", "value"))
    assert values == {"forced-labour-policy": "yes", "headcount": "300"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_saves_of_different_questions_on_postgresql(supplier, supplier_user):
    colleague = UserFactory(role="supplier")
    MembershipFactory(user=colleague, supplier=supplier)
    assessment = build_assessment(supplier=supplier)
    codes = ["forced-labour-policy", "working-hours", "headcount", "ems"]
    values = {
        "forced-labour-policy": "yes",
        "working-hours": "always",
        "headcount": "9",
        "ems": ["none"],
    }
    errors = []

    def work(user, code):
        try:
            save(user, assessment, code, values[code], expected_revision=0)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(supplier_user if i % 2 else colleague, code))
        for i, code in enumerate(codes)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert dict(Answer.objects.values_list("question__code", "value")) == values


def test_another_suppliers_assessment_is_not_found(other_supplier_user, assessment):
    with pytest.raises(Assessment.DoesNotExist):
        save(other_supplier_user, assessment, "forced-labour-policy", "yes")
    assert not Answer.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "csco", "admin_user"])
def test_staff_cannot_answer(request, role, assessment):
    with pytest.raises(PermissionDenied):
        save(request.getfixturevalue(role), assessment, "forced-labour-policy", "yes")


# --- show_if and submission -------------------------------------------------------------


def answer_all_required(user, assessment):
    save(user, assessment, "forced-labour-policy", "yes")
    save(user, assessment, "working-hours", "always")
    save(user, assessment, "headcount", "10")
    save(user, assessment, "ems", ["iso14001"])


def test_a_hidden_question_is_never_required(supplier_user, assessment):
    answer_all_required(supplier_user, assessment)
    assert services.missing_required(assessment) == []
    # when the policy answer becomes "no", the plan question is shown and required
    save(supplier_user, assessment, "forced-labour-policy", "no")
    missing = services.missing_required(assessment)
    assert [(s.code, q.code) for s, q in missing] == [("people", "forced-labour-plan")]


def test_submission_lists_every_missing_answer_and_changes_nothing(supplier_user, assessment):
    save(supplier_user, assessment, "headcount", "10")
    with pytest.raises(MissingAnswers) as excinfo:
        services.assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    assert [q.code for _s, q in excinfo.value.missing] == [
        "forced-labour-policy",
        "working-hours",
        "ems",
    ]
    assert len(excinfo.value.message_dict["answers"]) == 3
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


def test_submit_locks_the_answers_and_twice_is_a_conflict(supplier_user, assessment):
    answer_all_required(supplier_user, assessment)
    submitted = services.assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    assert submitted.status == AssessmentStatus.SUBMITTED and submitted.submitted_at
    events = AssessmentEvent.objects.count()
    with pytest.raises(TransitionConflict):
        services.assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    with pytest.raises(TransitionConflict):
        save(supplier_user, assessment, "headcount", "11")
    assert AssessmentEvent.objects.count() == events
    assert Answer.objects.get(question__code="headcount").value == "10"


def test_a_returned_assessment_can_be_edited_and_resubmitted(supplier_user, buyer, assessment):
    answer_all_required(supplier_user, assessment)
    services.assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    assessment_transition(assessment_id=assessment.pk, to=AssessmentStatus.RETURNED, actor=buyer)
    save(supplier_user, assessment, "headcount", "11")
    again = services.assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    assert again.status == AssessmentStatus.SUBMITTED


def test_staff_cannot_submit(buyer, supplier_user, assessment):
    answer_all_required(supplier_user, assessment)
    with pytest.raises(PermissionDenied):
        services.assessment_submit(actor=buyer, assessment_id=assessment.pk)


# --- evidence ---------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_evidence_upload_answers_the_file_question(supplier_user, assessment, media):
    upload = SimpleUploadedFile("ISO 証明書.pdf", PDF, content_type="application/pdf")
    evidence = services.evidence_add(
        actor=supplier_user,
        assessment_id=assessment.pk,
        question_code="certificate",
        uploaded_file=upload,
    )
    assert evidence.original_name == "ISO 証明書.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.startswith("evidence/") and evidence.file.name.endswith(".pdf")
    assert "証明書" not in evidence.file.name
    answer = evidence.answer
    answer.refresh_from_db()
    assert answer.value == ["ISO 証明書.pdf"] and answer.is_answered
    # when it is removed again the question is unanswered
    answer = services.evidence_remove(actor=supplier_user, evidence_id=evidence.pk)
    assert answer.value is None and not Evidence.objects.exists()


def test_evidence_of_a_refused_kind_leaves_nothing(supplier_user, assessment, media):
    upload = SimpleUploadedFile("tool.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ValidationError) as excinfo:
        services.evidence_add(
            actor=supplier_user,
            assessment_id=assessment.pk,
            question_code="certificate",
            uploaded_file=upload,
        )
    assert "file" in excinfo.value.message_dict
    assert not Evidence.objects.exists() and not Answer.objects.exists()


def test_evidence_only_for_file_questions(supplier_user, assessment, media):
    upload = SimpleUploadedFile("a.pdf", PDF)
    with pytest.raises(ValidationError):
        services.evidence_add(
            actor=supplier_user,
            assessment_id=assessment.pk,
            question_code="headcount",
            uploaded_file=upload,
        )


def test_another_supplier_cannot_remove_evidence(
    supplier_user, other_supplier_user, assessment, media
):
    evidence = services.evidence_add(
        actor=supplier_user, assessment_id=assessment.pk, question_code="certificate",
        uploaded_file=SimpleUploadedFile("a.pdf", PDF),
    )  # fmt: skip
    with pytest.raises(Evidence.DoesNotExist):
        services.evidence_remove(actor=other_supplier_user, evidence_id=evidence.pk)
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_saving_an_answer_takes_a_handful_of_queries_whatever_the_size(
    supplier_user, supplier, version
):
    from decimal import Decimal

    from django.test.utils import CaptureQueriesContext

    from suppliers.models import PriorityRisk

    small = build_assessment(supplier=supplier, version=version, fiscal_year=2025)
    big_version = build_version(code="big", number=1)
    section = big_version.sections.first()
    risk = PriorityRisk.objects.first()
    Question.objects.bulk_create(
        Question(
            version=big_version,
            section=section,
            code=f"n{i}",
            position=100 + i,
            risk=risk,
            type=QuestionType.NUMBER,
            text_en=f"N{i}?",
            min_value=Decimal(0),
        )
        for i in range(100)
    )
    big = build_assessment(supplier=supplier, version=big_version, fiscal_year=2026)
    counts = []
    for a in (small, big):
        save(supplier_user, a, "headcount", "1")  # the first save also starts the assessment
        with CaptureQueriesContext(connection) as captured:
            save(supplier_user, a, "headcount", "2")
        counts.append(len(captured.captured_queries))
    # savepoint, assessment (locked), question, answer (locked), audit diff + entry, update
    assert counts[0] == counts[1] <= 8


def test_a_file_question_may_be_not_applicable_where_allowed(supplier_user, assessment, media):
    Question.objects.filter(code="certificate").update(allow_not_applicable=True)
    answer = save(supplier_user, assessment, "certificate", "", not_applicable=True)
    assert answer.not_applicable and answer.is_answered
    services.evidence_add(
        actor=supplier_user, assessment_id=assessment.pk, question_code="certificate",
        uploaded_file=SimpleUploadedFile("a.pdf", PDF),
    )  # fmt: skip
    # unticking "not applicable" leaves the uploaded files as the answer
    answer = save(supplier_user, assessment, "certificate", "")
    assert answer.value == ["a.pdf"] and not answer.not_applicable
