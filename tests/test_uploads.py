"""Upload checks by content, private storage and private downloads (procurement_portal.uploads)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from openpyxl import Workbook
from pypdf import PdfWriter

from procurement_portal import uploads
from procurement_portal.uploads import (
    display_name,
    private_storage,
    safe_storage_name,
    serve_private_file,
    validate_upload,
)

ALL = set(uploads.KIND_EXTENSIONS)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32


def pdf_bytes(*, user_password: str | None = None, owner_password: str | None = None) -> bytes:
    """A real one-page PDF from pypdf, encrypted (RC4, pure Python) if a password is given."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    if user_password is not None or owner_password is not None:
        writer.encrypt(
            user_password=user_password or "",
            owner_password=owner_password,
            algorithm="RC4-128",
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = pdf_bytes()
DOCX_TYPES = (
    b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType='
    b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
XLSM_TYPES = (
    b'<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def xlsx_bytes(**extra_members: bytes) -> bytes:
    """A real workbook from openpyxl, with extra members added to its zip if asked."""
    workbook = Workbook()
    workbook.active.append(["code", "名前", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    if extra_members:
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            for member, data in extra_members.items():
                archive.writestr(member, data)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    content = bytearray(buffer.getvalue())
    if encrypted:  # zipfile cannot encrypt: set the "encrypted" flag in every header
        for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = content.find(signature)
            while start != -1:
                content[start + flag_at] |= 0x1
                start = content.find(signature, start + 4)
    return bytes(content)


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": b"<w:document/>"})


def refusal(uploaded, allowed=ALL, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_upload(uploaded, allowed=allowed, **kwargs)
    return caught.value


# --- Detection by content -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("suppliers.csv", "code,名前\nA-1,アクメ\n".encode(), "csv"),
        ("suppliers.csv", "\ufeffcode,名前\n".encode(), "csv"),
        ("suppliers.csv", "code,名前\n".encode("cp932"), "csv"),
        ("notes.txt", "メモ\n".encode(), "txt"),
        ("scan.pdf", PDF, "pdf"),
        ("logo.png", PNG, "png"),
        ("photo.jpg", JPEG, "jpeg"),
        ("photo.jpeg", JPEG, "jpeg"),
        ("book.xlsx", xlsx_bytes(), "xlsx"),
        ("letter.docx", docx_bytes(), "docx"),
        ("no-extension", PDF, "pdf"),
        ("renamed.bin", xlsx_bytes(), "xlsx"),
    ],
)
def test_kind_comes_from_content(name, content, kind):
    assert validate_upload(upload(name, content), allowed=ALL) == kind


def test_file_is_rewound_for_the_reader():
    uploaded = upload("a.csv", b"code\nA-1\n")
    validate_upload(uploaded, allowed={"csv"})
    assert uploaded.read() == b"code\nA-1\n"


def test_plain_file_objects_are_accepted_too():
    assert validate_upload(ContentFile(PDF, name="x.pdf"), allowed={"pdf"}) == "pdf"


def test_empty_file_is_refused():
    error = refusal(upload("empty.csv", b""))
    assert error.code == "empty"
    assert "“empty.csv” is empty." in error.messages


def test_too_large_file_is_refused_with_both_sizes():
    error = refusal(upload("big.csv", b"a," * 600_000), max_bytes=1024 * 1024)
    assert error.code == "too_large"
    assert error.messages == ["“big.csv” is too large (1.1 MB); the limit is 1.0 MB."]


def test_size_limit_defaults_to_the_setting(settings):
    settings.UPLOAD_MAX_BYTES = 10
    assert refusal(upload("a.csv", b"0123456789ab")).code == "too_large"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("data.csv", b"code\x00name\n"),
        ("data.csv", bytes(range(128, 256)) * 4),
        ("picture.csv", b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20),
        ("scan.pdf", PDF),
    ],
)
def test_content_of_a_kind_not_allowed_is_refused_whatever_the_name(name, content):
    error = refusal(upload(name, content), allowed={"csv", "xlsx"})
    assert error.code == "not_allowed"
    assert f"“{name}” is a file of a type not accepted here" in error.messages[0]
    assert "CSV file, Excel workbook (.xlsx)" in error.messages[0]


def test_content_that_contradicts_the_name_is_refused():
    error = refusal(upload("report.pdf", PNG), allowed={"pdf", "png"})
    assert error.code == "mismatch"
    assert error.messages == ["The content of “report.pdf” (PNG image) does not match its name."]


def test_csv_and_txt_are_interchangeable_text():
    assert validate_upload(upload("list.txt", b"a,b\n"), allowed={"csv"}) == "csv"
    assert validate_upload(upload("list.csv", b"a,b\n"), allowed={"txt"}) == "txt"
    assert validate_upload(upload("list.csv", b"a,b\n"), allowed={"csv", "txt"}) == "csv"


def test_unknown_kinds_are_a_programming_error():
    with pytest.raises(ValueError, match="exe"):
        validate_upload(upload("a.csv", b"a"), allowed={"csv", "exe"})


# --- Archives ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bundle.zip", zip_bytes({"a.txt": b"hello"})),
        ("bundle.7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 32),
        ("bundle.rar", b"Rar!\x1a\x07\x01\x00" + b"\x00" * 32),
        ("bundle.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\x00" * 32),
        ("bundle.tar", b"a.txt".ljust(257, b"\x00") + b"ustar\x0000" + b"\x00" * 300),
        ("suppliers.csv", zip_bytes({"suppliers.csv": b"a,b\n"})),
    ],
)
def test_bare_archives_are_refused(name, content):
    error = refusal(upload(name, content))
    assert error.code == "archive"
    assert "archives are not accepted" in error.messages[0]


def test_office_file_of_another_kind_is_not_allowed():
    xlsm = zip_bytes({"[Content_Types].xml": XLSM_TYPES, "xl/workbook.xml": b"<workbook/>"})
    assert refusal(upload("macro.xlsx", xlsm)).code == "not_allowed"
    assert refusal(upload("book.xlsx", xlsx_bytes()), allowed={"docx"}).code == "not_allowed"


def test_zip_bomb_ratio_is_refused():
    error = refusal(upload("bomb.xlsx", xlsx_bytes(**{"xl/worksheets/big.xml": b"0" * 5_000_000})))
    assert error.code == "zip_ratio"


def test_too_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_MEMBERS", 5)
    error = refusal(upload("many.xlsx", xlsx_bytes()))
    assert error.code == "zip_members"
    assert "too many parts" in error.messages[0]


def test_too_much_unpacked_data_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_TOTAL_BYTES", 1000)
    assert refusal(upload("big.xlsx", xlsx_bytes())).code == "zip_too_large"


@pytest.mark.parametrize(
    "member",
    ["xl/media/inner.zip", "xl/embeddings/Book1.xlsx", "xl/media/innocent.bin"],
)
def test_nested_archives_are_refused(member):
    inner = zip_bytes({"x.txt": b"x"})
    error = refusal(upload("nested.xlsx", xlsx_bytes(**{member: inner})))
    assert error.code == "zip_nested"
    assert member in error.messages[0]


@pytest.mark.parametrize("member", ["../evil.sh", "/etc/cron.d/x", "C:/evil", "xl\\..\\evil"])
def test_unsafe_member_paths_are_refused(member):
    assert refusal(upload("path.xlsx", xlsx_bytes(**{member: b"x"}))).code == "zip_path"


def test_encrypted_members_are_refused():
    content = zip_bytes(
        {"[Content_Types].xml": DOCX_TYPES, "word/document.xml": b"<w:document/>"},
        encrypted=True,
    )
    assert refusal(upload("secret.docx", content)).code == "zip_encrypted"


def test_many_small_members_that_inflate_too_far_together_are_refused():
    # Given a zip-as-xlsx of 200 members of 900 KB of zeros each (every member under the
    # 1 MB per-member floor; 180 MB inflated from about 200 KB), built here
    members = {f"xl/worksheets/zeros{i}.xml": b"\0" * 900 * 1024 for i in range(200)}
    content = xlsx_bytes(**members)
    assert len(content) < 300 * 1024

    # When it is uploaded, Then it is refused as a zip bomb, naming the file and both sizes
    error = refusal(upload("bomb.xlsx", content))
    assert error.code == "zip_ratio"
    assert error.messages[0].startswith("“bomb.xlsx” unpacks to 175.8 MB from 0.2 MB,")
    assert "zip bomb" in error.messages[0]


def test_zip_bomb_on_the_import_form_is_an_error_on_the_file_field():
    from suppliers.imports.forms import ImportUploadForm

    members = {f"xl/worksheets/zeros{i}.xml": b"\0" * 900 * 1024 for i in range(200)}
    form = ImportUploadForm(
        data={"kind": "suppliers"},
        files={"file": upload("suppliers.xlsx", xlsx_bytes(**members))},
    )

    assert not form.is_valid()
    assert "zip bomb" in form.errors["file"][0]
    assert "“suppliers.xlsx”" in form.errors["file"][0]


@pytest.mark.django_db
def test_the_probes_xlsx_bomb_posted_to_the_import_page_is_refused(client, buyer):
    # the probe's request: 200 members of 900 KB of zeros as an xlsx, on the import page
    from suppliers.imports.models import ImportJob

    members = {f"xl/worksheets/zeros{i}.xml": b"\0" * 900 * 1024 for i in range(200)}
    client.force_login(buyer)
    response = client.post(
        "/suppliers/import/",
        {"kind": "suppliers", "file": upload("suppliers.xlsx", xlsx_bytes(**members))},
    )
    assert response.status_code == 200  # the form again, with the error at the file
    assert "zip bomb" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_large_real_workbook_is_not_taken_for_a_bomb():
    # Repetitive sheets written by openpyxl compress 10-30 times, well inside the bound.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for _ in range(40_000):
        sheet.append([0] * 10)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert validate_upload(upload("zeros.xlsx", buffer.getvalue()), allowed={"xlsx"}) == "xlsx"


def test_damaged_zip_is_refused():
    assert refusal(upload("broken.xlsx", b"PK\x03\x04" + b"\x00" * 100)).code == "damaged"


# --- PDF -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n", id="html"),
        pytest.param(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", id="no-catalogue"),
        pytest.param(
            b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n",
            id="no-pages",
        ),
        pytest.param(PDF[: len(PDF) // 3], id="truncated"),
        pytest.param(b"%PDF-" + bytes(range(256)) * 40, id="binary-noise"),
    ],
)
def test_a_file_that_is_only_named_pdf_is_refused(content):
    error = refusal(upload("evidence.pdf", content), allowed={"pdf", "png"})
    assert error.code == "pdf_damaged"
    assert error.messages == [
        "“evidence.pdf” is not a readable PDF document (it is damaged or only named PDF)."
    ]


def test_a_real_pdf_with_small_defects_is_accepted():
    # A wrong xref offset (the table is found by scanning): viewers open it, so must we.
    sloppy = PDF.replace(b"startxref\n", b"startxref\n9")
    assert validate_upload(upload("scan.pdf", sloppy), allowed={"pdf"}) == "pdf"


def test_a_pdf_that_needs_a_password_to_open_is_refused():
    error = refusal(upload("secret.pdf", pdf_bytes(user_password="s3cret")), allowed={"pdf"})
    assert error.code == "pdf_encrypted"
    assert "password-protected" in error.messages[0]


def test_a_pdf_with_only_an_owner_password_is_accepted():
    content = pdf_bytes(owner_password="no-printing")
    assert validate_upload(upload("restricted.pdf", content), allowed={"pdf"}) == "pdf"


# --- Names -----------------------------------------------------------------------------------


def test_display_name_keeps_only_a_clean_last_part():
    assert display_name("C:\\Users\\x\\..\\見積書.pdf") == "見積書.pdf"
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("invoice\u202efdp.exe") == "invoicefdp.exe"  # no bidi override
    assert display_name("a\r\nb\tc　d.csv") == "a b c d.csv"
    assert display_name("") == "unnamed file"
    long = display_name("x" * 300 + ".xlsx")
    assert len(long) <= 120 and long.endswith("….xlsx")


def test_file_name_in_the_message_is_cleaned_and_escaped_when_shown():
    error = refusal(upload("<img src=x onerror=alert(1)>\u202e.csv", b""))
    html = Template("{% for m in e.messages %}{{ m }}{% endfor %}").render(Context({"e": error}))
    assert "<img" not in html
    assert "“&lt;img src=x onerror=alert(1)&gt;.csv” is empty." in html
    assert "\u202e" not in html


def test_storage_name_is_random_with_the_kinds_extension():
    names = {safe_storage_name("jpeg") for _ in range(50)}
    assert len(names) == 50
    assert all(re.fullmatch(r"[0-9a-f]{32}\.jpg", n) for n in names)
    with pytest.raises(KeyError):
        safe_storage_name("exe")


# --- Private storage and downloads -------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_private_storage_lives_under_media_private_and_has_no_url(media, settings):
    name = private_storage.save(safe_storage_name("pdf"), ContentFile(PDF))
    assert (media / "private" / name).read_bytes() == PDF
    assert not str(media / "private").startswith(str(settings.STATIC_ROOT))
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url(name)


def test_private_file_is_served_as_a_sandboxed_attachment(media):
    # Given a stored file whose user name is Japanese
    name = private_storage.save(safe_storage_name("pdf"), ContentFile(PDF))
    request = RequestFactory().get("/anything")

    # When it is served
    response = serve_private_file(
        request,
        file_field_or_path=name,
        download_name="見積書 2026.pdf",
        content_type="application/pdf",
    )

    # Then it is an attachment with both name forms, never sniffed or run
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"2026.pdf\"; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8%202026.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_download_name_cannot_inject_headers(media):
    name = private_storage.save(safe_storage_name("txt"), ContentFile(b"x"))
    response = serve_private_file(
        RequestFactory().get("/"),
        file_field_or_path=name,
        download_name='a"\r\nSet-Cookie: x=1;.txt',
        content_type="text/plain",
    )
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="a_ Set-Cookie_ x_1_.txt"')


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/passwd", "missing.pdf", "..", ""])
def test_names_outside_the_storage_or_missing_are_404(media, name):
    from django.http import Http404

    (media / "secret.txt").parent.mkdir(parents=True, exist_ok=True)
    (media / "secret.txt").write_text("secret")
    with pytest.raises(Http404):
        serve_private_file(
            RequestFactory().get("/"), file_field_or_path=name, download_name="x", content_type=None
        )


def test_a_file_field_on_private_storage_is_served(media):
    # Given a FileField stored privately (as models in later issues will declare it)
    from django.db import models
    from django.db.models.fields.files import FieldFile

    field = models.FileField(storage=uploads.get_private_storage)
    name = private_storage.save(safe_storage_name("csv"), ContentFile(b"a,b\n"))

    # When it is served, Then its content arrives as an attachment
    response = serve_private_file(
        RequestFactory().get("/"),
        file_field_or_path=FieldFile(None, field, name),
        download_name="list.csv",
        content_type="text/csv",
    )
    assert b"".join(response.streaming_content) == b"a,b\n"
    assert response["Content-Disposition"] == 'attachment; filename="list.csv"'
    assert field.deconstruct()[3]["storage"] is uploads.get_private_storage
