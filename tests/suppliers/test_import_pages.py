"""The import pages: staff only, small files at once, large ones as a job with progress."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from suppliers.imports.models import ImportJob, ImportStatus
from suppliers.models import Supplier
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/suppliers/import/"
HTMX = {"HX-Request": "true"}
GOOD = "code,legal_name,country\nA-1,Acme,JP\nB-2,Beta,SG\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, text: str | bytes, *, kind="suppliers", name="suppliers.csv", **extra):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        URL, {"kind": kind, "file": SimpleUploadedFile(name, data), **extra}, follow=True
    )


def make_job(user, **fields) -> ImportJob:
    job = ImportJob(kind="suppliers", created_by=user, original_name="x.csv", **fields)
    job.file.name = "imports/none"
    job.save()
    return job


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supplier_user", 403),
        ("csco", 403),
        ("infosec_assessor", 403),
        ("buyer", 200),
        ("admin_user", 200),
    ],
)
def test_upload_page_permission_matrix(request, client, login, role, status):
    user = request.getfixturevalue(role)
    assert login(user).get(URL).status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_job_page_is_shared_between_import_staff_but_not_suppliers(
    client, login, buyer, admin_user, supplier_user, csco
):
    job = make_job(buyer, status=ImportStatus.SUCCEEDED)
    url = f"{URL}jobs/{job.pk}/"
    assert login(admin_user).get(url).status_code == 200
    assert login(supplier_user).get(url).status_code == 403
    assert login(csco).get(url).status_code == 403
    assert login(buyer).get(f"{URL}jobs/{job.pk + 999}/").status_code == 404


def test_small_upload_imports_at_once_and_shows_the_result(client, login, buyer):
    response = upload(login(buyer), GOOD)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(f"{URL}jobs/")
    content = response.content.decode()
    assert "Import succeeded" in content
    assert "2 rows: 2 created, 0 updated, 0 unchanged." in content
    assert Supplier.objects.count() == 2
    job = ImportJob.objects.get()
    assert (job.status, job.created_by, job.original_name) == ("succeeded", buyer, "suppliers.csv")


def test_bad_upload_shows_the_error_table_and_saves_nothing(client, login, buyer):
    response = upload(login(buyer), "code,legal_name,country\nA-1,Acme,JP\nB-2,,Mars\n")
    content = response.content.decode()
    assert "File rejected: nothing was saved" in content
    assert '<td class="num" data-label="Row">3</td>' in content
    assert "legal_name" in content and "Mars" in content
    assert Supplier.objects.count() == 0
    assert ImportJob.objects.get().status == ImportStatus.REJECTED


def test_error_table_is_capped_and_all_errors_download(client, login, buyer, monkeypatch):
    monkeypatch.setattr("suppliers.imports.views.ERRORS_SHOWN", 200)
    rows = "".join(f"C-{i},Name,Mars\n" for i in range(250))
    response = upload(login(buyer), "code,legal_name,country\n" + rows)
    assert len(response.context["errors"]) == 200
    assert "50 more problems are only in the CSV." in response.content.decode()
    job = ImportJob.objects.get()
    assert len(job.errors) == 250
    download = client.get(f"{URL}jobs/{job.pk}/errors.csv")
    lines = _body(download).splitlines()
    assert len(lines) == 251 and all(",Mars," in line for line in lines[1:])


def test_disguised_file_is_refused_with_a_message(client, login, buyer):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    response = upload(login(buyer), png, name="suppliers.csv")
    assert "is a file of a type not accepted here; accepted: CSV file, Excel workbook" in (
        response.content.decode()
    )


def test_oversize_file_is_refused_with_a_message(client, login, buyer, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 20
    response = upload(login(buyer), GOOD)
    assert response.status_code == 200
    assert "is too large" in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert Supplier.objects.count() == 0


def test_large_upload_becomes_a_background_job(
    client, login, buyer, settings, django_capture_on_commit_callbacks
):
    # given: a threshold below the file's size (tasks run eagerly in this test)
    settings.IMPORT_BACKGROUND_ROWS = 1
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(login(buyer), GOOD)
    # then: queued, not run, and the page polls
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.PENDING
    assert len(callbacks) == 1
    assert 'hx-trigger="every 1s"' in response.content.decode()
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert Supplier.objects.count() == 2


def test_running_job_fragment_polls_and_finished_one_stops(client, login, buyer):
    job = make_job(buyer, status=ImportStatus.RUNNING, rows_total=1000, rows_processed=250)
    client = login(buyer)
    running = client.get(f"{URL}jobs/{job.pk}/", headers=HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in running
    assert '<progress max="1000" value="250">' in running
    assert "<html" not in running
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.SUCCEEDED)
    done = client.get(f"{URL}jobs/{job.pk}/", headers=HTMX).content.decode()
    assert "hx-trigger" not in done
    assert "Import succeeded" in done


def test_csv_templates_download_with_every_column(client, login, buyer):
    client = login(buyer)
    suppliers = client.get(f"{URL}templates/suppliers.csv")
    spend = client.get(f"{URL}templates/spend.csv")
    assert suppliers["Content-Type"].startswith("text/csv")
    assert _body(suppliers).splitlines()[0].startswith("code,legal_name,")
    assert _body(spend).splitlines()[0] == ("supplier_code,fiscal_year,amount,currency")
    assert client.get(f"{URL}templates/contacts.csv").status_code == 404


@pytest.mark.parametrize("kind", ["suppliers", "spend"])
def test_templates_are_empty_and_the_example_is_separate(client, login, buyer, kind):
    client = login(buyer)
    template = _body(client.get(f"{URL}templates/{kind}.csv")).splitlines()
    example = _body(client.get(f"{URL}examples/{kind}.csv")).splitlines()
    assert len(template) == 1  # the header and nothing else: no example row to import
    assert example[0] == template[0] and len(example) == 3
    assert client.get(f"{URL}examples/contacts.csv").status_code == 404
    page = client.get(URL).content.decode()
    assert f"{URL}templates/{kind}.csv" in page and f"{URL}examples/{kind}.csv" in page


def test_example_files_are_those_in_the_docs_and_import_cleanly(client, login, buyer):
    from pathlib import Path

    from django.conf import settings

    docs = (Path(settings.BASE_DIR) / "docs" / "import-format.md").read_text(encoding="utf-8")
    client = login(buyer)
    for kind in ("suppliers", "spend"):
        example = _body(client.get(f"{URL}examples/{kind}.csv")).lstrip("\ufeff")
        block = "\n".join(example.splitlines())
        assert f"```\n{block}\n```" in docs, kind
        response = upload(client, example, kind=kind, name=f"{kind}.csv")
        assert "Import succeeded" in response.content.decode(), kind
    assert Supplier.objects.count() == 2
    assert client.get(f"{URL}templates/no-such-kind.csv").status_code == 404


@pytest.mark.parametrize("jobs", [1, 15])
def test_upload_page_query_count_is_flat(client, login, buyer, jobs, django_assert_max_num_queries):
    others = [UserFactory() for _ in range(3)]
    for i in range(jobs):
        make_job(others[i % 3], status=ImportStatus.SUCCEEDED)
    client = login(buyer)
    with django_assert_max_num_queries(5):
        response = client.get(URL)
    assert len(response.context["jobs"]) == min(jobs, 10)


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_error_download_neutralises_formulas_from_the_file(client, login, buyer):
    login(buyer)
    bad = 'code,legal_name,country\nX-1,=HYPERLINK("http://evil.example"),ZZ\n'
    upload = SimpleUploadedFile("evil.csv", bad.encode(), content_type="text/csv")
    response = client.post(URL, {"kind": "suppliers", "file": upload})
    job = ImportJob.objects.get()
    download = _body(client.get(f"{URL}jobs/{job.pk}/errors.csv"))
    assert response.status_code == 302
    for line in download.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "-", "@")), line


def _error_cells(html: str) -> dict[tuple[str, str], str]:
    """(row, column) -> the "Value found" cell's text, from the page's error table."""
    table = html[html.index('data-testid="import-errors"') :]
    table = table[: table.index("</table>")]
    assert "Value found" in table
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        if cells:
            found[(cells[0], cells[1])] = cells[2]
    return found


def test_every_problem_shows_the_value_that_was_found(client, login, buyer):
    client = login(buyer)
    header_problem = upload(client, "code,legal_name,country,colour\nA-1,Acme,JP,red\n")
    assert _error_cells(header_problem.content.decode()) == {("1", "colour"): "colour"}
    response = upload(
        client, "code,legal_name,country\nA-1,Acme,Mars\nB-2,,JP\nA-1,Again,JP,extra!\n"
    )
    found = _error_cells(response.content.decode())
    assert found[("2", "country")] == "Mars"
    assert found[("3", "legal_name")] == "(empty)"
    assert found[("4", "—")] == "extra!"  # values right of the last column
    assert found[("4", "code")] == "A-1"  # the duplicate key
    job = ImportJob.objects.latest("pk")
    download = _body(client.get(f"{URL}jobs/{job.pk}/errors.csv"))
    assert "value found" in download.splitlines()[0]
    assert "2,country,Mars," in download


def test_japanese_error_table_names_the_value_column(client, login, buyer, settings):
    client = login(buyer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    html = upload(client, "code,legal_name,country\nA-1,Acme,Mars\n").content.decode()
    assert "見つかった値" in html and "Mars" in html
