"""How many gunicorn workers: throughput and p95 of the list page and the floor per setup.

    .venv/bin/python bench/gunicorn_workers.py     # uses (or seeds) the bench database

For 1-5 sync workers and gthread 2 workers x 4 threads, starts gunicorn with
gunicorn.conf.py, drives the supplier list page (logged in as procurement staff) and the
bare-Django floor from a fixed number of concurrent clients, and prints one row per
setup, plus the setup it would choose: the fewest workers within 5 % of the best list
page throughput. The clients run on the same cores as the server (loopback only).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_foundation import seed
from bench.common import (
    BENCH_SUPPLIERS,
    Server,
    database_url,
    log_in,
    manage,
    measure,
    setup_django,
    staff_totp_key,
)

GTHREAD = ("gthread", 2, 4)
LIST_PAGE = "/suppliers/"
FLOOR = "/bench/floor/"


def rss_mb(pid: int) -> float:
    """Resident memory of gunicorn's master and workers, from /proc (Linux)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--list-requests", type=int, default=300)
    parser.add_argument("--floor-requests", type=int, default=2000)
    parser.add_argument("--no-gthread", action="store_true")
    parser.add_argument(
        "--sync", default="1,2,3,4,5", help="sync worker counts to try, e.g. 2,3 (default 1-5)"
    )
    args = parser.parse_args()

    db_url = database_url()
    manage(db_url, "migrate", "--noinput", "-v0")
    manage(db_url, "collectstatic", "--noinput", "-v0")
    setup_django(db_url)
    seed(BENCH_SUPPLIERS)
    totp_key = staff_totp_key()
    from suppliers.demo import DEMO_PASSWORD

    setups = [("sync", int(n), 1) for n in args.sync.split(",")]
    setups += [] if args.no_gthread else [GTHREAD]
    cookies = None
    rows = []
    print(
        f"{len(setups)} setups; {args.clients} concurrent clients; list page "
        f"{args.list_requests} requests, floor {args.floor_requests} requests each; "
        f"{time.strftime('%Y-%m-%d')}"
    )
    for worker_class, workers, threads in setups:
        with Server(db_url, workers=workers, worker_class=worker_class, threads=threads) as srv:
            if cookies is None:  # one log-in; the session is shared by every server
                cookies = log_in(
                    srv.port, email="buyer@demo.example", password=DEMO_PASSWORD, totp_key=totp_key
                )
            page = measure(
                srv.port,
                LIST_PAGE,
                label="list",
                cookies=cookies,
                requests=args.list_requests,
                concurrency=args.clients,
                warmup=4 * workers,
                time_limit=60,
            )
            floor = measure(
                srv.port,
                FLOOR,
                label="floor",
                requests=args.floor_requests,
                concurrency=args.clients,
                warmup=4 * workers,
                time_limit=30,
            )
            memory = rss_mb(srv.proc.pid)
        name = f"{worker_class} {workers}" + (f"x{threads}" if threads > 1 else "")
        rows.append((name, workers, page, floor, memory))
        print(
            f"  {name:<12} list {page.throughput:6.1f} req/s p95 "
            f"{page.p(page.client_ms, 95):6.1f} ms | floor {floor.throughput:6.0f} req/s p95 "
            f"{floor.p(floor.client_ms, 95):5.1f} ms | {memory:4.0f} MB",
            flush=True,
        )

    print(
        f"\n{'setup':<12} {'list req/s':>10} {'list p50':>9} {'list p95':>9} "
        f"{'floor req/s':>11} {'floor p95':>9} {'RSS MB':>7}"
    )
    for name, _, page, floor, memory in rows:
        print(
            f"{name:<12} {page.throughput:>10.1f} {page.p(page.client_ms, 50):>9.1f} "
            f"{page.p(page.client_ms, 95):>9.1f} {floor.throughput:>11.0f} "
            f"{floor.p(floor.client_ms, 95):>9.1f} {memory:>7.0f}"
        )
    sync_rows = [r for r in rows if r[0].startswith("sync")]
    best = max(r[2].throughput for r in sync_rows)
    chosen = min((r for r in sync_rows if r[2].throughput >= 0.95 * best), key=lambda r: r[1])
    print(
        f"\nchoice: {chosen[0]} workers (fewest sync workers within 5 % of the best list-page "
        f"throughput, {best:.1f} req/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
