"""Declaration certificate render time (issue 12, proof): beside the floor of a one-line
WeasyPrint document rendered in the same run, and Japanese beside English.

Targets: a certificate at most 10x the one-line floor; a Japanese certificate at most
2.5x the English one. Everything is rendered as a Celery worker renders it
(``rendering.html_to_pdf_in_process``, after ``rendering.warm_up()`` as at worker
start), interleaved (floor, English, Japanese, floor, ...) so the three share whatever
else the machine is doing. The template step (Django template, QR code) is timed apart:
it runs in the web request, once per certificate, before the worker renders.

No database is needed: the signature, supplier and declaration are unsaved instances.

    .venv/bin/python bench/bench_certificates.py [--runs 20] [--save DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
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

from django.conf import settings  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from declarations import certificates  # noqa: E402
from declarations.models import (  # noqa: E402
    DeclarationKind,
    DeclarationVersion,
    Signature,
)
from procurement_portal.documents import rendering  # noqa: E402
from suppliers.models import Supplier  # noqa: E402

BASE = settings.PORTAL_BASE_URL.rstrip("/") + "/"
FLOOR_HTML = (
    "<!doctype html><html><head><meta charset='utf-8'></head><body><p>One line.</p></body></html>"
)
FLOOR_CSS_HTML = (
    "<!doctype html><html><head><meta charset='utf-8'>"
    f"<link rel='stylesheet' href='{BASE}static/css/print.css'></head>"
    "<body><p>One line.</p></body></html>"
)
SIGNERS = {"en": ("Sachiko Supplier", "Head of Quality"), "ja": ("山田 花子", "品質保証部長")}


def signature(language: str) -> Signature:
    supplier = Supplier(
        code="ACME-001",
        legal_name="Acme Parts Co., Ltd.",
        local_name="アクメ部品株式会社",
        country="JP",
    )
    kind = DeclarationKind(
        code="env-safety-health",
        name_en="Environment and safety-and-health management declaration",
        name_ja="環境・安全衛生マネジメントに関する宣言",
    )
    version = DeclarationVersion(
        kind=kind,
        number=3,
        effective_date=dt.date(2026, 4, 1),
        title_en="Environment and safety-and-health management declaration",
        title_ja="環境・労働安全衛生マネジメント宣誓書",
    )
    name, title = SIGNERS[language]
    return Signature(
        pk=1,
        supplier=supplier,
        version=version,
        channel="portal",
        signed_at=timezone.now(),
        signer_name=name,
        signer_title=title,
        language=language,
        content_hash=hashlib.sha256(language.encode()).hexdigest(),
    )


def certificate_html(language: str) -> str:
    """What ``certificate_request`` renders in the request, for an unsaved signature."""
    sig = signature(language)
    certificates.qr_data_uri.cache_clear()  # each certificate has its own code
    with translation.override(language):
        context = certificates.certificate_context(sig)
        return render_to_string(
            certificates.TEMPLATE, {**context, "printed_at": timezone.localtime()}
        )


CPU: dict[int, list[float]] = {}


def render(html: str) -> float:
    """Wall time in ms; this process's CPU time goes to ``CPU`` (by document), which other
    work on a shared machine does not inflate."""
    start, cpu = time.perf_counter(), time.process_time()
    pdf = rendering.html_to_pdf_in_process(html, base_url=BASE)
    elapsed = (time.perf_counter() - start) * 1000
    CPU.setdefault(id(html), []).append((time.process_time() - cpu) * 1000)
    assert pdf.startswith(b"%PDF")
    return elapsed


def stats(ms: list[float]) -> tuple[float, float]:
    ms = sorted(ms)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def line(name: str, ms: list[float], floor: float | None = None, cpu: list | None = None) -> None:
    p50, p95 = stats(ms)
    times = f"  {p50 / floor:5.1f}x floor" if floor else ""
    cpu_part = f"  cpu p50 {stats(cpu)[0]:6.1f} ms" if cpu else ""
    print(f"{name:<42} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{times}{cpu_part}  (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--save", help="write one English and one Japanese PDF here")
    args = parser.parse_args()

    start = time.perf_counter()
    rendering.warm_up()
    print(
        f"worker warm-up (imports, fonts, print.css): {(time.perf_counter() - start) * 1000:.0f} ms"
    )

    template = {"en": [], "ja": []}
    for language in ("en", "ja"):
        for _ in range(args.runs):
            start = time.perf_counter()
            certificate_html(language)
            template[language].append((time.perf_counter() - start) * 1000)
    html = {language: certificate_html(language) for language in ("en", "ja")}
    for language in ("en", "ja"):  # one untimed render each: first use of its glyphs
        render(html[language])
    CPU.clear()

    floor, floor_css, en, ja = [], [], [], []
    for _ in range(args.runs):
        floor.append(render(FLOOR_HTML))
        floor_css.append(render(FLOOR_CSS_HTML))
        en.append(render(html["en"]))
        ja.append(render(html["ja"]))

    cpu = {name: CPU[id(doc)] for name, doc in [
        ("floor", FLOOR_HTML), ("floor_css", FLOOR_CSS_HTML), ("en", html["en"]), ("ja", html["ja"])
    ]}  # fmt: skip
    base = stats(floor)[0]
    line("floor: one-line document, no stylesheet", floor, cpu=cpu["floor"])
    line("one line with the print stylesheet", floor_css, base, cpu["floor_css"])
    line("certificate, English", en, base, cpu["en"])
    line("certificate, Japanese", ja, base, cpu["ja"])
    line("template step (request), English", template["en"])
    line("template step (request), Japanese", template["ja"])
    for label, measure in (
        ("wall", lambda k, m: stats(m)[0]),
        ("cpu", lambda k, m: stats(cpu[k])[0]),
    ):
        floor_ms = measure("floor", floor)
        en_ms, ja_ms = measure("en", en), measure("ja", ja)
        print(
            f"{label}: certificate / floor (p50, worse language) "
            f"{max(en_ms, ja_ms) / floor_ms:.1f}x (target <= 10x); "
            f"Japanese / English {ja_ms / en_ms:.2f}x (target <= 2.5x)"
        )
    if args.save:
        out = Path(args.save)
        out.mkdir(parents=True, exist_ok=True)
        for language in ("en", "ja"):
            pdf = rendering.html_to_pdf_in_process(html[language], base_url=BASE)
            (out / f"certificate-{language}.pdf").write_bytes(pdf)
        print(f"saved certificate-en.pdf and certificate-ja.pdf in {out}")


if __name__ == "__main__":
    main()
