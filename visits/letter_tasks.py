"""The workers' side of the improvement-guidance letters: thin tasks over ``letters``.

* ``issue_letters(visit_ids, batch_id)`` renders and issues letters one after the other
  in one task (WeasyPrint warm in the worker process, one broker message per chunk), each
  letter with its own claim and confirm in the documents service. It starts letters only
  within ``DOCUMENTS_BATCH_SECONDS``; its soft limit is that plus one document's limit,
  so every letter it starts has the documents service's full time limit, and what it did
  not start goes on in a new task.
* ``prepare_batch(batch_id)`` cuts a batch's visits into chunks and queues one
  ``issue_letters`` per chunk with ``prepare=True``: each chunk first asks for its own
  letters (``letters.letter_batch_prepare``: the letter's HTML and its keyed document),
  so every worker process prepares as well as renders, and none waits for another.
* ``sweep_letters`` (beat) hands out again what a killed worker left: letters asked for
  and not issued, and batches whose progress stopped.

Late acknowledgement and idempotent steps: a task that runs twice renders nothing twice
(the document's claim) and sends nothing twice (the outbox keys).
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from procurement_portal.documents.tasks import BATCH_SECONDS

from . import letters

logger = logging.getLogger(__name__)

_LIMIT = settings.PDF_RENDER_TIMEOUT


def _chunk_size() -> int:
    return max(1, int(getattr(settings, "VISIT_LETTERS_CHUNK_SIZE", 10)))


def _chunks(ids: list[int]) -> list[list[int]]:
    size = _chunk_size()
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _eager() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def start_issue(visit_ids: list[int], batch_id: int | None = None) -> None:
    """Queue the issue of these visits' letters once the caller's transaction commits
    (run now when tasks run eagerly, the embedded default)."""
    chunks = _chunks(list(visit_ids))
    if _eager():
        for chunk in chunks:
            issue_letters.apply(args=(chunk, batch_id))
        return
    transaction.on_commit(lambda: [issue_letters.delay(chunk, batch_id) for chunk in chunks])


def start_batch(batch_id: int) -> None:
    if _eager():
        prepare_batch.apply(args=(batch_id,))
    else:
        transaction.on_commit(lambda: prepare_batch.delay(batch_id))


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=BATCH_SECONDS + _LIMIT,
    time_limit=BATCH_SECONDS + _LIMIT + 5,
)
def issue_letters(
    self, visit_ids: list[int], batch_id: int | None = None, prepare: bool = False
) -> dict:
    eager = bool(self.request.is_eager)
    deadline = timezone.now() + dt.timedelta(seconds=BATCH_SECONDS)
    if prepare and batch_id is not None:
        visit_ids = letters.letter_batch_prepare(batch_id=batch_id, visit_ids=list(visit_ids))
    outcomes: dict[str, int] = {}
    rest: list[int] = []
    for index, visit_id in enumerate(visit_ids):
        if index and timezone.now() >= deadline:
            rest = list(visit_ids[index:])
            break
        result = letters.letter_issue(
            visit_id=visit_id, worker=self.request.hostname or "", in_process=not eager
        )
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    if rest:
        if eager:
            issue_letters.apply(args=(rest, batch_id))
        else:
            issue_letters.delay(rest, batch_id)
    if batch_id is not None:
        letters.letter_batch_refresh(batch_id=batch_id)
    return {"outcomes": outcomes, "handed_on": len(rest)}


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def prepare_batch(self, batch_id: int) -> int:
    batch = letters.LetterBatch.objects.get(pk=batch_id)
    ids = list(letters.batch_visits(batch).values_list("pk", flat=True))
    for chunk in _chunks(ids):
        if self.request.is_eager:
            issue_letters.apply(args=(chunk, batch_id, True))
        else:
            issue_letters.delay(chunk, batch_id, True)
    if not ids:
        letters.letter_batch_refresh(batch_id=batch_id)
    return len(ids)


@shared_task
def sweep_letters() -> dict:
    """Letters asked for and not issued after the documents' claim timeout (their task
    died with a worker), and unfinished batches with no letter issued for
    ``VISIT_LETTERS_SWEEP_AFTER_SECONDS``, are handed out again."""
    after = dt.timedelta(seconds=settings.VISIT_LETTERS_SWEEP_AFTER_SECONDS)
    claim = dt.timedelta(seconds=settings.DOCUMENTS_CLAIM_TIMEOUT_SECONDS)
    visit_ids = letters.letters_unissued(older_than=max(after, claim))
    for chunk in _chunks(visit_ids):
        issue_letters.delay(chunk, None)
    now = timezone.now()
    stalled = []
    for batch in letters.LetterBatch.objects.filter(
        finished_at__isnull=True, created_at__lt=now - after
    ):
        batch = letters.letter_batch_refresh(batch_id=batch.pk)
        if batch.finished_at is not None:
            continue
        last = letters.batch_visits(batch).aggregate(last=Max("letter_issued_at"))["last"]
        if last is None or last < now - after:
            stalled.append(batch.pk)
            prepare_batch.delay(batch.pk)
    if visit_ids or stalled:
        logger.warning("Letters handed out again: visits %s, batches %s", visit_ids, stalled)
    return {"visits": len(visit_ids), "batches": len(stalled)}
