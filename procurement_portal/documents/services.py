"""The documents service: ask for a document, render it (claim, render, store, confirm),
sweep what a dead worker left.

``document_request`` is called by the views that offer a PDF: it renders the template to
HTML in the request (database, translations: the only step that reads the database),
hashes it and finds or creates the keyed row; a new row gets a render task. The task
(``tasks.render_document``) calls ``document_render``, which works like the outbox's
delivery: it commits a claim first, renders, stores the file under a name derived from
the key, then commits ``ready``. A killed worker leaves a claim; after
``DOCUMENTS_CLAIM_TIMEOUT_SECONDS`` the sweep (beat) hands the row out again, and the
second render overwrites the same stored name: one key, one file. A render task that
runs twice finds the row ready (or claimed by a live worker) and does nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language

from .models import Document, documents_storage
from .rendering import PdfRenderError, html_to_pdf, html_to_pdf_in_process

logger = logging.getLogger(__name__)


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.DOCUMENTS_CLAIM_TIMEOUT_SECONDS)


def _subject_part(subject: models.Model | None, subject_key: str) -> tuple[Any, Any, str]:
    if subject is not None:
        ct = ContentType.objects.get_for_model(subject.__class__)
        return ct, subject.pk, f"{ct.app_label}.{ct.model}.{subject.pk}"
    if not subject_key:
        raise ValueError("a document needs a subject or a subject key")
    return None, None, subject_key


def storage_name(document: Document) -> str:
    """Where a document's file is stored: derived from its key only, so every render of
    one key writes the same name."""
    digest = hashlib.sha256(document.key.encode("utf-8")).hexdigest()[:40]
    return f"{slugify(document.kind) or 'document'}/{digest}.pdf"


def document_request(
    *,
    kind: str,
    template_name: str,
    context: dict[str, Any],
    filename: str,
    subject: models.Model | None = None,
    subject_key: str = "",
    audience: str = "",
    request=None,
    start: bool = True,
) -> Document:
    """The document for this content: an existing row when the same content was asked
    for before (ready, or still being prepared), else a new version with a render task.

    ``context`` is the template's; ``printed_at`` is added (and left out of the hash, so
    asking again for unchanged content finds the same document). With ``start=False`` no
    render task is queued: the caller renders the row itself in a batch
    (``documents_render_many``, ``documents_start_batch``); the sweep still finds it if
    the caller never does.
    """
    from .tasks import render_document

    language = get_language() or settings.LANGUAGE_CODE
    ct, object_id, subject_part = _subject_part(subject, subject_key)
    probe = render_to_string(template_name, {**context, "printed_at": None}, request=request)
    content_hash = hashlib.sha256(probe.encode("utf-8")).hexdigest()
    key = f"{kind}:{subject_part}:{audience or '-'}:{language}:{content_hash}"
    existing = Document.objects.filter(key=key).first()
    if existing is not None and existing.state != Document.State.FAILED:
        return existing
    if existing is not None:
        # A failed render is tried again when somebody asks again.
        Document.objects.filter(pk=existing.pk, state=Document.State.FAILED).update(
            state=Document.State.PENDING, error="", claim_token=None, claimed_at=None
        )
        existing.refresh_from_db()
        if start:
            _start(existing.pk, render_document)
        return existing
    html = render_to_string(
        template_name, {**context, "printed_at": timezone.localtime()}, request=request
    )
    base_url = (
        request.build_absolute_uri("/")
        if request is not None
        else settings.PORTAL_BASE_URL.rstrip("/") + "/"
    )
    same_subject = Document.objects.filter(
        kind=kind,
        content_type=ct,
        object_id=object_id,
        subject_key="" if ct else subject_key,
        audience=audience,
        language=language,
    )
    try:
        with transaction.atomic():
            document = Document.objects.create(
                key=key,
                kind=kind,
                content_type=ct,
                object_id=object_id,
                subject_key="" if ct else subject_key,
                audience=audience,
                language=language,
                version=(same_subject.aggregate(v=models.Max("version"))["v"] or 0) + 1,
                content_hash=content_hash,
                filename=filename,
                html=html,
                base_url=base_url[:300],
            )
    except IntegrityError:
        # Asked for at the same moment by somebody else: theirs is the one.
        return Document.objects.get(key=key)
    if start:
        _start(document.pk, render_document)
    return document


def _start(document_id: int, task) -> None:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        # The embedded default: render now, in this process (in a child with a time limit).
        task.apply(args=(document_id,))
    else:
        transaction.on_commit(lambda: task.delay(document_id))


@dataclasses.dataclass(frozen=True)
class RenderResult:
    document_id: int
    outcome: str  # "rendered", "already-ready", "held", "failed", "lost-claim"


def document_render(
    *, document_id: int, worker: str = "", in_process: bool = False
) -> RenderResult:
    """Claim, render, store, confirm. Safe to call any number of times for one row."""
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.state in (Document.State.READY, Document.State.FAILED):
            return RenderResult(document_id, "already-" + document.state)
        if (
            document.state == Document.State.RENDERING
            and document.claimed_at
            and document.claimed_at > now - claim_timeout()
        ):
            return RenderResult(document_id, "held")  # a live worker is at it
        if document.state == Document.State.RENDERING:
            logger.warning(
                "Document %s: claim by %s at %s was never confirmed; rendering again",
                document.pk,
                document.claimed_by or "?",
                document.claimed_at,
            )
        document.state = Document.State.RENDERING
        document.claimed_at = now
        document.claimed_by = worker[:200]
        document.claim_token = token
        document.attempts += 1
        document.save(
            update_fields=["state", "claimed_at", "claimed_by", "claim_token", "attempts"]
        )
    # No transaction and no database from here until the confirm: only HTML to PDF.
    render = html_to_pdf_in_process if in_process else html_to_pdf
    try:
        pdf = render(document.html, base_url=document.base_url)
    except PdfRenderError as error:
        with transaction.atomic():
            Document.objects.filter(pk=document_id, claim_token=token).update(
                state=Document.State.FAILED, error=str(error), claim_token=None
            )
        return RenderResult(document_id, "failed")
    name = storage_name(document)
    storage = documents_storage()
    saved = storage.save(name, ContentFile(pdf))
    if saved != name:  # a storage that renames instead of overwriting: keep one file
        storage.delete(name)
        storage.save(name, ContentFile(pdf))
        storage.delete(saved)
    with transaction.atomic():
        confirmed = Document.objects.filter(
            pk=document_id, claim_token=token, state=Document.State.RENDERING
        ).update(
            state=Document.State.READY,
            file=name,
            size=len(pdf),
            rendered_at=timezone.now(),
            claim_token=None,
            error="",
        )
    if not confirmed:
        # Our claim went stale and another worker took the row: it writes the same name.
        return RenderResult(document_id, "lost-claim")
    return RenderResult(document_id, "rendered")


def documents_render_many(
    *, document_ids: Sequence[int], worker: str = "", in_process: bool = False, seconds: float
) -> tuple[list[RenderResult], list[int]]:
    """Render documents one after the other, each with its own claim and confirm (a kill
    part-way loses only the claim of the one being rendered, which the sweep takes again
    after the claim timeout; the confirmed ones are never rendered twice). A document is
    started only while ``seconds`` have not yet passed, so the caller's time limit can be
    ``seconds`` plus one document's limit; the ids not started are returned for the
    caller to hand on."""
    deadline = time.monotonic() + seconds
    results: list[RenderResult] = []
    ids = list(document_ids)
    for index, document_id in enumerate(ids):
        if index and time.monotonic() >= deadline:
            return results, ids[index:]
        results.append(
            document_render(document_id=document_id, worker=worker, in_process=in_process)
        )
    return results, []


def documents_start_batch(document_ids: Sequence[int]) -> None:
    """Queue batch render tasks for these documents (``DOCUMENTS_BATCH_SIZE`` ids per
    task) once the caller's transaction commits: one message per batch instead of one
    per document, rendered by whichever workers are free."""
    from .tasks import render_documents

    ids = list(document_ids)
    size = max(1, int(getattr(settings, "DOCUMENTS_BATCH_SIZE", 50)))
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        for chunk in chunks:
            render_documents.apply(args=(chunk,))
        return

    def send() -> None:
        for chunk in chunks:
            render_documents.delay(chunk)

    transaction.on_commit(send)


def document_render_again(document: Document) -> Document:
    """A ready document whose stored file is missing goes back to pending and is rendered."""
    from .tasks import render_document

    Document.objects.filter(pk=document.pk, state=Document.State.READY).update(
        state=Document.State.PENDING, file="", size=None
    )
    _start(document.pk, render_document)
    document.refresh_from_db()
    return document


def documents_sweep(*, now=None, limit: int = 500) -> list[int]:
    """Rows a dead worker left (a stale claim) and rows whose task was lost (pending for
    longer than ``DOCUMENTS_SWEEP_AFTER_SECONDS``): their render tasks are started again."""
    from .tasks import render_document

    now = now or timezone.now()
    stale = models.Q(state=Document.State.RENDERING, claimed_at__lt=now - claim_timeout())
    lost = models.Q(
        state=Document.State.PENDING,
        created_at__lt=now - timedelta(seconds=settings.DOCUMENTS_SWEEP_AFTER_SECONDS),
    )
    ids = list(Document.objects.filter(stale | lost).values_list("pk", flat=True)[:limit])
    for pk in ids:
        render_document.delay(pk)
    return ids


def document_wait(document: Document, *, seconds: float) -> Document:
    """Wait up to ``seconds`` for a document to be ready (or failed)."""
    deadline = time.monotonic() + seconds
    while document.state not in (Document.State.READY, Document.State.FAILED):
        if time.monotonic() >= deadline:
            break
        time.sleep(0.2)
        document.refresh_from_db()
    return document
