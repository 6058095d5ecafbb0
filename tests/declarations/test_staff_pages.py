"""Staff pages: versions, signatures, revocation, paper declarations one by one and in
bulk, coverage of a year's new suppliers with requests and reminders through the outbox."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from declarations.models import Channel, Revocation, Signature, VersionStatus
from declarations.selectors import suppliers_with_valid_declaration, valid_signatures_on
from procurement_portal.fiscal import current_fiscal_year
from procurement_portal.outbox.models import OutboxMessage
from tests.factories import ContactFactory, SupplierFactory

from .helpers import make_version, sign

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n166\n%%EOF\n"
)


def _scan():
    return SimpleUploadedFile("declaration scan.pdf", PDF, content_type="application/pdf")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("buyer", 200),
        ("csco", 200),
        ("infosec_assessor", 200),
        ("compliance_officer", 200),
        ("admin_user", 200),
        ("supplier_user", 403),
    ],
)
def test_staff_pages_are_read_by_every_company_role(request, login, role, status, version):
    client = login(request.getfixturevalue(role))
    for name in ("versions", "signatures", "coverage"):
        assert client.get(reverse(f"declarations:{name}")).status_code == status, name
    assert (
        client.get(reverse("declarations:version-detail", args=[version.pk])).status_code == status
    )


def test_the_csco_reads_but_records_nothing(login, csco, new_supplier, version):
    client = login(csco)
    assert client.get(reverse("declarations:paper")).status_code == 403
    assert client.get(reverse("declarations:paper-import")).status_code == 403
    response = client.post(
        reverse("declarations:coverage-remind"),
        {"fiscal_year": current_fiscal_year().year, "kind": "env-safety-health"},
    )
    assert response.status_code == 403
    coverage = client.get(reverse("declarations:coverage")).content.decode()
    assert "E-mail their contacts" not in coverage


def test_an_administrator_publishes_a_new_version_which_retires_the_old_one_and_asks_again(
    login, admin_user, supplier_user, new_supplier, version, django_capture_on_commit_callbacks
):
    ContactFactory(supplier=new_supplier, email="hanako@acme.example", language="ja")
    sign(supplier_user, new_supplier, version)
    draft = make_version(number=2, publish=False)
    client = login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("declarations:version-publish", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    version.refresh_from_db()
    assert (draft.status, version.status) == (VersionStatus.PUBLISHED, VersionStatus.RETIRED)
    # The signer of version 1 is asked to sign version 2, in the contact's language.
    message = OutboxMessage.objects.get(to="hanako@acme.example")
    assert message.language == "ja"
    assert reverse("declarations:sign", args=[draft.pk]) in message.body_text
    # A published version is frozen, whatever the path.
    from django.core.exceptions import ValidationError

    from declarations.services import version_save

    draft.text_en = "Changed after publication."
    with pytest.raises(ValidationError, match="frozen"):
        version_save(actor=admin_user, version=draft)
    # Publishing twice is refused.
    again = client.post(reverse("declarations:version-publish", args=[draft.pk]), follow=True)
    assert "Only a draft can be published" in again.content.decode()


def test_procurement_staff_cannot_publish(login, buyer):
    draft = make_version(publish=False)
    response = login(buyer).post(reverse("declarations:version-publish", args=[draft.pk]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_staff_revoke_with_a_reason_and_the_declaration_stops_counting(
    login, buyer, supplier_user, new_supplier, version
):
    signature = sign(supplier_user, new_supplier, version)
    today = timezone.localdate()
    assert list(suppliers_with_valid_declaration(today)) == [new_supplier.pk]
    client = login(buyer)
    url = reverse("declarations:signature-revoke", args=[signature.pk])

    blank = client.post(url, {"reason": "", "effective_date": today.isoformat()})
    assert "Reason: This field is required." in blank.content.decode()
    before = client.post(
        url,
        {"reason": "Wrong", "effective_date": (signature.signed_on - dt.timedelta(days=3))},
    )
    assert "cannot take effect before the signature" in before.content.decode()
    assert not Revocation.objects.exists()

    done = client.post(url, {"reason": "The contract ended.", "effective_date": today})
    assert done.status_code == 302
    assert list(suppliers_with_valid_declaration(today)) == []
    assert list(suppliers_with_valid_declaration(today - dt.timedelta(days=1))) == []
    twice = client.post(url, {"reason": "Again", "effective_date": today})
    assert "already revoked" in twice.content.decode()
    assert Revocation.objects.count() == 1
    page = client.get(signature.get_absolute_url()).content.decode()
    assert "The contract ended." in page


def test_an_earlier_effective_date_is_allowed_for_past_records(buyer, version):
    from declarations.services import paper_signature_record, signature_revoke

    supplier = SupplierFactory(code="OLD-1")
    signature = paper_signature_record(
        actor=buyer,
        supplier_code="OLD-1",
        version_id=version.pk,
        signed_on=dt.date(2019, 5, 10),
        signer_name="Taro Yamada",
        signer_title="President",
        language="ja",
    )
    signature_revoke(
        actor=buyer,
        signature_id=signature.pk,
        reason="Withdrawn",
        effective_date=dt.date(2020, 1, 1),
    )
    assert supplier.pk in suppliers_with_valid_declaration(dt.date(2019, 12, 31))
    assert supplier.pk not in suppliers_with_valid_declaration(dt.date(2020, 1, 1))
    assert not valid_signatures_on(dt.date(2019, 5, 9)).exists()


def test_staff_record_a_paper_declaration_with_its_scan(login, buyer, new_supplier, version):
    client = login(buyer)
    response = client.post(
        reverse("declarations:paper"),
        {
            "supplier_code": "acme-001",
            "version": version.pk,
            "signed_on": "2018-07-02",
            "signer_name": "山田 太郎",
            "signer_title": "代表取締役",
            "language": "ja",
            "scan": _scan(),
        },
    )
    signature = Signature.objects.get()
    assert response.status_code == 302
    assert (signature.channel, signature.supplier, signature.signed_on) == (
        Channel.PAPER,
        new_supplier,
        dt.date(2018, 7, 2),
    )
    assert signature.recorded_by == buyer
    download = client.get(reverse("declarations:signature-scan", args=[signature.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"supplier_code": "NOPE-404"}, "No supplier has the code"),
        ({"signed_on": "FUTURE"}, "cannot be in the future"),
        ({"signer_name": "z" * 300}, "at most 200 characters"),
        ({"scan": "TEXT"}, "Scanned declaration"),
    ],
)
def test_bad_paper_declarations_are_refused_at_their_field(
    login, buyer, new_supplier, version, change, message
):
    data = {
        "supplier_code": "ACME-001",
        "version": version.pk,
        "signed_on": "2018-07-02",
        "signer_name": "Taro Yamada",
        "signer_title": "President",
        "language": "en",
        "scan": _scan(),
    }
    data.update(change)
    if data["signed_on"] == "FUTURE":
        data["signed_on"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    if data["scan"] == "TEXT":
        data["scan"] = SimpleUploadedFile("scan.pdf", b"just text, not a PDF")
    response = login(buyer).post(reverse("declarations:paper"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Signature.objects.exists()


def _csv(*rows):
    header = "supplier_code,declaration,version,signed_on,signer_name,signer_title,language\n"
    body = header + "".join(",".join(row) + "\n" for row in rows)
    return SimpleUploadedFile("paper.csv", body.encode(), content_type="text/csv")


def test_a_bulk_load_of_paper_declarations_is_all_or_nothing_with_every_error_by_row_and_column(
    login, buyer, new_supplier, version
):
    SupplierFactory(code="EURO-17", country="DE")
    client = login(buyer)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    bad = client.post(
        reverse("declarations:paper-import"),
        {
            "file": _csv(
                (
                    "ACME-001",
                    "env-safety-health",
                    "1",
                    "2019-06-14",
                    "Taro Yamada",
                    "President",
                    "ja",
                ),
                ("NOPE-9", "env-safety-health", "1", "2019-06-14", "Anna", "Director", "en"),
                ("EURO-17", "env-safety-health", "1", tomorrow, "Anna", "Director", "en"),
                ("EURO-17", "env-safety-health", "7", "2019-01-01", "Anna", "Director", "en"),
                ("EURO-17", "unknown-kind", "1", "2019-01-01", "", "Director", "en"),
            )
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 200
    assert "Nothing was recorded" in html
    for row, column, text in [
        (3, "supplier_code", "No supplier has the code"),
        (4, "signed_on", "cannot be in the future"),
        (5, "version", "no version 7"),
        (6, "declaration", "is not a declaration"),
        (6, "signer_name", "A value is required"),
    ]:
        assert text in html, (row, column)
        assert f'<td data-label="Row">{row}</td>' in html
    assert not Signature.objects.exists()

    good = client.post(
        reverse("declarations:paper-import"),
        {
            "file": _csv(
                (
                    "ACME-001",
                    "env-safety-health",
                    "1",
                    "2019-06-14",
                    "Taro Yamada",
                    "President",
                    "ja",
                ),
                ("EURO-17", "env-safety-health", "1", "2020-11-02", "Anna Schmidt", "MD", "en"),
            )
        },
    )
    assert good.status_code == 302
    assert Signature.objects.filter(channel=Channel.PAPER).count() == 2
    assert all(s.recorded_by == buyer for s in Signature.objects.all())
    # Loading the same file again records nothing twice.
    client.post(
        reverse("declarations:paper-import"),
        {
            "file": _csv(
                (
                    "ACME-001",
                    "env-safety-health",
                    "1",
                    "2019-06-14",
                    "Taro Yamada",
                    "President",
                    "ja",
                ),
            )
        },
    )
    assert Signature.objects.count() == 2


def test_a_bulk_load_reads_excel_workbooks(login, buyer, new_supplier, version):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["supplier_code", "declaration", "version", "signed_on", "signer_name", "signer_title"]
    )
    sheet.append(
        ["ACME-001", "env-safety-health", 1, dt.datetime(2019, 6, 14), "Taro Yamada", "President"]
    )
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("paper.xlsx", data.getvalue())
    response = login(buyer).post(reverse("declarations:paper-import"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Signature.objects.get().signed_on == dt.date(2019, 6, 14)


def _new(code, region_country, started=None):
    return SupplierFactory(
        code=code,
        country=region_country,
        transactions_started_on=started or current_fiscal_year().start,
    )


def test_coverage_shows_new_suppliers_by_region_and_rises_when_one_signs(
    login, csco, supplier_user, new_supplier, version
):
    _new("JP-2", "JP")
    _new("DE-1", "DE")
    _new("OLD-1", "JP", started=current_fiscal_year().start - dt.timedelta(days=1))
    client = login(csco)
    url = reverse("declarations:coverage")
    query = {"fiscal_year": current_fiscal_year().year, "kind": "env-safety-health"}
    before = client.get(url, query)
    assert before.status_code == 200
    figures = before.context["figures"]
    assert (figures.total, figures.covered) == (3, 0)
    japan = next(r for r in figures.regions if r.region == "japan")
    assert (japan.total, japan.covered) == (2, 0)
    html = before.content.decode()
    assert "JP-2" in html and "DE-1" in html and "OLD-1" not in html

    sign(supplier_user, new_supplier, version)

    after = client.get(url, query).context["figures"]
    assert (after.total, after.covered) == (3, 1)
    assert next(r for r in after.regions if r.region == "japan").covered == 1
    assert "ACME-001" not in client.get(url, query).content.decode()
    # Another kind is not covered by this signature.
    other = client.get(url, {**query, "kind": "responsible-business-conduct"}).context["figures"]
    assert other.covered == 0


def test_coverage_query_count_does_not_grow_with_suppliers(login, csco, version):
    client = login(csco)
    url = reverse("declarations:coverage")
    _new("A-1", "JP")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # the first request also loads what the session caches
    few = count()
    for n in range(30):
        _new(f"MANY-{n}", "JP" if n % 2 else "US")
    assert count() == few


def test_requests_and_reminders_go_to_the_missing_contacts_in_their_language_never_twice(
    login, buyer, supplier_user, new_supplier, version
):
    missing = _new("JP-2", "JP")
    ContactFactory(supplier=missing, email="ken@jp2.example", language="ja")
    ContactFactory(supplier=missing, email="amy@jp2.example", language="en")
    ContactFactory(supplier=new_supplier, email="signed@acme.example", language="en")
    sign(supplier_user, new_supplier, version)
    client = login(buyer)
    form = {"fiscal_year": current_fiscal_year().year, "kind": "env-safety-health"}

    first = client.post(reverse("declarations:coverage-remind"), form, follow=True)
    assert "2 e-mail(s) queued" in first.content.decode()
    messages = {m.to: m for m in OutboxMessage.objects.all()}
    assert set(messages) == {"ken@jp2.example", "amy@jp2.example"}
    assert messages["ken@jp2.example"].language == "ja"
    assert "署名" in messages["ken@jp2.example"].subject or messages["ken@jp2.example"].subject

    again = client.post(reverse("declarations:coverage-remind"), form, follow=True)
    assert "No new e-mail" in again.content.decode()
    assert OutboxMessage.objects.count() == 2

    # The weekly schedule's round is the same round: nothing more this week.
    from declarations.tasks import send_declaration_reminders

    assert send_declaration_reminders.delay().get() == 0
    assert OutboxMessage.objects.count() == 2


def test_next_weeks_round_is_a_reminder(buyer, version, monkeypatch):
    from declarations import reminders

    missing = _new("JP-3", "JP")
    ContactFactory(supplier=missing, email="yui@jp3.example", language="en")
    assert reminders.requests_send(actor=buyer, version_id=version.pk) == 1
    later = timezone.localdate() + dt.timedelta(days=7)
    monkeypatch.setattr(reminders.timezone, "localdate", lambda: later)
    assert reminders.requests_send(actor=None, version_id=version.pk) == 1
    subjects = sorted(OutboxMessage.objects.values_list("subject", flat=True))
    assert subjects[0].startswith("Please sign") and subjects[1].startswith("Reminder")


def test_the_supplier_page_shows_its_declarations(
    login, buyer, supplier_user, new_supplier, version
):
    signature = sign(supplier_user, new_supplier, version)
    html = login(buyer).get(reverse("suppliers:detail", args=[new_supplier.pk])).content.decode()
    assert signature.get_absolute_url() in html
