"""A batch of letters with its worker SIGKILLed part-way (with its pool, as a machine
losing power would) ends with every letter rendered and e-mailed exactly once.

The first worker renders letters only: the outbox has a queue of its own
(``OUTBOX_QUEUE``) that only the second worker reads, so the e-mails the first worker
queued are sent by the second, and no SMTP conversation is cut by the kill (that window,
where a message may arrive twice under one Message-ID, is the outbox's own kill test in
tests/campaigns/test_kill_windows.py). The kill lands while the first worker is in the
middle of a chunk: letters issued before it stay issued (their e-mails are rows in the
outbox, keyed per visit, version and contact), the letter it was rendering is left with
a claim the sweep takes again after the claim timeout, the unstarted ones of its chunk are
found by the letters sweep (the chunk's unacknowledged task may come back too, after the
broker's visibility timeout: a duplicate the claims and the outbox keys absorb), and the
other chunks wait in the queue for the next worker. The test process plays beat.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import pytest
from django.core.files.storage import storages

from procurement_portal.documents.models import Document
from procurement_portal.outbox.models import MessageStatus, OutboxMessage
from tests.campaigns.workers import kill_hard
from tests.factories import ContactFactory, SiteFactory, SupplierFactory
from tests.services import ROOT, _database_url_for_subprocess, _redis_url
from visits import letters
from visits.models import LetterBatch, Visit

from .test_letters import submitted_visit

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

LETTERS = 12
WORKER_ENV = {
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "DJANGO_CONN_MAX_AGE": "0",
    # Short, so the dead worker's unacknowledged chunk may come back as well (a duplicate
    # the claims and the outbox keys must absorb).
    "CELERY_VISIBILITY_TIMEOUT": "6",
    "CELERY_TASK_TIME_LIMIT": "5",
    "CELERY_TASK_SOFT_TIME_LIMIT": "4",
    "OUTBOX_RETRY_MAX_SECONDS": "2",
    "OUTBOX_RETRY_BASE_SECONDS": "1",
    "OUTBOX_SEND_RATE_PER_SECOND": "0",
    "DOCUMENTS_CLAIM_TIMEOUT_SECONDS": "6",
    "DOCUMENTS_SWEEP_AFTER_SECONDS": "3",
    "VISIT_LETTERS_SWEEP_AFTER_SECONDS": "3",
    "VISIT_LETTERS_CHUNK_SIZE": "4",
}


@pytest.fixture
def documents_folder(settings, tmp_path):
    """A documents folder both this process and the workers use."""
    folder = tmp_path / "media" / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "allow_overwrite": True},
        },
    }
    return folder


@contextlib.contextmanager
def worker(queues: str, default_queue: str, env: dict, log):
    from procurement_portal.celery import app

    name = f"{default_queue}-{uuid.uuid4().hex[:6]}@{os.uname().nodename}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "procurement_portal", "worker", "-Q", queues,
             "-c", "1", "-n", name, "--without-heartbeat", "--without-gossip",
             "--without-mingle", "-l", "info"],
            cwd=ROOT, env={**os.environ, **env, "CELERY_TASK_DEFAULT_QUEUE": default_queue},
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 40
        while not app.control.ping(destination=[name], timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker {name} did not start:\n{log.read_text(errors='replace')}")
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                kill_hard(proc.pid)


class Beat(threading.Thread):
    """Beat's letters and documents sweeps, every second, to the test's queue."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()

    def run(self):
        from procurement_portal.documents.tasks import sweep_documents
        from visits.letter_tasks import sweep_letters

        while not self.stop.wait(1.0):
            sweep_letters.delay()
            sweep_documents.delay()


def _wait(predicate, *, timeout: float, what: str, logs=()):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            tail = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
            pytest.fail(f"{what} did not happen in {timeout} s\n{tail}")
        time.sleep(0.1)


