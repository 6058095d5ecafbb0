"""Dissemination benchmark: the guidelines library at 50,000 suppliers, on PostgreSQL under
gunicorn with production settings.

    .venv/bin/python bench/bench_dissemination.py            # reset `bench_dissemination`
    .venv/bin/python bench/bench_dissemination.py --reuse    # keep a seeded database

Resets the database named by DATABASE_URL (default ``bench_dissemination``; the name must
start with "bench"), seeds 50,000 suppliers with suppliers.demo, publishes one version
for every active supplier through the real service (the time is printed: it fixes the
audience as one row per supplier; the request e-mails are held back, the bench measures
pages, not the outbox) and records an acknowledgement for every other supplier in bulk.

Figures (server time from the Server-Timing header):

* publish: the service call for the whole audience, once;
* coverage: the staff version page (asked, acknowledged, missing list) and the API's
  coverage, target < 200 ms, with their query counts;
* the staff library and a supplier user's library (target < 100 ms);
* acknowledge: ``--readers`` supplier users each acknowledge once (the POST), target p95
  < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH_SUPPLIERS,
    Server,
    log_in,
    manage,
    measure,
    percentile,
    post_form_each,
    reset_database,
    setup_django,
    staff_totp_key,
    supplier_user_sessions,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_dissemination"
COVERAGE_TARGET_MS = 200.0
PAGE_TARGET_MS = 100.0
ACK_TARGET_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suppliers", type=int, default=BENCH_SUPPLIERS)
    parser.add_argument("--readers", type=int, default=100, help="acknowledgements measured")
    parser.add_argument("--requests", type=int, default=50, help="requests per page figure")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded bench database")
    args = parser.parse_args()

    db_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not args.reuse:
        reset_database(db_url)
    manage(db_url, "migrate", "--noinput", "-v0")
    collect_static(db_url)
    setup_django(db_url)
    seed_suppliers(args.suppliers)
    version, publish_seconds = seed_library()
    readers = reader_sessions(version, args.readers)
    totp_key = staff_totp_key()
    with Server(db_url) as server:
        pages = run_pages(server.port, version, totp_key, readers[0][1], args.requests)
        acks = run_acknowledgements(server.port, version, readers)
    report(publish_seconds, pages, acks)
    return 0


def collect_static(db_url: str) -> None:
    """Production settings serve hashed static names from a manifest; when collectstatic
    fails on a file these pages do not use, the last manifest still serves them."""
    import subprocess

    static_root = os.environ.get("BENCH_STATIC_ROOT", "/tmp/portal-bench-static")
    try:
        manage(db_url, "collectstatic", "--noinput", "-v0")
    except subprocess.CalledProcessError:
        if not (Path(static_root) / "staticfiles.json").exists():
            raise
        print(f"collectstatic failed: using the last manifest in {static_root}")


def seed_suppliers(count: int) -> None:
    from django.db import connection

    from suppliers import demo
    from suppliers.models import Supplier

    if Supplier.objects.exists():
        print(f"seed: reusing {Supplier.objects.count():,} suppliers")
        return
    result = demo.build_demo(suppliers=count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seed: {result.suppliers:,} suppliers in {result.seconds:.1f} s")


def seed_library():
    """One version for every active supplier, published through the service; every other
    supplier asked has acknowledged it (bulk: the pages are measured, not the seeding)."""
    from django.db import connection
    from django.utils import timezone

    from dissemination import services, tasks
    from dissemination.models import (
        Acknowledgement,
        AcknowledgementRequest,
        GuidelineDocument,
        GuidelineVersion,
    )
    from procurement_portal.accounts.models import User
    from tests.dissemination.builders import pdf_upload

    existing = GuidelineVersion.objects.filter(status="published").first()
    if existing is not None:
        print(f"seed: reusing version {existing} asked of {existing.asked_count:,} suppliers")
        return existing, float("nan")
    buyer = User.objects.get(email="buyer@demo.example")
    document = GuidelineDocument.objects.filter(code="bench-guidelines").first()
    document = document or services.document_create(
        actor=buyer,
        code="bench-guidelines",
        title_en="Supply-chain guidelines",
        title_ja="サプライチェーンガイドライン",
        category="supply_chain_guidelines",
    )
    version = services.version_create(actor=buyer, document_id=document.pk, number="1.0")
    for language in ("en", "ja"):
        services.version_file_attach(
            actor=buyer, version_id=version.pk, language=language, upload=pdf_upload()
        )
    held = tasks.send_version_requests.delay
    tasks.send_version_requests.delay = lambda *a, **k: None
    try:
        started = time.perf_counter()
        version = services.version_publish(actor=buyer, version_id=version.pk)
        seconds = time.perf_counter() - started
    finally:
        tasks.send_version_requests.delay = held
    now = timezone.now()
    asked = AcknowledgementRequest.objects.filter(version=version).order_by("supplier_id")
    Acknowledgement.objects.bulk_create(
        [
            Acknowledgement(supplier_id=sid, version=version, acknowledged_at=now)
            for sid in list(asked.values_list("supplier_id", flat=True))[::2]
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"publish: {version.asked_count:,} suppliers asked in {seconds:.2f} s")
    return version, seconds


def reader_sessions(version, count: int) -> list[tuple[int, dict[str, str]]]:
    """Supplier users of suppliers asked that have not acknowledged, each with a session."""
    from dissemination.models import Acknowledgement, AcknowledgementRequest
    from procurement_portal.accounts.models import SupplierMembership

    done = Acknowledgement.objects.filter(version=version).values("supplier_id")
    taken = SupplierMembership.objects.values("supplier_id")
    supplier_ids = list(
        AcknowledgementRequest.objects.filter(version=version)
        .exclude(supplier_id__in=done)
        .exclude(supplier_id__in=taken)
        .order_by("supplier_id")
        .values_list("supplier_id", flat=True)[:count]
    )
    sessions = supplier_user_sessions(supplier_ids, email_prefix="bench-reader")
    print(f"readers: {len(sessions)} supplier users with a session")
    return sessions


def run_pages(port: int, version, totp_key: bytes, reader_cookies, requests: int) -> dict:
    from suppliers.demo import DEMO_PASSWORD

    staff = log_in(port, email="buyer@demo.example", password=DEMO_PASSWORD, totp_key=totp_key)
    figures = {}
    for label, path, cookies in (
        ("version page (coverage)", f"/dissemination/versions/{version.pk}/", staff),
        ("API coverage", f"/api/v1/guideline-versions/{version.pk}/coverage/", staff),
        ("staff library", "/dissemination/", staff),
        ("supplier library", "/dissemination/", reader_cookies),
    ):
        figures[label] = measure(
            port, path, label=label, cookies=cookies, requests=requests, warmup=3
        )
    return figures


def run_acknowledgements(port: int, version, readers) -> dict:
    posts = post_form_each(
        port,
        readers,
        page="/dissemination/",
        action=f"/dissemination/versions/{version.pk}/acknowledge/",
        fields=lambda supplier_id: {"supplier": str(supplier_id)},
        what="acknowledging",
    )
    return {"ack_ms": posts.post_ms, "queries": posts.queries}


def report(publish_seconds: float, pages: dict, acks: dict) -> None:
    from dissemination.models import Acknowledgement, AcknowledgementRequest
    from suppliers.models import Supplier

    print(
        f"\n{Supplier.objects.count():,} suppliers, {AcknowledgementRequest.objects.count():,} "
        f"asked, {Acknowledgement.objects.count():,} acknowledged; server time (ms)"
    )
    print(f"{'publish (service)':<26} {publish_seconds * 1000:8.0f} ms")
    for label, stats in pages.items():
        target = COVERAGE_TARGET_MS if "coverage" in label else PAGE_TARGET_MS
        p95 = stats.p(stats.app_ms, 95)
        print(
            f"{label:<26} p50 {stats.p(stats.app_ms, 50):6.1f}  p95 {p95:6.1f}  "
            f"queries {stats.query_range}  n={stats.count}  target < {target:.0f}"
            + ("" if p95 < target else "  OVER")
        )
    ack = acks["ack_ms"]
    print(
        f"{'acknowledge POST':<26} p50 {statistics.median(ack):6.1f}  p95 "
        f"{percentile(ack, 95):6.1f}  queries {statistics.median(acks['queries']):.0f}  "
        f"n={len(ack)}  target p95 < {ACK_TARGET_MS:.0f}"
        + ("" if percentile(ack, 95) < ACK_TARGET_MS else "  OVER")
    )


if __name__ == "__main__":
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    raise SystemExit(main())
