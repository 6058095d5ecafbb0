"""A large upload runs in a real Celery worker process while the job page polls."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from suppliers.imports.models import ImportJob
from suppliers.models import Supplier

pytestmark = pytest.mark.redis

HTMX = {"HX-Request": "true"}


@pytest.fixture
def shared_media(settings, tmp_path, monkeypatch):
    """One MEDIA_ROOT for this process and the worker (which reads its own environment)."""
    media = tmp_path / "media"
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(media))
    settings.MEDIA_ROOT = media
    return media


def test_large_upload_is_imported_by_the_worker_while_the_page_polls(
    shared_media, celery_worker, client, buyer, settings
):
    # given: a file above the threshold; only this (web) process decides that
    settings.IMPORT_BACKGROUND_ROWS = 20
    rows = "".join(f"W-{i:03d},Worker Supplier {i},JP,hardware\n" for i in range(60))
    data = ("code,legal_name,country,categories\n" + rows).encode()
    client.force_login(buyer)
    # when
    response = client.post(
        "/suppliers/import/",
        {"kind": "suppliers", "file": SimpleUploadedFile("big.csv", data)},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/suppliers/import/jobs/{job.pk}/"
    # then: the page polls until the worker has finished
    deadline = time.monotonic() + 60
    while True:
        fragment = client.get(response["Location"], headers=HTMX).content.decode()
        if "hx-trigger" not in fragment:
            break
        assert time.monotonic() < deadline, f"job not done in 60 s:\n{celery_worker.output()}"
        time.sleep(0.5)
    assert "Import succeeded" in fragment, celery_worker.output()
    assert "60 rows: 60 created, 0 updated, 0 unchanged." in fragment
    assert Supplier.objects.filter(code__startswith="W-").count() == 60
    assert Supplier.objects.get(code="W-007").categories.get().code == "hardware"
    assert "run_import_job" in celery_worker.output()  # ran in the worker, not in-process
    job.refresh_from_db()
    assert (job.status, job.rows_processed) == ("succeeded", 60)
