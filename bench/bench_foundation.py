"""Foundation benchmark: the registry at 50,000 suppliers on PostgreSQL under gunicorn.

    .venv/bin/python bench/bench_foundation.py            # reset `bench`, seed, measure
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench2 .venv/bin/python bench/...

Resets the database named by DATABASE_URL (default ``bench``; the name must start with
"bench"), seeds it with suppliers.demo, starts gunicorn with production settings
(DEBUG off) and bench.bench_settings, logs in as procurement staff through the real
log-in and two-factor pages, and prints one line per figure: server time (median and
p95, from the Server-Timing header), query count, client latency and throughput, and
the ratio to a bare Django JSON view (the floor). Then it times a 50,000-row supplier
CSV through the import service. Targets: pages and API under 100 ms with a query count
that does not grow with page size; the import under 60 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH_SUPPLIERS,
    OUT,
    Server,
    Stats,
    database_url,
    log_in,
    manage,
    measure,
    reset_database,
    setup_django,
    staff_totp_key,
)

TARGET_MS = 100.0
IMPORT_TARGET_S = 60.0
# (label, path); all fetched as the logged-in procurement user.
FIGURES = [
    ("list page 1", "/suppliers/"),
    ("list filtered p3", "/suppliers/?region=asia&page=3"),
    ("list search common", "/suppliers/?q=precision"),
    ("list search rare", "/suppliers/?q=kaveri"),
    ("api list size 50", "/api/v1/suppliers/?page_size=50"),
    ("api list size 200", "/api/v1/suppliers/?page_size=200"),
    ("api search rare", "/api/v1/suppliers/?search=kaveri&page_size=50"),
]
FLOOR = ("floor (bare JSON)", "/bench/floor/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suppliers", type=int, default=BENCH_SUPPLIERS)
    parser.add_argument("--requests", type=int, default=200, help="per figure and mode")
    parser.add_argument("--concurrency", type=int, default=4, help="clients for throughput")
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded bench database")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()

    db_url = database_url()
    results: dict = {"database": db_url.rsplit("@", 1)[-1], "suppliers": args.suppliers}
    if not args.reuse:
        reset_database(db_url)
    manage(db_url, "migrate", "--noinput", "-v0")
    manage(db_url, "collectstatic", "--noinput", "-v0")
    setup_django(db_url)
    results["seed_seconds"] = seed(args.suppliers)
    totp_key = staff_totp_key()

    if not args.skip_http:
        results["http"] = run_http(db_url, args, totp_key)
    if not args.skip_import:
        results["import"] = run_import(args.suppliers)
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"foundation-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nraw figures: {out}")
    return 0


def seed(count: int) -> float | None:
    from django.db import connection

    from suppliers import demo
    from suppliers.models import Supplier

    existing = Supplier.objects.count()
    if existing:
        print(f"seed: reusing {existing:,} suppliers")
        return None
    result = demo.build_demo(suppliers=count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would, before anyone reads
    print(
        f"seed: {result.suppliers:,} suppliers, {result.sites:,} sites, "
        f"{result.contacts:,} contacts, {result.spend:,} spend rows, "
        f"{result.designations:,} designations in {result.seconds:.1f} s"
    )
    return result.seconds


def run_http(db_url: str, args, totp_key: bytes) -> dict:
    from suppliers.demo import DEMO_PASSWORD

    with Server(db_url, workers=args.workers) as server:
        cookies = log_in(
            server.port, email="buyer@demo.example", password=DEMO_PASSWORD, totp_key=totp_key
        )
        print(
            f"\ngunicorn: {args.workers or 'gunicorn.conf.py default'} workers, DEBUG off, "
            f"PostgreSQL; {args.requests} sequential requests per figure for latency, "
            f"{args.requests} more from {args.concurrency} clients for throughput"
        )
        rows = []
        for label, path in [FLOOR, *FIGURES]:
            jar = None if path == FLOOR[1] else cookies
            seq = measure(server.port, path, label=label, cookies=jar, requests=args.requests)
            par = measure(
                server.port,
                path,
                label=label,
                cookies=jar,
                requests=args.requests,
                concurrency=args.concurrency,
                warmup=2,
            )
            rows.append((seq, par))
    print_table(rows)
    return {
        seq.label: {
            "path": seq.path,
            "server_ms_p50": seq.p(seq.app_ms, 50),
            "server_ms_p95": seq.p(seq.app_ms, 95),
            "db_ms_p50": seq.p(seq.db_ms, 50),
            "queries": seq.queries and sorted(set(seq.queries)),
            "client_ms_p50": seq.p(seq.client_ms, 50),
            "client_ms_p95": seq.p(seq.client_ms, 95),
            "throughput_rps": par.throughput,
            "concurrent_client_ms_p95": par.p(par.client_ms, 95),
            "statuses": {**seq.statuses, **par.statuses},
        }
        for seq, par in rows
    }


def _x_db(seq: Stats) -> str:
    """Server time over the page's own database time (p50s): the target is at most 2x."""
    db = seq.p(seq.db_ms, 50)
    return f"{seq.p(seq.app_ms, 50) / db:.1f}x" if db > 0 else "-"


