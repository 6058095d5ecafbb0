"""The improvement-guidance letter: its text read back out of the PDF (English and
Japanese), one stable document per content, e-mails keyed per visit and version, the
refusals (no findings, a draft, the wrong user), issue and visibility, and batches."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from pypdf import PdfReader

from procurement_portal.core.errors import Conflict
from procurement_portal.documents.models import Document
from procurement_portal.outbox.models import OutboxMessage
from tests.factories import ContactFactory, SiteFactory, SupplierFactory
from visits import letters, services
from visits.models import LetterBatch, Visit

from .conftest import answer_all

pytestmark = pytest.mark.django_db

VISIT_DAY = dt.date(2026, 10, 6)


@pytest.fixture(autouse=True)
def patient_renderer(settings):
    """Run eagerly, each letter is rendered in a fresh interpreter with the time limit; on
    a machine shared with other test runs that can pass 30 s, and these tests are about
    the letter's content, not the limit (tests/documents has the limit's own tests)."""
    settings.PDF_RENDER_TIMEOUT = 180


@pytest.fixture(autouse=True)
def documents_folder(settings, tmp_path):
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "allow_overwrite": True},
        },
    }
    return folder


def finding(code, *, outcome="minor", category="working_hours", due, action, note=""):
    return code, {
        "outcome": outcome,
        "note": note or f"Observed at {code}.",
        "guidance_category": category,
        "required_action": action,
        "due_date": due.isoformat(),
    }


def submitted_visit(actor, supplier, site, findings, *, day=VISIT_DAY, kind="svr"):
    """A visit logged, answered and submitted through the real services."""
    visit = services.visit_create(
        actor=actor,
        supplier_id=supplier.pk,
        site_id=site.pk,
        kind=kind,
        visit_date=day,
        methods=["interview", "inspection"],
    )
    answer_all(visit, actor, findings=dict(findings), prefix=f"v{visit.pk}")
    return services.visit_submit(actor=actor, visit_id=visit.pk)


@pytest.fixture
def two_findings():
    return [
        finding(
            "working-hours",
            due=dt.date(2026, 12, 15),
            action="Keep overtime within the 36 agreement and record it daily.",
        ),
        finding(
            "chemical-storage",
            outcome="significant",
            category="chemical_management",
            due=dt.date(2027, 1, 20),
            action="Store solvents in the ventilated cabinet and label every container.",
        ),
    ]


def pdf_text(document: Document) -> str:
    document.refresh_from_db()
    assert document.state == Document.State.READY, document.error
    with storages["documents"].open(document.file.name, "rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def day(value: dt.date, language: str = "en") -> str:
    with translation.override(language):
        return date_format(value, "DATE_FORMAT")


def squashed(text: str) -> str:
    """Text without whitespace: PDF extraction breaks lines where the layout did."""
    return "".join(text.split())


@pytest.fixture
def en_supplier(visits_reference):
    supplier = SupplierFactory(
        code="ACME-EN", legal_name="Acme Parts Co., Ltd.", preferred_language="en"
    )
    ContactFactory(supplier=supplier, name="Pat Primary", email="pat@acme.example",
                   language="en", is_primary=True)  # fmt: skip
    ContactFactory(supplier=supplier, name="山田 花子", email="hanako@acme.example", language="ja")
    return supplier


@pytest.fixture
def ja_supplier(visits_reference):
    supplier = SupplierFactory(
        code="YAMA-JA",
        legal_name="Yamada Seiko K.K.",
        local_name="山田精工株式会社",
        preferred_language="ja",
    )
    ContactFactory(supplier=supplier, name="佐藤 一郎", email="sato@yamada.example",
                   language="ja", is_primary=True)  # fmt: skip
    return supplier


def test_the_english_letter_lists_each_finding_its_action_and_due_date(
    buyer, en_supplier, two_findings
):
    # Given a submitted visit with two findings, for a supplier who reads English
    site = SiteFactory(supplier=en_supplier, name="Kawasaki plant", city="Kawasaki")
    visit = submitted_visit(buyer, en_supplier, site, two_findings)

    # When staff issue the letter (the render task runs eagerly here)
    document = letters.letter_request(actor=buyer, visit_id=visit.pk)

    # Then the PDF says what was found, what is required, by when, and whom to contact
    text = squashed(pdf_text(document))
    for expected in (
        "Acme Parts Co., Ltd.",
        "Attn: Pat Primary",
        "Kawasaki plant",
        f"Improvement guidance following the Supplier Visit Record of {day(VISIT_DAY)}",
        "Keep overtime within the 36 agreement and record it daily.",
        "Store solvents in the ventilated cabinet and label every container.",
        day(dt.date(2026, 12, 15)),
        day(dt.date(2027, 1, 20)),
        "Significant finding",
        "buyer@portal.example",
        f"VIS-{visit.pk}",
    ):
        assert squashed(expected) in text, expected
    # And the letter is issued as version 1, announced to each contact in their language
    visit.refresh_from_db()
    assert (visit.letter_document_id, visit.letter_version) == (document.pk, 1)
    assert visit.letter_issued_at is not None
    sent = OutboxMessage.objects.filter(key__startswith=f"visit-letter:{visit.pk}:v1:")
    by_address = {m.to: m for m in sent}
    assert set(by_address) == {"pat@acme.example", "hanako@acme.example"}
    assert by_address["pat@acme.example"].subject.startswith("Improvement guidance")
    assert "改善" in by_address["hanako@acme.example"].subject
    assert reverse("documents:download", kwargs={"pk": document.pk}) in (
        by_address["pat@acme.example"].body_text
    )


def test_the_japanese_letter_reads_in_japanese_with_its_due_dates(buyer, ja_supplier, two_findings):
    site = SiteFactory(supplier=ja_supplier, name="本社工場", address="大阪府堺市1-2-3", city="")
    visit = submitted_visit(buyer, ja_supplier, site, two_findings)

    document = letters.letter_request(actor=buyer, visit_id=visit.pk)

    assert document.language == "ja"
    text = squashed(pdf_text(document))
    for expected in (
        "山田精工株式会社 御中",
        "佐藤 一郎",
        "本社工場",
        "改善指導",
        "2026年12月15日",
        "2027年1月20日",
        "必要な対応",
        "Keep overtime within the 36 agreement and record it daily.",
    ):
        assert squashed(expected) in text, expected
    (message,) = OutboxMessage.objects.filter(key__startswith=f"visit-letter:{visit.pk}:")
    assert message.language == "ja" and message.to == "sato@yamada.example"


def test_asking_again_gives_the_same_document_and_sends_nothing_new(
    buyer, en_supplier, two_findings
):
    site = SiteFactory(supplier=en_supplier)
    visit = submitted_visit(buyer, en_supplier, site, two_findings)
    first = letters.letter_request(actor=buyer, visit_id=visit.pk)
    messages = OutboxMessage.objects.count()

    again = letters.letter_request(actor=buyer, visit_id=visit.pk)

    assert again.pk == first.pk and again.version == 1
    assert Document.objects.filter(kind=letters.LETTER_KIND).count() == 1
    assert OutboxMessage.objects.count() == messages
    # and issuing it once more (a redelivered task) changes nothing either
    assert letters.letter_issue(visit_id=visit.pk).outcome == "already-issued"
    assert OutboxMessage.objects.count() == messages


def test_an_amended_finding_gives_version_two_announced_once_more(buyer, en_supplier, two_findings):
    site = SiteFactory(supplier=en_supplier)
    visit = submitted_visit(buyer, en_supplier, site, two_findings)
    first = letters.letter_request(actor=buyer, visit_id=visit.pk)
    services.visit_amend(
        actor=buyer,
        visit_id=visit.pk,
        reason="The due date was agreed later.",
        answers={"working-hours": {"due_date": "2027-02-01"}},
    )

    second = letters.letter_request(actor=buyer, visit_id=visit.pk)

    assert second.pk != first.pk and second.version == 2
    assert squashed(day(dt.date(2027, 2, 1))) in squashed(pdf_text(second))
    visit.refresh_from_db()
    assert visit.letter_version == 2 and visit.letter_document_id == second.pk
    assert OutboxMessage.objects.filter(key__startswith=f"visit-letter:{visit.pk}:v2:").count() == 2


def test_a_visit_without_findings_gets_no_letter(buyer, en_supplier):
    site = SiteFactory(supplier=en_supplier)
    visit = submitted_visit(buyer, en_supplier, site, [])

    with pytest.raises(letters.NoFindings, match="no minor or significant findings"):
        letters.letter_request(actor=buyer, visit_id=visit.pk)

    visit.refresh_from_db()
    assert visit.letter_document_id is None and visit.letter_issued_at is None
    assert not Document.objects.exists() and not OutboxMessage.objects.exists()


def test_a_draft_gets_no_letter(buyer, en_supplier):
    site = SiteFactory(supplier=en_supplier)
    draft = services.visit_create(
        actor=buyer, supplier_id=en_supplier.pk, site_id=site.pk, kind="svr", visit_date=VISIT_DAY
    )
    with pytest.raises(Conflict, match="submitted visit only"):
        letters.letter_request(actor=buyer, visit_id=draft.pk)
    assert not Document.objects.exists()


def test_only_staff_who_log_the_visit_kind_issue_letters(
    buyer, csco, infosec_assessor, supplier_user, en_supplier, two_findings
):
    site = SiteFactory(supplier=en_supplier)
    visit = submitted_visit(buyer, en_supplier, site, two_findings)
    with pytest.raises(PermissionDenied):
        letters.letter_request(actor=csco, visit_id=visit.pk)  # reads all, changes nothing
    with pytest.raises(Http404):
        letters.letter_request(actor=infosec_assessor, visit_id=visit.pk)  # not their kind
    with pytest.raises(Http404):
        letters.letter_request(actor=supplier_user, visit_id=visit.pk)
    assert not Document.objects.exists()


def test_the_supplier_downloads_the_letter_once_issued_and_others_do_not(
    login, buyer, en_supplier, two_findings, other_supplier_user, django_user_model
):
    from tests.factories import MembershipFactory, UserFactory

    member = UserFactory(email="member@acme.example", role="supplier")
    MembershipFactory(user=member, supplier=en_supplier)
    site = SiteFactory(supplier=en_supplier)
    visit = submitted_visit(buyer, en_supplier, site, two_findings)
    url = reverse("documents:download", kwargs={"pk": 1})

    # before the letter exists the supplier does not even see the visit
    assert Visit.objects.visible_to(member).count() == 0
    document = letters.letter_request(actor=buyer, visit_id=visit.pk)
    url = reverse("documents:download", kwargs={"pk": document.pk})

    response = login(member).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert login(buyer).get(url).status_code == 200
    assert login(other_supplier_user).get(url).status_code == 404


def test_a_pending_letter_stays_hidden_from_the_supplier(login, buyer, en_supplier, two_findings):
    from tests.factories import MembershipFactory, UserFactory

    member = UserFactory(email="member@acme.example", role="supplier")
    MembershipFactory(user=member, supplier=en_supplier)
    site = SiteFactory(supplier=en_supplier)
    visit = submitted_visit(buyer, en_supplier, site, two_findings)
    # Given a letter asked for but not yet rendered (its task still queued)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("visits.letter_tasks.start_issue", lambda *a, **k: None)
        document = letters.letter_request(actor=buyer, visit_id=visit.pk)
    assert document.state == Document.State.PENDING
    url = reverse("documents:download", kwargs={"pk": document.pk})
    assert login(member).get(url).status_code == 404


# --- Batches -------------------------------------------------------------------------------


def test_a_batch_issues_every_letter_of_the_period_and_counts_them(
    buyer, en_supplier, ja_supplier, two_findings
):
    en_site = SiteFactory(supplier=en_supplier)
    ja_site = SiteFactory(supplier=ja_supplier)
    inside = [
        submitted_visit(buyer, en_supplier, en_site, two_findings, day=dt.date(2026, 10, 1)),
        submitted_visit(buyer, ja_supplier, ja_site, two_findings[:1], day=dt.date(2026, 10, 20)),
    ]
    submitted_visit(buyer, en_supplier, en_site, [], day=dt.date(2026, 10, 2))  # no findings
    outside = submitted_visit(buyer, en_supplier, en_site, two_findings, day=dt.date(2026, 9, 30))

    batch = letters.letter_batch_start(
        actor=buyer, period_start="2026-10-01", period_end="2026-10-31"
    )

    batch.refresh_from_db()
    assert (batch.total, batch.done, batch.failed) == (2, 2, 0)
    assert batch.finished_at is not None
    for visit in inside:
        visit.refresh_from_db()
        assert visit.letter_issued_at is not None and visit.letter_version == 1
    outside.refresh_from_db()
    assert outside.letter_document_id is None
    assert OutboxMessage.objects.filter(key__startswith="visit-letter:").count() == 3


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("", "2026-10-31", "period_start", "YYYY-MM-DD"),
        ("2026-10-31", "31/10/2026", "period_end", "YYYY-MM-DD"),
        ("2026-10-31", "2026-10-01", "period_end", "before its start"),
        ("2020-01-01", "2020-01-31", "period_start", "No submitted visit"),
    ],
)
def test_a_batch_with_a_bad_period_is_refused_and_nothing_is_saved(
    buyer, visits_reference, start, end, field, message
):
    with pytest.raises(ValidationError) as refused:
        letters.letter_batch_start(actor=buyer, period_start=start, period_end=end)
    assert message in " ".join(refused.value.message_dict[field])
    assert not LetterBatch.objects.exists()


def test_batches_are_for_staff_who_issue_letters(supplier_user, csco, visits_reference):
    for user in (supplier_user, csco):
        with pytest.raises(PermissionDenied):
            letters.letter_batch_start(
                actor=user, period_start="2026-10-01", period_end="2026-10-31"
            )


# --- Demo ----------------------------------------------------------------------------------


def test_the_letter_demo_issues_letters_in_both_languages_once(settings):
    from assessments.demo import build_assessment_demo
    from suppliers import demo
    from visits.demo import build_visit_demo
    from visits.letter_demo import build_letter_demo

    demo.build_demo(suppliers=60)
    build_assessment_demo()
    build_visit_demo()

    made = build_letter_demo()
    again = build_letter_demo()

    assert made.batches == 1 and again.batches == 0
    assert set(made.languages) == {"en", "ja"}
    batch = LetterBatch.objects.get()
    assert batch.done == batch.total > 0 and batch.finished_at is not None
    assert made.letters >= 4
    assert OutboxMessage.objects.filter(key__startswith="visit-letter:").exists()


# --- Pages -----------------------------------------------------------------------------


def test_the_letter_pages_permission_matrix(
    client, login, buyer, csco, supplier_user, en_supplier, two_findings
):
    site = SiteFactory(supplier=en_supplier)
    visit = submitted_visit(buyer, en_supplier, site, two_findings)
    batches = reverse("visits:letter-batches")
    issue = reverse("visits:visit-letter", kwargs={"pk": visit.pk})

    assert client.get(batches).status_code == 302  # anonymous: to the login page
    assert login(supplier_user).get(batches).status_code == 403
    assert login(supplier_user).post(issue).status_code == 404  # not visible before issue
    read_only = login(csco).get(batches)
    assert read_only.status_code == 200 and b'name="period_start"' not in read_only.content
    assert login(csco).post(issue).status_code == 403
    assert login(csco).post(batches, {"period_start": "2026-10-01"}).status_code == 403

    # staff issue the visit's letter from its page and land on the download
    response = login(buyer).post(issue)
    document = Visit.objects.get(pk=visit.pk).letter_document
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:download", kwargs={"pk": document.pk})
    assert login(buyer).get(issue)["Location"] == response["Location"]


def test_the_batch_page_starts_a_batch_and_shows_its_progress(
    login, buyer, en_supplier, two_findings
):
    site = SiteFactory(supplier=en_supplier)
    submitted_visit(buyer, en_supplier, site, two_findings)
    client = login(buyer)

    refused = client.post(
        reverse("visits:letter-batches"), {"period_start": "2026-10-31", "period_end": "x"}
    )
    assert refused.status_code == 400 and not LetterBatch.objects.exists()

    response = client.post(
        reverse("visits:letter-batches"),
        {"period_start": "2026-10-01", "period_end": "2026-10-31", "kind": ""},
    )
    batch = LetterBatch.objects.get()
    assert response["Location"] == reverse("visits:letter-batch", kwargs={"pk": batch.pk})
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'id="count-done">1<' in page.content and b'id="finished"' in page.content
    poll = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b"<html" not in poll.content and b'id="count-total">1<' in poll.content


def test_a_letter_for_a_visit_without_findings_is_refused_on_the_page(login, buyer, en_supplier):
    site = SiteFactory(supplier=en_supplier)
    visit = submitted_visit(buyer, en_supplier, site, [])
    response = login(buyer).post(
        reverse("visits:visit-letter", kwargs={"pk": visit.pk}), follow=True
    )
    assert "no minor or significant findings" in response.content.decode()
    assert not Document.objects.exists()
