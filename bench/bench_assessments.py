"""Self-assessment benchmark: answering at 50,000 suppliers and 200,000 assessments.

    .venv/bin/python bench/bench_assessments.py           # seed `bench` if empty, measure
    .venv/bin/python bench/bench_assessments.py --reuse   # keep a seeded bench database

Uses the database named by DATABASE_URL (default ``bench``; the name must start with
"bench"). When it holds no suppliers it is reset and seeded with suppliers.demo (50,000
suppliers); then a 100-question questionnaire and 200,000 assessments (four fiscal years
of every supplier, the previous year's with 20 answers each, so the answer table holds a
million rows) are added once. gunicorn serves the portal with production settings; the
demo supplier user logs in through the real log-in page and the bench prints, one line
per figure, the server time (median and p95, from the Server-Timing header), the query
count and the client latency of

* opening the 100-question section of the supplier's current assessment, and of a
  10-question section (the query count must be the same);
* saving one answer (the autosave request a browser sends), alternating values so that
  every request really writes.

Targets (issue 4): saving an answer under 50 ms, opening a 100-question section under
150 ms, query counts that do not grow with the number of questions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH_SUPPLIERS,
    OUT,
    SERVER_TIMING,
    Client,
    Server,
    Stats,
    database_url,
    log_in,
    manage,
    measure,
    reset_database,
    setup_django,
)

SAVE_TARGET_MS = 50.0
SECTION_TARGET_MS = 150.0
QUESTIONS = 100
SMALL_SECTION = 10
YEARS = (2023, 2024, 2025, 2026)
ANSWERED_YEAR = 2025
ANSWERS_PER_PAST_ASSESSMENT = 20
QUESTIONNAIRE_CODE = "bench-100"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="per figure")
    parser.add_argument("--reuse", action="store_true", help="never reset the bench database")
    args = parser.parse_args()

    db_url = database_url()
    setup_django(db_url)
    if not args.reuse and not _has_suppliers():
        reset_database(db_url)
    manage(db_url, "migrate", "--noinput", "-v0")
    manage(db_url, "collectstatic", "--noinput", "-v0")
    results: dict = {"database": db_url.rsplit("@", 1)[-1]}
    results["seed"] = seed()
    results["http"] = run_http(db_url, args)
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"assessments-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nraw figures: {out}")
    return 0


def _has_suppliers() -> bool:
    from django.db import connections
    from django.db.utils import OperationalError, ProgrammingError

    try:
        from suppliers.models import Supplier

        return Supplier.objects.exists()
    except (OperationalError, ProgrammingError):
        return False
    finally:
        connections.close_all()


def seed() -> dict:
    from django.db import connection

    from assessments.models import Assessment
    from suppliers import demo
    from suppliers.models import Supplier

    figures: dict = {}
    if not Supplier.objects.exists():
        result = demo.build_demo(suppliers=BENCH_SUPPLIERS)
        figures["suppliers_seconds"] = result.seconds
        print(f"seed: {result.suppliers:,} suppliers in {result.seconds:.1f} s")
    version = _questionnaire()
    if not Assessment.objects.filter(version=version).exists():
        started = time.perf_counter()
        assessments, answers = _assessments(version)
        figures["assessments_seconds"] = time.perf_counter() - started
        print(
            f"seed: {assessments:,} assessments and {answers:,} answers "
            f"in {figures['assessments_seconds']:.1f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures["assessments"] = Assessment.objects.count()
    from assessments.models import Answer

    figures["answers"] = Answer.objects.count()
    print(f"seed: {figures['assessments']:,} assessments, {figures['answers']:,} answers")
    return figures


def _questionnaire():
    """One published version: a 100-question section and a 10-question one."""
    from django.utils import timezone

    from assessments.models import (
        Choice,
        Question,
        Questionnaire,
        QuestionnaireVersion,
        QuestionType,
        Section,
    )
    from suppliers.models import PriorityRisk

    existing = QuestionnaireVersion.objects.filter(questionnaire__code=QUESTIONNAIRE_CODE).first()
    if existing:
        return existing
    questionnaire = Questionnaire.objects.create(
        code=QUESTIONNAIRE_CODE, kind="sustainability", title_en="Bench SAQ", title_ja="ベンチSAQ"
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        status="published",
        published_at=timezone.now(),
        title_en="Bench SAQ",
        title_ja="ベンチSAQ",
    )
    risks = list(PriorityRisk.objects.all())
    types = [QuestionType.YES_NO, QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.NUMBER]
    types += [QuestionType.TEXT]
    for s_pos, (code, count) in enumerate([("big", QUESTIONS), ("small", SMALL_SECTION)], 1):
        section = Section.objects.create(
            version=version, code=code, position=s_pos, title_en=code.title(), title_ja=code
        )
        for n in range(count):
            qtype = types[n % len(types)]
            question = Question.objects.create(
                version=version,
                section=section,
                code=f"{code}-q{n:03d}",
                position=n,
                risk=risks[n % len(risks)],
                type=qtype,
                text_en=f"Question {n} of the {code} section: does the supplier do this?",
                text_ja=f"{code} セクションの質問 {n}",
                help_en="Help text that explains what is asked and what evidence counts.",
                help_ja="何を尋ねているか、どの証跡が有効かを説明するヘルプ。",
                weight=1 if qtype in (QuestionType.YES_NO, QuestionType.SINGLE) else 0,
                min_value=0 if qtype == QuestionType.NUMBER else None,
                max_value=100000 if qtype == QuestionType.NUMBER else None,
            )
            labels = {
                QuestionType.YES_NO: [("yes", 100), ("no", 0)],
                QuestionType.SINGLE: [("always", 100), ("mostly", 60), ("never", 0)],
                QuestionType.MULTIPLE: [("a", 100), ("b", 50), ("c", 0), ("d", 0)],
            }.get(qtype, [])
            Choice.objects.bulk_create(
                Choice(question=question, code=c, position=i, label_en=c, label_ja=c, score=s)
                for i, (c, s) in enumerate(labels)
            )
    return version


def _assessments(version) -> tuple[int, int]:
    from assessments.models import Answer, Assessment
    from suppliers.models import Supplier

    questions = list(version.questions.filter(type__in=["yes_no", "single_choice"]))
    first_codes = {q.pk: q.choices.order_by("position").first().code for q in questions}
    supplier_ids = list(Supplier.objects.order_by("pk").values_list("pk", flat=True))
    made = answered = 0
    for start in range(0, len(supplier_ids), 5000):
        chunk = supplier_ids[start : start + 5000]
        rows = [
            Assessment(
                supplier_id=sid,
                questionnaire_id=version.questionnaire_id,
                version=version,
                fiscal_year=year,
                status="accepted" if year < ANSWERED_YEAR else "in_progress",
            )
            for sid in chunk
            for year in YEARS
            if not (year == YEARS[-1] and sid == _demo_supplier_id())
        ]
        created = Assessment.objects.bulk_create(rows, batch_size=5000)
        made += len(created)
        answers = [
            Answer(assessment=a, question=q, value=first_codes[q.pk])
            for a in created
            if a.fiscal_year == ANSWERED_YEAR
            for q in questions[:ANSWERS_PER_PAST_ASSESSMENT]
        ]
        Answer.objects.bulk_create(answers, batch_size=10000)
        answered += len(answers)
    # The demo supplier's current assessment is the one the bench answers.
    Assessment.objects.create(
        supplier_id=_demo_supplier_id(),
        questionnaire_id=version.questionnaire_id,
        version=version,
        fiscal_year=YEARS[-1],
    )
    return made + 1, answered


_DEMO_SUPPLIER: list[int] = []


def _demo_supplier_id() -> int:
    if not _DEMO_SUPPLIER:
        from procurement_portal.accounts.models import SupplierMembership

        membership = SupplierMembership.objects.get(user__email="supplier@demo.example")
        _DEMO_SUPPLIER.append(membership.supplier_id)
    return _DEMO_SUPPLIER[0]


def run_http(db_url: str, args) -> dict:
    from assessments.models import Assessment
    from bench.common import _csrf_token
    from suppliers.demo import DEMO_PASSWORD

    assessment = Assessment.objects.get(
        supplier_id=_demo_supplier_id(),
        questionnaire__code=QUESTIONNAIRE_CODE,
        fiscal_year=YEARS[-1],
    )
    from django.db import connections

    connections.close_all()
    big = f"/assessments/{assessment.pk}/sections/big/"
    small = f"/assessments/{assessment.pk}/sections/small/"
    save = f"/assessments/{assessment.pk}/answers/big-q000/"
    with Server(db_url) as server:
        cookies = log_in(
            server.port, email="supplier@demo.example", password=DEMO_PASSWORD, totp_key=None
        )
        print(
            f"\ngunicorn (gunicorn.conf.py workers), DEBUG off, PostgreSQL; "
            f"{args.requests} sequential requests per figure"
        )
        rows = [
            measure(server.port, big, label=f"section {QUESTIONS} questions", cookies=cookies,
                    requests=args.requests),
            measure(server.port, small, label=f"section {SMALL_SECTION} questions",
                    cookies=cookies, requests=args.requests),
        ]  # fmt: skip
        rows.append(_measure_save(server.port, cookies, big, save, args.requests, _csrf_token))
    print_table(rows)
    return {
        r.label: {
            "path": r.path,
            "server_ms_p50": r.p(r.app_ms, 50),
            "server_ms_p95": r.p(r.app_ms, 95),
            "db_ms_p50": r.p(r.db_ms, 50),
            "queries": sorted(set(r.queries)),
            "client_ms_p50": r.p(r.client_ms, 50),
            "client_ms_p95": r.p(r.client_ms, 95),
            "statuses": r.statuses,
        }
        for r in rows
    }


def _measure_save(port, cookies, page_path, save_path, requests, csrf_token) -> Stats:
    """The browser's autosave: a form POST with the CSRF token, answered as JSON."""
    client = Client(port, cookies)
    token = csrf_token(client.get(page_path).body)
    stats = Stats(label="save one answer", path=save_path)
    headers = {"Accept": "application/json", "Referer": f"http://127.0.0.1:{port}{page_path}"}
    started = time.perf_counter()
    for n in range(requests + 10):
        form = {"value": "yes" if n % 2 else "no", "csrfmiddlewaretoken": token}
        response = client.post(save_path, form, headers)
        if response.status != 200:
            raise SystemExit(
                f"saving an answer answered HTTP {response.status}: {response.body[:300]}"
            )
        if n < 10:
            continue  # warm-up
        match = SERVER_TIMING.search(response.headers.get("Server-Timing") or "")
        stats.client_ms.append(response.seconds * 1000)
        stats.statuses[response.status] = stats.statuses.get(response.status, 0) + 1
        if match:
            stats.app_ms.append(float(match["app"]))
            stats.db_ms.append(float(match["db"]))
            stats.queries.append(int(match["n"]))
    stats.wall_seconds = time.perf_counter() - started
    return stats


def print_table(rows: list[Stats]) -> None:
    targets = {
        "save one answer": SAVE_TARGET_MS,
        f"section {QUESTIONS} questions": SECTION_TARGET_MS,
    }
    print(
        f"\n{'figure':<24}{'server p50/p95 ms':>20}{'db p50':>8}{'queries':>9}"
        f"{'client p50/p95 ms':>20}  target"
    )
    for r in rows:
        target = targets.get(r.label)
        verdict = ""
        if target:
            verdict = f"< {target:.0f} ms: " + ("met" if r.p(r.app_ms, 95) < target else "MISSED")
        print(
            f"{r.label:<24}{r.p(r.app_ms, 50):>9.1f} / {r.p(r.app_ms, 95):>6.1f}"
            f"{r.p(r.db_ms, 50):>8.1f}{r.query_range:>9}"
            f"{r.p(r.client_ms, 50):>9.1f} / {r.p(r.client_ms, 95):>6.1f}  {verdict}"
        )


if __name__ == "__main__":
    sys.exit(main())
