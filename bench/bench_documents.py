"""One PDF render before and after the documents service (issue 11, item 3).

Before: every PDF started a fresh Python interpreter (Django and WeasyPrint imported
again) and rendered there: ``rendering.html_to_pdf``, still used when tasks run eagerly.
After: a Celery worker renders in its own process, WeasyPrint imported once per worker
(``rendering.html_to_pdf_in_process``, warmed by ``worker_process_init``); and a document
asked for again with unchanged content is not rendered at all (the stored file is served).

The document is a two-page supplier profile-like page in Japanese and English with the
portal's print stylesheet. No database is needed.

    .venv/bin/python bench/bench_documents.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

django.setup()

from procurement_portal.documents import rendering  # noqa: E402

BASE = "http://127.0.0.1:8000/"


def document() -> str:
    rows = "".join(
        f"<tr><td>FY{2000 + i}</td><td>山田 花子 {i}</td><td>hanako{i}@acme.example</td>"
        f"<td>{i * 123456:,} JPY</td></tr>"
        for i in range(60)
    )
    return (
        "<!doctype html><html lang='ja'><head><meta charset='utf-8'>"
        "<link rel='stylesheet' href='/static/css/print.css'></head><body>"
        "<h1>アクメ部品株式会社 (Acme Parts Co., Ltd.)</h1>"
        f"<table><thead><tr><th>年度</th><th>担当者</th><th>E-mail</th><th>金額</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = fn()
        out.append((time.perf_counter() - start) * 1000)
        assert pdf.startswith(b"%PDF")
    return out


def line(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"{name:<58} p50 {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms   (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    html = document()

    before = timed(lambda: rendering.html_to_pdf(html, base_url=BASE), args.runs)
    start = time.perf_counter()
    first = rendering.html_to_pdf_in_process(html, base_url=BASE)
    cold = (time.perf_counter() - start) * 1000
    assert first.startswith(b"%PDF")
    after = timed(lambda: rendering.html_to_pdf_in_process(html, base_url=BASE), args.runs)

    print(f"one PDF ({len(first) // 1024} KiB, 2 pages, Japanese and English)")
    line("before: child interpreter per PDF (eager mode still)", before)
    print(f"{'after: worker, first PDF of the process (imports)':<58} {cold:8.1f} ms")
    line("after: worker, in-process, WeasyPrint already imported", after)
    saved = statistics.median(before) - statistics.median(after)
    print(f"start-up paid per PDF before and no longer: {saved:.0f} ms")


if __name__ == "__main__":
    main()
