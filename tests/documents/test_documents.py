"""The documents service: keyed rows, claim-render-store-confirm, the sweep, the scoped
download, and the storage wiring (local for real, S3 by its settings, no network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from procurement_portal.documents import services
from procurement_portal.documents.models import Document
from suppliers.models import Contact
from suppliers.views import supplier_profile
from tests.factories import ContactFactory

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "reports/pdf/supplier_profile.html"


@pytest.fixture(autouse=True)
def documents_folder(settings, tmp_path):
    """Each test stores its documents in its own folder (the local default, for real)."""
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "allow_overwrite": True},
        },
    }
    return folder


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def ask_for_profile(supplier, user, *, language="en") -> Document:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        context = supplier_profile(user=user, supplier=supplier)
        return services.document_request(
            kind="supplier-profile",
            subject=supplier,
            audience=Document.INTERNAL if context["internal"] else "",
            template_name=TEMPLATE,
            context=context,
            filename=f"supplier-profile-{supplier.code}.pdf",
            request=request,
        )


def stored_bytes(document: Document) -> bytes:
    with storages["documents"].open(document.file.name, "rb") as stored:
        return stored.read()


@pytest.fixture
def no_task(monkeypatch):
    """Requests create rows but start no render (as when the task is lost in the broker)."""
    monkeypatch.setattr(services, "_start", lambda *args, **kwargs: None)


# --- One key, one file ---------------------------------------------------------------


@pytest.mark.django_db
def test_unchanged_content_is_one_document_and_one_file(supplier, supplier_user, documents_folder):
    # Given a profile asked for once (rendered for real, by the eager task)
    first = ask_for_profile(supplier, supplier_user)
    first.refresh_from_db()
    assert first.state == Document.State.READY
    assert stored_bytes(first).startswith(b"%PDF")

    # When it is asked for again, and its render task runs twice more
    again = ask_for_profile(supplier, supplier_user)
    outcomes = [services.document_render(document_id=first.pk).outcome for _ in range(2)]

    # Then it is the same row, nothing is rendered again, and one file is stored
    assert again.pk == first.pk
    assert outcomes == ["already-ready", "already-ready"]
    assert Document.objects.count() == 1
    assert len(stored_files(documents_folder)) == 1


@pytest.mark.django_db
def test_changed_content_is_a_new_version_and_languages_are_apart(supplier, supplier_user):
    first = ask_for_profile(supplier, supplier_user)
    ContactFactory(supplier=supplier, name="New Person")
    second = ask_for_profile(supplier, supplier_user)
    japanese = ask_for_profile(supplier, supplier_user, language="ja")
    assert second.pk != first.pk and second.version == first.version + 1
    assert japanese.language == "ja" and japanese.version == 1
    assert len({first.key, second.key, japanese.key}) == 3


@pytest.mark.django_db
def test_two_renders_of_one_key_store_one_file(supplier, supplier_user, no_task, documents_folder):
    # Given a document whose render task was delivered twice, the second one after the
    # first one's claim went stale (its worker looked dead) but before it confirmed
    document = ask_for_profile(supplier, supplier_user)
    assert services.document_render(document_id=document.pk).outcome == "rendered"
    Document.objects.filter(pk=document.pk).update(
        state=Document.State.RENDERING,
        claimed_at=timezone.now() - timedelta(hours=1),
        claim_token=None,
    )

    # When it is rendered again
    assert services.document_render(document_id=document.pk).outcome == "rendered"

    # Then the second render overwrote the same stored name: still one file
    assert len(stored_files(documents_folder)) == 1
    document.refresh_from_db()
    assert document.state == Document.State.READY and document.attempts == 2


@pytest.mark.django_db
def test_a_live_claim_is_left_alone(supplier, supplier_user, no_task, documents_folder):
    document = ask_for_profile(supplier, supplier_user)
    Document.objects.filter(pk=document.pk).update(
        state=Document.State.RENDERING, claimed_at=timezone.now(), claimed_by="w1@host"
    )
    assert services.document_render(document_id=document.pk).outcome == "held"
    assert services.documents_sweep() == []
    assert stored_files(documents_folder) == []


# --- A killed worker --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_killed_workers_render_is_recovered_by_the_sweep(
    supplier, supplier_user, no_task, documents_folder
):
    # Given a render claimed by a worker that was killed after writing part of the file
    document = ask_for_profile(supplier, supplier_user)
    stale = timezone.now() - timedelta(seconds=settings.DOCUMENTS_CLAIM_TIMEOUT_SECONDS + 1)
    Document.objects.filter(pk=document.pk).update(
        state=Document.State.RENDERING, claimed_at=stale, claimed_by="dead@host", attempts=1
    )
    partial = documents_folder / services.storage_name(document)
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"%PDF-1.7 half a document")

    # When beat's sweep runs (the task runs eagerly here)
    swept = services.documents_sweep()

    # Then the row is rendered again, confirmed, and the file replaced, not doubled
    assert swept == [document.pk]
    document.refresh_from_db()
    assert document.state == Document.State.READY
    assert document.attempts == 2
    assert stored_files(documents_folder) == [partial]
    assert (
        partial.read_bytes().startswith(b"%PDF") and b"half a document" not in partial.read_bytes()
    )


@pytest.mark.django_db
def test_a_lost_render_task_is_started_again_by_the_sweep(supplier, supplier_user, no_task):
    # Given a document whose render task never arrived
    document = ask_for_profile(supplier, supplier_user)
    assert services.documents_sweep() == []  # too young: its task may still be queued
    Document.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.DOCUMENTS_SWEEP_AFTER_SECONDS + 1)
    )

    # When the sweep runs, Then it is rendered
    assert services.documents_sweep() == [document.pk]
    document.refresh_from_db()
    assert document.state == Document.State.READY


@pytest.mark.django_db
def test_rendering_in_a_worker_process_is_in_process(supplier, supplier_user, no_task, monkeypatch):
    # Given a worker (not eager): WeasyPrint runs in this process, no child is started
    document = ask_for_profile(supplier, supplier_user, language="ja")
    monkeypatch.setattr(
        services, "html_to_pdf", lambda *a, **k: pytest.fail("a child process was started")
    )
    result = services.document_render(document_id=document.pk, worker="w1", in_process=True)
    assert result.outcome == "rendered"
    document.refresh_from_db()
    assert stored_bytes(document).startswith(b"%PDF")
    assert document.claimed_by == "w1"


# --- The scoped download ----------------------------------------------------------------


@pytest.mark.django_db
def test_download_is_scoped_and_recorded(
    login, supplier, supplier_user, other_supplier_user, buyer
):
    ContactFactory(supplier=supplier, name="Hanako Yamada")
    document = ask_for_profile(supplier, supplier_user)
    url = reverse("documents:download", kwargs={"pk": document.pk})
    doc_type = ContentType.objects.get_for_model(Document)

    # Another supplier's user never learns it exists
    assert login(other_supplier_user).get(url).status_code == 404
    assert (
        login(supplier_user).get(reverse("documents:download", kwargs={"pk": 999999})).status_code
        == 404
    )

    # The supplier's own user downloads it, and the download is recorded
    response = login(supplier_user).get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    entries = LogEntry.objects.filter(
        content_type=doc_type, object_pk=str(document.pk), action=LogEntry.Action.ACCESS
    )
    assert list(entries.values_list("actor", flat=True)) == [supplier_user.pk]


@pytest.mark.django_db
def test_a_document_whose_file_went_missing_is_rendered_again(
    login, supplier, supplier_user, documents_folder
):
    # Given a ready document whose stored file was lost (storage emptied)
    document = ask_for_profile(supplier, supplier_user)
    for path in stored_files(documents_folder):
        path.unlink()

    # When it is downloaded, Then it is rendered again (eagerly here) and served
    response = login(supplier_user).get(reverse("documents:download", kwargs={"pk": document.pk}))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(stored_files(documents_folder)) == 1


@pytest.mark.django_db
def test_a_staff_copy_is_not_for_supplier_users(login, supplier, supplier_user, buyer):
    staff_copy = ask_for_profile(supplier, buyer)
    assert staff_copy.audience == Document.INTERNAL
    url = reverse("documents:download", kwargs={"pk": staff_copy.pk})
    assert login(supplier_user).get(url).status_code == 404
    assert login(buyer).get(url).status_code == 200


@pytest.mark.django_db
def test_the_profile_pdf_records_who_saw_the_contacts(login, supplier, buyer):
    # Given a supplier with a contact (name, e-mail, phone: personal data)
    contact = ContactFactory(supplier=supplier)
    contact_type = ContentType.objects.get_for_model(Contact)

    # When staff download the profile PDF
    response = login(buyer).get(reverse("reports:supplier-profile-pdf", kwargs={"pk": supplier.pk}))

    # Then the access to the contact is recorded, as the supplier page records it
    assert response.status_code == 200
    assert LogEntry.objects.filter(
        content_type=contact_type,
        object_pk=str(contact.pk),
        action=LogEntry.Action.ACCESS,
        actor=buyer,
    ).exists()


@pytest.mark.django_db
def test_a_pdf_not_ready_in_time_gets_a_being_prepared_page(
    login, settings, supplier, supplier_user, no_task
):
    # Given no worker picks the render up in the time a request waits
    settings.DOCUMENTS_WAIT_SECONDS = 0.3

    # When the profile PDF is asked for
    response = login(supplier_user).get(
        reverse("reports:supplier-profile-pdf", kwargs={"pk": supplier.pk})
    )

    # Then a page says it is being prepared and refreshes to the scoped download
    document = Document.objects.get()
    download = reverse("documents:download", kwargs={"pk": document.pk})
    assert response.status_code == 202
    assert "being prepared" in response.content.decode()
    assert response["Refresh"] == f"3; url={download}"

    # And once a worker has rendered it, the refresh downloads it
    services.document_render(document_id=document.pk)
    assert login(supplier_user).get(download).content.startswith(b"%PDF")


# --- Storage wiring ---------------------------------------------------------------------


def _settings_in_a_fresh_process(**env: str) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps(settings.STORAGES, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_DEBUG": "true", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout)


def test_the_local_folder_is_the_default():
    storages_setting = _settings_in_a_fresh_process(DJANGO_STORAGE_BACKEND="local")
    documents = storages_setting["documents"]
    assert documents["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert documents["OPTIONS"]["allow_overwrite"] is True
    assert storages_setting["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_s3_storage_is_a_setting_private_and_signed_briefly():
    # Given the settings for S3-compatible storage (MinIO), read in a fresh process
    storages_setting = _settings_in_a_fresh_process(
        DJANGO_STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="portal-files",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_ACCESS_KEY_ID="portal",
        AWS_SECRET_ACCESS_KEY="portal-secret",
        DJANGO_S3_URL_EXPIRY_SECONDS="120",
    )
    from django.core.files.storage.handler import StorageHandler
    from storages.backends.s3 import S3Storage

    # When the storages are built (no request is sent: nothing runs S3 here)
    handler = StorageHandler(storages_setting)
    evidence, documents = handler["default"], handler["documents"]

    # Then uploaded evidence and documents both go to the private bucket, apart
    for storage in (evidence, documents):
        assert isinstance(storage, S3Storage)
        assert storage.bucket_name == "portal-files"
        assert storage.endpoint_url == "http://minio:9000"
        assert storage.default_acl == "private"
        assert storage.querystring_auth is True
    assert (evidence.location, evidence.file_overwrite) == ("media", False)
    assert (documents.location, documents.file_overwrite) == ("documents", True)
    # and a URL the backend hands out is signed and short-lived
    url = documents.url("supplier-profile/abc.pdf")
    assert url.startswith("http://minio:9000/portal-files/documents/supplier-profile/abc.pdf?")
    assert "X-Amz-Expires=120" in url and "X-Amz-Signature=" in url


def test_an_unknown_storage_backend_refuses_to_start():
    with pytest.raises(subprocess.CalledProcessError) as caught:
        _settings_in_a_fresh_process(DJANGO_STORAGE_BACKEND="ftp")
    assert "DJANGO_STORAGE_BACKEND" in caught.value.stderr


def test_evidence_uses_the_default_storage():
    assert type(storages["default"]).__name__ == "FileSystemStorage"
