"""A second real Celery worker on a given queue, and killing a worker outright.

``tests/services.py``'s ``celery_worker`` starts the first worker; the kill test needs
another one on the same queue after SIGKILLing the first (with its pool processes, as a
machine losing power would), to see that the broker hands the lost task over. The shared
fixture's worker also cannot run a campaign: its queue is known only to the test process,
so the tasks a worker queues itself would go to the default queue that nobody reads.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.services import ROOT, _database_url_for_subprocess, _redis_url


def descendants(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            for child in map(int, text):
                found.append(child)
                found.extend(descendants(child))
    return found


def kill_hard(pid: int) -> None:
    """SIGKILL the worker and every process under it, at once: nothing gets to clean up."""
    for target in [pid, *descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)


@contextlib.contextmanager
def worker_process(queue: str, log: Path, extra_env: dict[str, str], *, name: str = "w"):
    """A ``celery worker`` on ``queue``, whose own follow-up tasks (launch -> chunks ->
    deliveries) go to that queue too (CELERY_TASK_DEFAULT_QUEUE)."""
    from procurement_portal.celery import app

    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_subprocess(),
        "REDIS_URL": _redis_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_CONN_MAX_AGE": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **extra_env,
    }
    name = f"{queue}-{name}@{os.uname().nodename}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "procurement_portal", "worker", "-Q", queue,
             "-c", "1", "-n", name, "--without-heartbeat", "--without-gossip",
             "--without-mingle", "-l", "info"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not app.control.ping(destination=[name], timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker {name} did not start:\n{log.read_text(errors='replace')}")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_hard(proc.pid)


class Worker:
    def __init__(self, proc: subprocess.Popen, log: Path):
        self.proc, self.log = proc, log

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def campaign_workers(transactional_db, settings, tmp_path, worker_env):
    """Start workers on a queue of this test: ``start(name)`` returns a running Worker.
    This process sends its tasks there too (Django settings, which Celery reads first)."""
    import uuid

    queue = f"test-{uuid.uuid4().hex[:12]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    with contextlib.ExitStack() as stack:

        def start(name: str) -> Worker:
            log = tmp_path / f"worker-{name}.log"
            proc = stack.enter_context(worker_process(queue, log, worker_env, name=name))
            return Worker(proc, log)

        yield start


class Beat:
    """Plays beat for a test: the outbox sweep every half second, to the test's queue
    (the worker sends nothing lost until a sweep or a redelivered task asks it to); with
    ``watch_launches``, the campaigns' watch for lost launch chunks too."""

    def __init__(self, *, watch_launches: bool = False):
        from procurement_portal.outbox.tasks import sweep_outbox

        tasks = [sweep_outbox]
        if watch_launches:
            from assessments.tasks import campaigns_watch

            tasks.append(campaigns_watch)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(tasks,), daemon=True)

    def _run(self, tasks):
        while not self.stop.wait(0.5):
            for task in tasks:
                task.delay()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)
