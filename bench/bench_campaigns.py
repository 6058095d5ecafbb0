"""Launching a survey campaign for 10,000 suppliers with one Celery worker, and the
outbox's drain rate to a local SMTP sink.

    .venv/bin/python bench/bench_campaigns.py [--suppliers 10000] [--rate 0] [--concurrency 1]

What it does: drops and re-creates the database named by ``BENCH_CAMPAIGNS_DATABASE_URL``
(default ``postgres://postgres@127.0.0.1:5432/bench_campaigns``; the name must start with
"bench"), migrates, seeds N active suppliers with one contact each (half of them reading
Japanese), starts one real ``celery worker`` (prefork, concurrency 1 unless given) on
Redis (``BENCH_CAMPAIGNS_REDIS_URL``, default database 13, flushed first) and an aiosmtpd
sink on loopback, launches a campaign for all of them through the service the launch
button calls, and polls the database:

* **launch**: from the launch to every assessment created and every invitation in the
  outbox (target: under 60 s for 10,000);
* **drain**: invitations sent per second over SMTP by the same worker (each accepted by
  the sink and marked sent), with ``OUTBOX_SEND_RATE_PER_SECOND`` = ``--rate`` (0 = no
  limit); and the number of messages the sink received more than once (must be 0).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, ROOT, bench_env, free_port, manage, reset_database

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_campaigns"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
QUEUE = "bench-campaigns"


class Sink:
    """An SMTP server that counts what it accepts, per recipient."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.per_recipient: dict[str, int] = {}
        self.first_at: float | None = None
        self.last_at: float | None = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
        now = time.monotonic()
        with self.lock:
            self.count += 1
            for rcpt in envelope.rcpt_tos:
                self.per_recipient[rcpt] = self.per_recipient.get(rcpt, 0) + 1
            self.first_at = self.first_at or now
            self.last_at = now
        return "250 OK"


def _env(db_url: str, redis_url: str, smtp_port: int, args) -> dict[str, str]:
    env = bench_env(db_url)
    env.update(
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        OUTBOX_SEND_RATE_PER_SECOND=str(args.rate),
        DJANGO_CONN_MAX_AGE="0",
    )
    return env


def seed(n: int):
    from django.utils import timezone

    from assessments.models import Questionnaire, QuestionnaireVersion, Section
    from procurement_portal.accounts.models import Role, User
    from suppliers.models import Contact, Supplier

    countries = ["JP", "CN", "VN", "TH", "US", "DE", "MX", "SG"]
    Supplier.objects.bulk_create(
        [
            Supplier(
                code=f"B-{i:06d}",
                legal_name=f"Bench Supplier {i} Co., Ltd.",
                local_name=f"ベンチサプライヤー{i}株式会社",
                country=countries[i % len(countries)],
                preferred_language="ja" if i % 2 else "en",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    ids = Supplier.objects.order_by("pk").values_list("pk", flat=True)
    Contact.objects.bulk_create(
        [
            Contact(
                supplier_id=pk,
                name=f"Contact {i}",
                email=f"contact{i}@bench.example",
                language="ja" if i % 2 else "en",
                is_primary=True,
            )
            for i, pk in enumerate(ids)
        ],
        batch_size=2000,
    )
    questionnaire = Questionnaire.objects.create(
        code="bench-campaign", kind="sustainability", title_en="Bench SAQ", title_ja="ベンチSAQ"
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        status="published",
        published_at=timezone.now(),
        title_en="Sustainability SAQ",
        title_ja="サステナビリティSAQ",
    )
    Section.objects.create(version=version, code="s1", position=1, title_en="S1", title_ja="S1")
    user = User.objects.create_user(
        email="bench-buyer@portal.example", password="bench-only-password-0123", full_name="B"
    )
    user.role = Role.PROCUREMENT
    user.save(update_fields=["role"])
    return user, version


def start_worker(env: dict[str, str], concurrency: int) -> subprocess.Popen:
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "celery-campaigns.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "procurement_portal", "worker", "-Q", QUEUE,
         "-c", str(concurrency), "-n", f"{QUEUE}@%h", "--without-heartbeat",
         "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suppliers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=0.0, help="OUTBOX_SEND_RATE_PER_SECOND")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_CAMPAIGNS_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_CAMPAIGNS_REDIS_URL", DEFAULT_REDIS)

    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = _env(db_url, redis_url, port, args)

    print(f"resetting {db_url} and migrating ...", flush=True)
    reset_database(db_url)
    manage(db_url, "migrate", "--noinput", "-v", "0")
    os.environ.update(env)
    import django

    django.setup()
    import redis

    redis.Redis.from_url(redis_url).flushdb()

    from assessments.campaigns import services
    from assessments.models import Assessment, CampaignStatus, CampaignSupplier
    from procurement_portal.outbox.models import MessageStatus, OutboxMessage

    n = args.suppliers
    started = time.perf_counter()
    user, version = seed(n)
    print(f"seeded {n} suppliers with one contact each in {time.perf_counter() - started:.1f} s")
    campaign = services.campaign_create(
        actor=user,
        name="Bench campaign",
        version=version,
        fiscal_year=2026,
        opens_on=django.utils.timezone.localdate(),
        due_date=django.utils.timezone.localdate() + django.utils.timezone.timedelta(days=30),
    )
    worker = start_worker(env, args.concurrency)
    from procurement_portal.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start; see {OUT / 'celery-campaigns.log'}")

    try:
        t0 = time.monotonic()
        services.campaign_launch(actor=user, campaign_id=campaign.pk)
        launched_at = drained_at = None
        messages = OutboxMessage.objects.filter(group=campaign.outbox_group)
        while time.monotonic() - t0 < args.timeout:
            time.sleep(0.25)
            if launched_at is None:
                campaign.refresh_from_db(fields=["status"])
                if campaign.status == CampaignStatus.LAUNCHED and messages.count() >= n:
                    launched_at = time.monotonic()
                    sent_at_launch = messages.filter(status=MessageStatus.SENT).count()
            elif messages.filter(status=MessageStatus.SENT).count() >= n:
                drained_at = time.monotonic()
                break
        time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        controller.stop()

    if launched_at is None or drained_at is None:
        raise SystemExit("the campaign did not finish in time; see bench/out/celery-campaigns.log")
    invited = CampaignSupplier.objects.filter(campaign=campaign, invited_at__isnull=False).count()
    launch_s = launched_at - t0
    drain_s = (sink.last_at or 0) - (sink.first_at or 0)
    duplicates = sum(c - 1 for c in sink.per_recipient.values() if c > 1)
    print()
    print(f"suppliers invited            {invited:>10,}")
    print(f"assessments created          {Assessment.objects.count():>10,}")
    print(f"invitations in the outbox    {messages.count():>10,}")
    print(f"launch (all of the above)    {launch_s:>10.1f} s   (target < 60 s)")
    print(f"  per supplier               {1000 * launch_s / n:>10.2f} ms")
    print(f"  already sent at that point {sent_at_launch:>10,}")
    print(f"received by the SMTP sink    {sink.count:>10,}")
    print(f"sent more than once          {duplicates:>10,}")
    print(f"drain, first to last message {drain_s:>10.1f} s")
    print(f"drain rate                   {sink.count / drain_s if drain_s else 0:>10.0f} msg/s"
          f"   (worker concurrency {args.concurrency}, rate limit "
          f"{args.rate or 'none'})")  # fmt: skip
    print(f"launch to every message sent {drained_at - t0:>10.1f} s")
    return 0 if duplicates == 0 and sink.count == n else 1


if __name__ == "__main__":
    raise SystemExit(main())
