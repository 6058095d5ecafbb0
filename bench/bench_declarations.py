"""Declarations benchmark (issue 12, proof): signing and coverage at 50,000 suppliers and
200,000 signatures, on PostgreSQL under gunicorn with production settings.

    .venv/bin/python bench/bench_declarations.py            # reset `bench_declarations`
    .venv/bin/python bench/bench_declarations.py --reuse    # keep a seeded database

Resets the database named by DATABASE_URL (default ``bench_declarations``; the name must
start with "bench"), seeds 50,000 suppliers with suppliers.demo, publishes four versions
of the environment and safety-and-health declaration and loads 200,000 paper signatures
of them in one hash chain (built in bulk with the services' own canonical form and
hash, then checked whole by ``verify_chain``), and publishes the responsible business
conduct declaration for the supplier users to sign.

Figures (server time from the Server-Timing header, so the load client's own cost on
the shared cores is left out):

* signing: each of ``--signers`` supplier users opens the signing page and submits it
  once (a real signature appended to the 200,000-long chain under its lock); target
  p95 < 50 ms for the POST.
* coverage: the staff coverage page of the current fiscal year and of last year (more
  new suppliers), target < 200 ms, with the query count of each: the same count for
  both years and for every page of the missing list is what "independent of the number
  of suppliers" means here.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_declarations"
SIGNATURES = 200_000
SIGN_TARGET_MS = 50.0
COVERAGE_TARGET_MS = 200.0
BATCH = 5_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suppliers", type=int, default=BENCH_SUPPLIERS)
    parser.add_argument("--signatures", type=int, default=SIGNATURES)
    parser.add_argument("--signers", type=int, default=200, help="signing requests measured")
    parser.add_argument("--requests", type=int, default=100, help="coverage requests")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded bench database")
    args = parser.parse_args()

    db_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not args.reuse:
        reset_database(db_url)
    manage(db_url, "migrate", "--noinput", "-v0")
    collect_static(db_url)
    setup_django(db_url)
    seed_suppliers(args.suppliers)
    rbc = seed_declarations(args.signatures)
    sessions = supplier_sessions(args.signers)
    totp_key = staff_totp_key()

    with Server(db_url) as server:
        # The floor (a bare JSON view) beside the figures: on a shared machine it shows
        # how much of a figure is the machine's load rather than the page.
        floor = measure(server.port, "/bench/floor/", label="floor", requests=args.requests)
        signing = run_signing(server.port, rbc, sessions)
        coverage = run_coverage(server.port, totp_key, args.requests)
    report(signing, coverage, floor)
    return 0


def collect_static(db_url: str) -> None:
    """The pages measured need the manifest of the portal's own files; a vendored file
    that fails post-processing (a missing source map) is left out with a warning rather
    than stopping a run that never serves it."""
    import subprocess

    try:
        manage(db_url, "collectstatic", "--noinput", "-v0")
    except subprocess.CalledProcessError:
        print("collectstatic failed; collecting again without vendor/chart.umd.js")
        manage(db_url, "collectstatic", "--noinput", "-v0", "--ignore", "chart.umd.js")


# --- seeding --------------------------------------------------------------------------------


def seed_suppliers(count: int) -> None:
    from django.db import connection

    from suppliers import demo
    from suppliers.models import Supplier

    existing = Supplier.objects.count()
    if existing:
        print(f"seed: reusing {existing:,} suppliers")
        return
    result = demo.build_demo(suppliers=count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seed: {result.suppliers:,} suppliers in {result.seconds:.1f} s")


def _publish(admin, kind, number: int, audience: str, year: int | None):
    from declarations import demo, services
    from declarations.models import DeclarationVersion

    version = services.version_save(
        actor=admin,
        version=DeclarationVersion(
            kind=kind,
            number=number,
            effective_date=dt.date(2016 + number, 4, 1),
            title_en=f"{kind.name_en} v{number}",
            title_ja=f"{kind.name_ja} 第{number}版",
            text_en=demo.ESH_TEXT_EN,
            text_ja=demo.ESH_TEXT_JA,
            audience=audience,
            audience_fiscal_year=year,
        ),
    )
    return services.version_publish(actor=admin, version_id=version.pk)


def seed_declarations(total: int):
    """Four published versions signed by every supplier until ``total`` signatures, in one
    chain; the responsible business conduct version 1 for the signers. Idempotent."""
    from django.db import connection, transaction

    from declarations import services
    from declarations.models import (
        Audience,
        Channel,
        DeclarationKind,
        DeclarationVersion,
        Signature,
    )
    from procurement_portal.accounts.models import User
    from procurement_portal.fiscal import current_fiscal_year
    from suppliers.models import Supplier

    rbc_kind = DeclarationKind.objects.get(code="responsible-business-conduct")
    existing = Signature.objects.count()
    if existing >= total:
        print(f"seed: reusing {existing:,} signatures")
        return DeclarationVersion.objects.get(kind=rbc_kind, status="published")
    admin = User.objects.get(email="admin@demo.example")
    esh = DeclarationKind.objects.get(code="env-safety-health")
    year = current_fiscal_year().year
    started = time.perf_counter()
    with _no_outbox():
        versions = [
            _publish(admin, esh, n, Audience.NEW_SUPPLIERS, year - 4 + n) for n in (1, 2, 3, 4)
        ]
        rbc = _publish(admin, rbc_kind, 1, Audience.ALL_ACTIVE, None)
    supplier_rows = list(Supplier.objects.order_by("pk").values_list("pk", "code"))
    sequence, previous = 0, services.ZERO_HASH
    batch: list[Signature] = []
    made = 0
    signed_at = dt.datetime(2019, 6, 1, 3, 0, tzinfo=dt.UTC)
    for version in versions:
        for supplier_id, code in supplier_rows:
            if made >= total:
                break
            sequence += 1
            fields = {
                "channel": Channel.PAPER,
                "signed_at": signed_at + dt.timedelta(seconds=sequence),
                "signer_name": f"Signer {sequence}",
                "signer_title": "President",
                "language": "en",
            }
            canonical = services.canonical_json(
                services.signature_payload(
                    sequence=sequence,
                    previous_hash=previous,
                    version=version,
                    supplier_code=code,
                    **fields,
                )
            )
            digest = services.sha256_hex(canonical)
            batch.append(
                Signature(
                    supplier_id=supplier_id,
                    version=version,
                    canonical=canonical,
                    content_hash=digest,
                    previous_hash=previous,
                    sequence=sequence,
                    recorded_by=admin,
                    **fields,
                )
            )
            previous = digest
            made += 1
            if len(batch) >= BATCH:
                with transaction.atomic():
                    Signature.objects.bulk_create(batch)
                batch = []
    if batch:
        Signature.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seed: {made:,} signatures in one chain in {time.perf_counter() - started:.1f} s")
    check = time.perf_counter()
    chain = services.verify_chain()
    print(
        f"verify_declarations: {chain.checked:,} signatures checked, "
        f"{'intact' if chain.ok else chain.problem} in {time.perf_counter() - check:.1f} s"
    )
    return rbc


class _no_outbox:
    """Publishing asks the audience by e-mail (50,000 suppliers' contacts here); the
    bench measures pages, not the outbox, so the request task is held back."""

    def __enter__(self):
        from declarations import tasks

        self.original = tasks.send_declaration_requests.delay
        tasks.send_declaration_requests.delay = lambda *a, **k: None
        return self

    def __exit__(self, *exc):
        from declarations import tasks

        tasks.send_declaration_requests.delay = self.original


def supplier_sessions(count: int) -> list[tuple[int, dict[str, str]]]:
    """``count`` supplier users, one per supplier not yet signed up, each with a session."""
    from procurement_portal.accounts.models import SupplierMembership
    from suppliers.models import Supplier

    taken = SupplierMembership.objects.values("supplier_id")
    supplier_ids = list(
        Supplier.objects.filter(status="active")
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    sessions = supplier_user_sessions(
        supplier_ids, email_prefix="bench-signer", name_prefix="Bench Signer"
    )
    print(f"signers: {len(sessions)} supplier users with a session")
    return sessions


# --- measuring ------------------------------------------------------------------------------


def run_signing(port: int, version, sessions) -> dict:
    """Each signer opens the page, then signs; the POST's server time is the figure."""
    path = f"/declarations/sign/{version.pk}/"
    posts = post_form_each(
        port,
        sessions,
        page=path,
        action=path,
        fields=lambda supplier_id: {
            "supplier": str(supplier_id),
            "signer_name": "Bench Signer",
            "signer_title": "Director",
            "confirmed": "on",
        },
        what="signing",
    )
    return {
        "page_ms": posts.page_ms,
        "sign_ms": posts.post_ms,
        "queries": posts.queries,
        "statuses": posts.statuses,
    }


def run_coverage(port: int, totp_key: bytes, requests: int) -> dict:
    from procurement_portal.fiscal import current_fiscal_year
    from suppliers.demo import DEMO_PASSWORD

    cookies = log_in(port, email="buyer@demo.example", password=DEMO_PASSWORD, totp_key=totp_key)
    year = current_fiscal_year().year
    figures = {}
    for label, query in (
        ("coverage this year", f"fiscal_year={year}&kind=env-safety-health"),
        ("coverage last year", f"fiscal_year={year - 1}&kind=env-safety-health"),
        ("coverage last year p5", f"fiscal_year={year - 1}&kind=env-safety-health&page=5"),
    ):
        stats = measure(
            port,
            f"/declarations/coverage/?{query}",
            label=label,
            cookies=cookies,
            requests=requests,
            warmup=3,
        )
        figures[label] = stats
    return figures


def report(signing: dict, coverage: dict, floor) -> None:
    from declarations.models import Signature
    from declarations.services import verify_chain
    from suppliers.models import Supplier

    print(
        f"\n{Supplier.objects.count():,} suppliers, {Signature.objects.count():,} signatures; "
        f"server time from Server-Timing (ms); load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    print(
        f"{'floor (bare JSON)':<24} client p50 {floor.p(floor.client_ms, 50):6.1f}  p95 "
        f"{floor.p(floor.client_ms, 95):6.1f}"
    )
    sign = signing["sign_ms"]
    print(
        f"{'signing POST':<24} p50 {statistics.median(sign):6.1f}  p95 "
        f"{percentile(sign, 95):6.1f}  queries {statistics.median(signing['queries']):.0f}  "
        f"n={len(sign)}  target p95 < {SIGN_TARGET_MS:.0f}"
        + ("" if percentile(sign, 95) < SIGN_TARGET_MS else "  OVER")
    )
    page = signing["page_ms"]
    print(
        f"{'signing page GET':<24} p50 {statistics.median(page):6.1f}  p95 "
        f"{percentile(page, 95):6.1f}"
    )
    for label, stats in coverage.items():
        p95 = stats.p(stats.app_ms, 95)
        print(
            f"{label:<24} p50 {stats.p(stats.app_ms, 50):6.1f}  p95 {p95:6.1f}  "
            f"queries {stats.query_range}  n={stats.count}  target < {COVERAGE_TARGET_MS:.0f}"
            + ("" if p95 < COVERAGE_TARGET_MS else "  OVER")
        )
    chain = verify_chain()
    print(f"chain after the run: {chain.checked:,} signatures, intact: {chain.ok}")


if __name__ == "__main__":
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    raise SystemExit(main())
