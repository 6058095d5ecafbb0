"""Killing the Celery worker while a campaign's invitations are being sent: nothing may
be lost, and every duplicate must carry the same Message-ID and be counted.

    .venv/bin/python bench/bench_outbox_kills.py [--suppliers 2100] [--kills 3]

What it does: drops and re-creates the database named by ``BENCH_KILLS_DATABASE_URL``
(default ``postgres://postgres@127.0.0.1:5432/bench_outbox_kills``; the name must start
with "bench"), migrates, seeds N active suppliers (every third with a second contact),
and starts, with the DEFAULT outbox and campaign settings (claim timeout, sweep, rate
limit, batch size; only the broker, database and mail server are given):

* an aiosmtpd sink on loopback that takes 25 ms per message (the delay is inside the
  answer: it has stored the message and not yet said "250", so a worker killed then
  leaves a copy behind, as with a real server);
* ``celery beat`` (as the production stack runs it, a process of its own);
* a ``celery worker`` (prefork, 2 processes) in a process group of its own.

It launches a campaign for every supplier through the launch service, and while the
invitations are being sent it SIGKILLs the worker's whole process group ``--kills`` times
(at even shares of the expected messages), starting a new worker 2 s after each kill, as
a supervisor would. It then waits until the outbox has nothing queued or being sent and
prints: expected, received, missing (must be 0), duplicates (each checked to carry one
Message-ID), rows marked "sent again after an unconfirmed attempt" (must equal the
duplicated rows plus the unconfirmed ones the server had not in fact accepted), and for
each kill the time until every message the dead worker held was sent (target < 5 min).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_campaigns import seed
from bench.common import OUT, ROOT, bench_env, free_port, manage, reset_database

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_outbox_kills"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
QUEUE = "bench-kills"
SMTP_DELAY = 0.025


class SlowSink:
    """An SMTP server that takes 25 ms to answer each message, and keeps each copy's
    recipient and Message-ID (a copy counts once the server has it, whether or not the
    client lived to read the 250)."""

    def __init__(self) -> None:
        import email
        import email.policy

        self._parse = lambda b: email.message_from_bytes(b, policy=email.policy.default)
        self.lock = threading.Lock()
        self.copies: dict[str, list[str]] = defaultdict(list)  # recipient -> Message-IDs
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
        # Like a real server, it has the message (queued for delivery) before it has said
        # so: a client killed during these 25 ms never hears the 250.
        message_id = str(self._parse(envelope.content).get("Message-ID", ""))
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.copies[rcpt].append(message_id)
            self.count += 1
        await asyncio.sleep(SMTP_DELAY)
        return "250 OK"


def _env(db_url: str, redis_url: str, smtp_port: int) -> dict[str, str]:
    env = bench_env(db_url)
    env.update(
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        DJANGO_CONN_MAX_AGE="0",
    )
    for name in list(env):  # the defaults are what is measured
        if name.startswith(("OUTBOX_", "CAMPAIGN_")) or name in ("EMAIL_TIMEOUT",):
            del env[name]
    return env


def start_worker(env: dict[str, str], n: int) -> subprocess.Popen:
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / f"celery-kills-worker-{n}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "procurement_portal", "worker", "-Q", QUEUE,
         "-c", "2", "-n", f"{QUEUE}-{n}@%h", "--without-heartbeat", "--without-gossip",
         "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def start_beat(env: dict[str, str]) -> subprocess.Popen:
    OUT.mkdir(parents=True, exist_ok=True)  # beat starts first: on a fresh checkout
    log = (OUT / "celery-kills-beat.log").open("wb")
    schedule = OUT / "celery-kills-beat-schedule"
    for leftover in OUT.glob("celery-kills-beat-schedule*"):
        leftover.unlink()
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "procurement_portal", "beat", "-s",
         str(schedule), "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _note_recovery(kills: list[dict], sink: SlowSink, messages) -> None:
    """When sending resumed after each kill, and when every message the dead worker held
    (claimed, unconfirmed) had been sent again."""
    from procurement_portal.outbox.models import MessageStatus

    now = time.monotonic()
    for kill in kills:
        if "resumed" not in kill and "restarted" in kill and sink.count > kill["restarted"]:
            kill["resumed"] = now
        if (
            "recovered" not in kill
            and not messages.filter(
                pk__in=kill["held"], status__in=[MessageStatus.SENDING, MessageStatus.QUEUED]
            ).exists()
        ):
            kill["recovered"] = now


def add_second_contacts() -> int:
    from suppliers.models import Contact, Supplier

    ids = list(Supplier.objects.order_by("pk").values_list("pk", flat=True))[::3]
    Contact.objects.bulk_create(
        [
            Contact(
                supplier_id=pk,
                name=f"Second {pk}",
                email=f"second{pk}@bench.example",
                language="ja" if pk % 2 else "en",
            )
            for pk in ids
        ],
        batch_size=2000,
    )
    return len(ids)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suppliers", type=int, default=2100)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_KILLS_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_KILLS_REDIS_URL", DEFAULT_REDIS)

    from aiosmtpd.controller import Controller

    sink = SlowSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = _env(db_url, redis_url, port)

    print(f"resetting {db_url} and migrating ...", flush=True)
    reset_database(db_url)
    manage(db_url, "migrate", "--noinput", "-v", "0")
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.utils import timezone

    redis.Redis.from_url(redis_url).flushdb()

    from assessments.campaigns import services
    from procurement_portal.outbox.models import MessageStatus, OutboxMessage
    from procurement_portal.outbox.services import message_id_for

    user, version = seed(args.suppliers)
    extra = add_second_contacts()
    print(
        f"seeded {args.suppliers} suppliers, {args.suppliers + extra} contacts; "
        f"claim timeout {settings.OUTBOX_CLAIM_TIMEOUT_SECONDS} s, sweep every "
        f"{settings.CELERY_BEAT_SCHEDULE['outbox-sweep']['schedule']} s (after "
        f"{settings.OUTBOX_SWEEP_AFTER_SECONDS} s), rate {settings.OUTBOX_SEND_RATE_PER_SECOND}/s, "
        f"batch {settings.OUTBOX_BATCH_SIZE}",
        flush=True,
    )
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=user,
        name="Kill bench",
        version=version,
        fiscal_year=2026,
        opens_on=today,
        due_date=today + dt.timedelta(days=30),
    )
    beat = start_beat(env)
    workers = [start_worker(env, 0)]
    from procurement_portal.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if workers[0].poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start; see {OUT}/celery-kills-worker-0.log")

    expected = args.suppliers + extra
    messages = OutboxMessage.objects.filter(group=campaign.outbox_group)
    kills: list[dict] = []
    t0 = time.monotonic()
    try:
        services.campaign_launch(actor=user, campaign_id=campaign.pk)
        marks = [expected * (k + 1) // (args.kills + 1) for k in range(args.kills)]
        while marks and time.monotonic() - t0 < args.timeout:
            time.sleep(0.05)
            if sink.count >= marks[0]:
                marks.pop(0)
                kill_group(workers[-1])
                killed_at = time.monotonic()
                time.sleep(0.5)  # a confirm already on its way to PostgreSQL lands now
                earlier = {pk for kill in kills for pk in kill["held"]}
                held = [  # claimed by the worker just killed (not still by an earlier one)
                    pk
                    for pk in messages.filter(status=MessageStatus.SENDING).values_list(
                        "pk", flat=True
                    )
                    if pk not in earlier
                ]
                kills.append({"at": killed_at, "received": sink.count, "held": held})
                print(
                    f"kill {len(kills)} at {killed_at - t0:6.1f} s: {sink.count} received, "
                    f"{len(held)} message(s) claimed by the dead worker",
                    flush=True,
                )
                time.sleep(1.5)
                workers.append(start_worker(env, len(workers)))
                kills[-1]["restarted"] = sink.count
            _note_recovery(kills, sink, messages)
        # until nothing is left to send, noting when each kill's held messages went out
        while time.monotonic() - t0 < args.timeout:
            time.sleep(0.25)
            _note_recovery(kills, sink, messages)
            pending = messages.filter(
                status__in=[MessageStatus.SENDING, MessageStatus.QUEUED]
            ).count()
            done = all("recovered" in k for k in kills)
            if messages.count() >= expected and not pending and done:
                break
        finished = time.monotonic()
        time.sleep(3)  # anything sent twice arrives now
    finally:
        for proc in [*workers, beat]:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    kill_group(proc)
        controller.stop()

    rows = {m.to: m for m in messages}
    received = sink.count
    missing = [to for to in rows if not sink.copies.get(to)] + [None] * (expected - len(rows))
    duplicated = {to: ids for to, ids in sink.copies.items() if len(ids) > 1}
    extra_copies = sum(len(ids) - 1 for ids in duplicated.values())
    same_id = all(
        len(set(ids)) == 1 and ids[0] == message_id_for(rows[to].key)
        for to, ids in duplicated.items()
    )
    unconfirmed = [m for m in rows.values() if m.unconfirmed_attempts]
    uncounted = [to for to in duplicated if not rows[to].unconfirmed_attempts]
    unconfirmed_single = [m for m in unconfirmed if len(sink.copies.get(m.to, [])) == 1]
    failed = sum(1 for m in rows.values() if m.status == MessageStatus.FAILED)
    print()
    print(f"expected (contacts)                   {expected:>8,}")
    print(f"in the outbox                         {len(rows):>8,}   failed {failed}")
    print(f"received by the SMTP sink             {received:>8,}")
    print(f"missing                               {len(missing):>8,}   (must be 0)")
    print(
        f"duplicates (extra copies)             {extra_copies:>8,}   on {len(duplicated)} "
        f"contact(s); same Message-ID: {'yes' if same_id else 'NO'}"
    )
    print(
        f"rows marked unconfirmed               {len(unconfirmed):>8,}   = {len(duplicated)} "
        f"duplicated + {len(unconfirmed_single)} not in fact delivered twice; "
        f"duplicates not counted: {len(uncounted)}"
    )
    for n, kill in enumerate(kills, start=1):
        took = kill.get("recovered", finished) - kill["at"]
        resumed = kill.get("resumed", finished) - kill["at"]
        print(
            f"kill {n}: sending resumed after {resumed:5.1f} s; the {len(kill['held'])} message(s) "
            f"the dead worker held sent again after {took:5.1f} s   (target < 300 s)"
        )
    print(f"launch to last message                {finished - t0:8.1f} s")
    ok = (
        not missing
        and same_id
        and not uncounted
        and len(unconfirmed) == len(duplicated) + len(unconfirmed_single)
        and all(kill.get("recovered", finished) - kill["at"] < 300 for kill in kills)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