def print_table(rows: list[tuple[Stats, Stats]]) -> None:
    floor_seq, floor_par = rows[0]
    floor_ms = floor_seq.p(floor_seq.client_ms, 50)
    print(
        f"\n{'figure':<20} {'server p50/p95 ms':>18} {'db p50':>7} {'x db':>5} {'queries':>9} "
        f"{'client p50/p95 ms':>18} {'req/s':>7} {'x floor':>8}  path"
    )
    for seq, par in rows:
        client50 = seq.p(seq.client_ms, 50)
        flag = "" if seq is floor_seq or client50 < TARGET_MS else "  OVER 100 ms"
        print(
            f"{seq.label:<20} "
            f"{seq.p(seq.app_ms, 50):>8.1f} / {seq.p(seq.app_ms, 95):>6.1f} "
            f"{seq.p(seq.db_ms, 50):>7.1f} {_x_db(seq):>5} {seq.query_range:>9} "
            f"{client50:>8.1f} / {seq.p(seq.client_ms, 95):>6.1f} "
            f"{par.throughput:>7.0f} {client50 / floor_ms:>7.1f}x  {seq.path}{flag}"
        )
    by_label = {seq.label: seq for seq, _ in rows}
    small, large = by_label["api list size 50"], by_label["api list size 200"]
    # Medians: a request now and then also writes the session's last-seen time (+1).
    grows = statistics.median(large.queries) > statistics.median(small.queries)
    print(
        f"API queries at page_size 50 vs 200: {small.query_range} vs {large.query_range}"
        f" -> {'GROWS with page size' if grows else 'flat'}"
    )
    print(
        f"floor throughput: {floor_par.throughput:.0f} req/s from {floor_par.concurrency} "
        f"clients (p95 {floor_par.p(floor_par.client_ms, 95):.1f} ms)"
    )


def write_import_csv(path: Path, rows: int) -> None:
    """A supplier CSV in docs' import format: new codes, names in each country's style."""
    from suppliers import demo

    rng = random.Random(50_000)
    countries = [c for c, _ in demo.COUNTRY_STYLE.items()] + ["JP"] * 60
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "code", "legal_name", "local_name", "country", "preferred_language",
                "categories", "status", "transactions_started_on", "is_strategic_partner",
                "handles_confidential_info",
            ]
        )  # fmt: skip
        for index in range(1, rows + 1):
            country = rng.choice(countries)
            company = demo.company_name(rng, country)
            writer.writerow(
                [
                    f"IMP-{index:06d}",
                    company.legal_name,
                    company.local_name,
                    country,
                    "ja" if country == "JP" else "en",
                    company.category,
                    "active",
                    f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    "yes" if rng.random() < 0.1 else "no",
                    "no",
                ]
            )


def run_import(rows: int) -> dict:
    from procurement_portal.accounts.models import User

    try:
        from suppliers.imports.service import import_file
    except ImportError as exc:
        print(f"\nimport: the import service is not there yet ({exc}); skipped")
        return {"skipped": str(exc)}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"import-{rows}.csv"
    write_import_csv(path, rows)
    buyer = User.objects.get(email="buyer@demo.example")
    figures = {}
    for run in ("new suppliers", "same file again"):
        start = time.perf_counter()
        report = import_file(kind="suppliers", path=path, actor=buyer)
        seconds = time.perf_counter() - start
        verdict = "" if seconds < IMPORT_TARGET_S else "  OVER 60 s"
        problems = f", {len(report.errors)} errors (first: {report.errors[:1]})"
        print(
            f"import {rows:,}-row supplier CSV ({run}): {seconds:.1f} s; created "
            f"{report.created:,}, updated {report.updated:,}, unchanged {report.unchanged:,}"
            f"{problems if report.errors else ''}{verdict}"
        )
        figures[run] = {
            "seconds": seconds,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        }
    remove_imported()
    return figures


def remove_imported() -> None:
    """Delete the imported suppliers again, so later runs measure the seeded registry.

    Raw SQL over every table that references suppliers: the ORM's cascade would load and
    audit-log 50,000 objects one by one.
    """
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, a.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.contype = 'f' AND c.confrelid = 'suppliers_supplier'::regclass
            """
        )
        imported = "SELECT id FROM suppliers_supplier WHERE code LIKE 'IMP-%%'"
        for table, column in cursor.fetchall():
            cursor.execute(f'DELETE FROM {table} WHERE "{column}" IN ({imported})')
        cursor.execute("DELETE FROM suppliers_supplier WHERE code LIKE 'IMP-%%'")
        removed = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE suppliers_supplier")
    print(f"import: removed the {removed:,} imported suppliers again")


if __name__ == "__main__":
    sys.exit(main())
