"""The batch render path of the documents service: many documents in one task, each
claimed and confirmed on its own, handed on when the task's time is used up; the
per-thread font configuration a worker warms once; the soft time limit as a timeout."""

from __future__ import annotations

from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from procurement_portal.documents import rendering, services
from procurement_portal.documents.models import Document

from .test_documents import documents_folder, stored_files  # noqa: F401 (autouse fixture)

TEMPLATE = "reports/pdf/base.html"


def documents(n: int) -> list[Document]:
    return [
        services.document_request(
            kind="batch-test",
            subject_key=f"batch:{i}",
            template_name=TEMPLATE,
            context={},
            filename=f"batch-{i}.pdf",
            start=False,
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_a_batch_renders_each_once_and_hands_on_what_it_did_not_start(documents_folder):  # noqa: F811
    # Given three documents asked for without a render task of their own
    rows = documents(3)
    assert {row.state for row in Document.objects.all()} == {Document.State.PENDING}

    # When a batch has no time left after its first document
    results, rest = services.documents_render_many(
        document_ids=[row.pk for row in rows], in_process=True, seconds=0
    )

    # Then it rendered that one and handed the other two on
    assert [r.outcome for r in results] == ["rendered"]
    assert rest == [rows[1].pk, rows[2].pk]

    # And the hand-on, offered the first one again (a redelivered batch), renders only the rest
    results, rest = services.documents_render_many(
        document_ids=[rows[0].pk, *rest], in_process=True, seconds=60
    )
    assert [r.outcome for r in results] == ["already-ready", "rendered", "rendered"]
    assert rest == []
    assert set(Document.objects.values_list("state", "attempts")) == {("ready", 1)}
    assert len(stored_files(documents_folder)) == 3


@pytest.mark.django_db
def test_the_batch_task_run_eagerly_renders_every_document(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    rows = documents(2)
    services.documents_start_batch([row.pk for row in rows])
    assert set(Document.objects.values_list("state", flat=True)) == {Document.State.READY}


def test_a_worker_thread_keeps_one_font_configuration():
    rendering.warm_up()
    first = rendering._font_config()
    html = "<!doctype html><html><body><p>改善 letter</p></body></html>"
    assert rendering.html_to_pdf_in_process(html, base_url="http://127.0.0.1:8000/").startswith(
        b"%PDF"
    )
    assert rendering._font_config() is first


@pytest.mark.django_db
def test_the_soft_time_limit_fails_the_document_with_the_timeout_message(monkeypatch):
    # Given a render that Celery's soft time limit interrupts
    (row,) = documents(1)

    def interrupted(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("weasyprint.HTML.write_pdf", interrupted)

    # When it is rendered in the worker
    result = services.document_render(document_id=row.pk, in_process=True)

    # Then the row failed with the time limit's message, and no claim is left behind
    assert result.outcome == "failed"
    row.refresh_from_db()
    assert row.state == Document.State.FAILED and row.claim_token is None
    assert "longer than" in row.error


def test_production_pages_link_hashed_static_names_which_the_fetcher_reads(settings, tmp_path):
    # Given the production static storage: collected files under hashed names, a manifest
    # (laid out here as collectstatic leaves it, for the print stylesheet alone)
    import json
    import shutil

    from django.conf import settings as django_settings
    from django.templatetags.static import static

    root = tmp_path / "static"
    (root / "css").mkdir(parents=True)
    source = Path(django_settings.BASE_DIR) / "static/css/print.css"
    shutil.copy(source, root / "css/print.abc123def456.css")
    (root / "staticfiles.json").write_text(
        json.dumps({"paths": {"css/print.css": "css/print.abc123def456.css"}, "version": "1.1"})
    )
    settings.STATIC_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    base = "http://127.0.0.1:8000/"
    hashed = static("css/print.css")
    assert hashed == "/static/css/print.abc123def456.css"  # what the page links

    # When WeasyPrint asks for it, Then the fetcher reads the collected file
    fetched = rendering.PortalUrlFetcher(base)(base.rstrip("/") + hashed)
    assert b"@page" in fetched["string"]
    # and a name that is neither found nor collected is still refused
    with pytest.raises(rendering.ResourceRefused):
        rendering.PortalUrlFetcher(base)(base + "static/css/print.0123456789ab.css")
