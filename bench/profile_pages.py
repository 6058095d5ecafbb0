"""Profile the most used staff pages in-process (cProfile), with the bench's production settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/profile_pages.py

Uses the database bench_foundation.py leaves (50,000 suppliers; seed it first), logs in as
the demo buyer (session and second factor set directly: no log-in page), warms each page
up, then times ``--requests`` requests per page (server time, database time from the
queries' own timing) and prints the top functions by cumulative and own time for each.
Nothing is written but the session. Pages: supplier list, rare-name search, review queue,
improvement items list.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database_url, setup_django

PAGES = [
    ("list page 1", "/suppliers/"),
    ("list search rare", "/suppliers/?q=kaveri"),
    ("review queue", "/assessments/review/"),
    ("items list", "/assessments/review/items/"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", default="", help="label substring")
    args = parser.parse_args()
    setup_django(database_url())

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from procurement_portal.accounts.models import User

    buyer = User.objects.get(email="buyer@demo.example")
    device, _ = TOTPDevice.objects.get_or_create(
        user=buyer, name="bench", defaults={"confirmed": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(buyer)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()

    for label, path in PAGES:
        if args.only and args.only not in label:
            continue
        for _ in range(3):
            response = client.get(path)
        if response.status_code != 200:
            print(f"{label}: HTTP {response.status_code} {response.get('Location', '')}")
            continue
        server, db = [], []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                client.get(path)
                server.append((time.perf_counter() - start) * 1000)
            db.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(path)
        profiler.disable()
        print(
            f"\n=== {label} {path}: server p50 {statistics.median(server):.1f} ms, "
            f"db p50 {statistics.median(db):.1f} ms, {len(queries.captured_queries)} queries, "
            f"{len(response.content):,} bytes"
        )
        for sort in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(args.top)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