def test_a_killed_worker_leaves_every_letter_rendered_and_emailed_once(
    settings, tmp_path, documents_folder, smtp_server, buyer, visits_reference
):
    # Given submitted visits of twelve suppliers, each with findings and one contact
    due = dt.date(2026, 12, 15)
    findings = [
        ("working-hours", {"outcome": "minor", "note": "Overtime.", "guidance_category":
         "working_hours", "required_action": "Record overtime.", "due_date": due.isoformat()}),
    ]  # fmt: skip
    visits = []
    for i in range(LETTERS):
        supplier = SupplierFactory(
            code=f"KILL-{i:02d}", preferred_language="ja" if i % 3 == 0 else "en"
        )
        ContactFactory(supplier=supplier, email=f"letters{i}@kill.example", language="en")
        site = SiteFactory(supplier=supplier)
        visits.append(submitted_visit(buyer, supplier, site, findings, day=dt.date(2026, 10, 6)))

    queue = f"test-{uuid.uuid4().hex[:10]}"
    mail_queue = f"{queue}-mail"
    env = {
        **WORKER_ENV,
        "DATABASE_URL": _database_url_for_subprocess(),
        "REDIS_URL": _redis_url(),
        "EMAIL_URL": smtp_server.url,
        "OUTBOX_QUEUE": mail_queue,
        "DJANGO_MEDIA_ROOT": str(documents_folder.parent),
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    issued = Visit.objects.filter(letter_issued_at__isnull=False)

    with contextlib.ExitStack() as stack:
        # When a batch starts on a worker that renders letters only
        first_log = tmp_path / "first.log"
        first = stack.enter_context(worker(queue, queue, env, first_log))
        batch = letters.letter_batch_start(
            actor=buyer, period_start="2026-10-01", period_end="2026-10-31"
        )
        assert batch.total == LETTERS
        # and it is killed outright with a few letters issued and the rest to do
        _wait(lambda: issued.count() >= 3, timeout=60, what="three letters", logs=[first_log])
        kill_hard(first.pid)
        first.wait(timeout=10)
        at_kill = issued.count()
        assert at_kill < LETTERS, "the worker finished before it could be killed"
        assert not smtp_server.messages  # the first worker sent nothing

        # Then a second worker (letters and e-mail), with beat's sweeps, finishes the batch
        second_log = tmp_path / "second.log"
        stack.enter_context(worker(f"{queue},{mail_queue}", queue, env, second_log))
        beat = Beat()
        beat.start()
        stack.callback(beat.stop.set)
        _wait(
            lambda: LetterBatch.objects.get(pk=batch.pk).done == LETTERS,
            timeout=60,
            what="every letter issued",
            logs=[first_log, second_log],
        )
        mails = OutboxMessage.objects.filter(key__startswith="visit-letter:")
        _wait(
            lambda: mails.filter(status=MessageStatus.SENT).count() == LETTERS,
            timeout=30,
            what="every letter e-mailed",
            logs=[second_log],
        )
        time.sleep(1.5)  # a late duplicate would arrive now

    # Every visit has one letter, rendered, issued as version 1, stored once
    documents = Document.objects.filter(kind=letters.LETTER_KIND)
    assert documents.count() == LETTERS
    assert set(documents.values_list("state", "version")) == {(Document.State.READY, 1)}
    for visit in Visit.objects.filter(pk__in=[v.pk for v in visits]):
        assert visit.letter_issued_at is not None and visit.letter_version == 1
        assert storages["documents"].exists(visit.letter_document.file.name)
    stored = list(documents_folder.rglob("*.pdf"))
    assert len(stored) == LETTERS
    # and every contact got exactly one e-mail, one outbox row per visit
    received = Counter(str(m["To"]) for m in smtp_server.messages)
    assert received == Counter({f"letters{i}@kill.example": 1 for i in range(LETTERS)})
    assert mails.count() == LETTERS
    batch.refresh_from_db()
    assert (batch.total, batch.done, batch.failed) == (LETTERS, LETTERS, 0)
    assert batch.finished_at is not None
