"""CSCO dashboard and annual figures at 50,000 suppliers and five fiscal years.

    .venv/bin/python bench/bench_dashboard.py            # (re)build bench_dashboard, measure
    .venv/bin/python bench/bench_dashboard.py --reuse    # measure an already built database

Uses ``BENCH_DASHBOARD_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/
bench_dashboard``; the name must start with "bench"). The data is written with
``bulk_create`` in large batches: 50,000 suppliers in the five regions; for each of the
fiscal years 2022-2026 spend for every supplier (JPY, USD, EUR with yearly rates, some
GBP without), 2 % critical, a sustainability self-assessment for 30 % (six risk scores
each) and an information-security one for 10 %, four in five submitted; a signature for
every supplier (5 % revoked), SVR and information-security visits with findings, 60,000
improvement items, a campaign a year, CDP participants, partner meetings.

In one run it prints, with the request served in-process by Django's test client (server
time: the view, the ORM, the templates and the JSON; no network):

* the dashboard (cold: the year computed; warm: from the precomputed copy) and a chart's
  JSON endpoint;
* the annual figures export as JSON, CSV and XLSX;
* a drill-down list's streamed CSV against PostgreSQL ``COPY`` of the same rows;
* the same aggregates written by hand in SQL, their time and whether they agree with the
  ORM's figures.

Targets (issue 14): dashboard < 300 ms, export < 2 s, XLSX < 5 s, streamed CSV within
1.5x COPY.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_dashboard"
SUPPLIERS = 50_000
YEARS = (2022, 2023, 2024, 2025, 2026)
YEAR = 2025  # the year measured (a complete one)
BATCH = 5000


def setup(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-key-not-used-anywhere-else-0123456789",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="true",
        PORTAL_REQUIRE_STAFF_2FA="false",
        DJANGO_STATIC_ROOT=os.environ.get(
            "BENCH_STATIC_ROOT", "/tmp/portal-bench-dashboard-static"
        ),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement_portal.settings")
    import django

    django.setup()


def reset(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to reset {name!r}: the bench database's name starts with bench")
    admin = psycopg2.connect(url.replace(parts.path, "/postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def timed(fn, repeat: int = 5) -> tuple[float, float]:
    """Median and best wall time in ms of ``fn()``."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


# --- building the data -------------------------------------------------------------------


def build() -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from assessments.models import (
        Assessment,
        Campaign,
        CampaignSupplier,
        ImprovementItem,
        Questionnaire,
        QuestionnaireVersion,
        RiskScore,
    )
    from declarations.models import DeclarationKind, DeclarationVersion, Revocation, Signature
    from dissemination.models import MeetingAttendance, PartnerMeeting
    from procurement_portal.fiscal import FiscalYear
    from suppliers.models import (
        CdpParticipation,
        CriticalDesignation,
        CurrencyRate,
        PriorityRisk,
        Site,
        Supplier,
        SupplierSpend,
    )
    from visits.models import ChecklistItem, ChecklistTemplate, GuidanceCategory, Visit, VisitAnswer

    call_command("migrate", verbosity=0)
    rng = random.Random(14)
    started = time.perf_counter()
    countries = (
        ["JP"] * 60
        + ["CN", "TH", "VN", "IN", "SG"] * 4
        + ["US", "CA"] * 5
        + ["DE", "FR"] * 4
        + ["MX", "BR"]
    )
    if not Supplier.objects.exists():
        Supplier.objects.bulk_create(
            (
                Supplier(
                    code=f"B{i:06d}",
                    legal_name=f"Bench Supplier {i} Co., Ltd.",
                    country=rng.choice(countries),
                    transactions_started_on=dt.date(2015, 1, 1)
                    + dt.timedelta(days=rng.randrange(12 * 365)),
                )
                for i in range(SUPPLIERS)
            ),
            batch_size=BATCH,
        )
        Site.objects.bulk_create(
            (
                Site(supplier_id=s, name="Main", country="JP")
                for s in Supplier.objects.values_list("pk", flat=True)
            ),
            batch_size=BATCH,
        )
    ids = list(Supplier.objects.order_by("pk").values_list("pk", flat=True))
    sites = dict(Site.objects.values_list("supplier_id", "pk"))
    risks = list(PriorityRisk.objects.order_by("position"))
    if not SupplierSpend.objects.exists():
        for year in YEARS:
            CurrencyRate.objects.create(fiscal_year=year, currency="USD", rate=Decimal("140"))
            CurrencyRate.objects.create(fiscal_year=year, currency="EUR", rate=Decimal("155"))
            currencies = ["JPY"] * 8 + ["USD", "EUR"]
            SupplierSpend.objects.bulk_create(
                (
                    SupplierSpend(
                        supplier_id=s,
                        fiscal_year=year,
                        amount=Decimal(rng.randrange(1_000, 50_000_000)),
                        currency="GBP" if s % 997 == 0 else rng.choice(currencies),
                    )
                    for s in ids
                ),
                batch_size=BATCH,
            )
            CriticalDesignation.objects.bulk_create(
                (
                    CriticalDesignation(
                        supplier_id=s, fiscal_year=year, large_procurement_amount=True
                    )
                    for s in rng.sample(ids, len(ids) // 50)
                ),
                batch_size=BATCH,
            )
            CdpParticipation.objects.bulk_create(
                (CdpParticipation(supplier_id=s, fiscal_year=year) for s in rng.sample(ids, 80)),
                batch_size=BATCH,
            )
    if not Questionnaire.objects.filter(code="bench-sus").exists():
        questionnaires = {}
        for code, kind in (("bench-sus", "sustainability"), ("bench-isq", "information_security")):
            q = Questionnaire.objects.create(code=code, kind=kind, title_en=code)
            v = QuestionnaireVersion.objects.create(questionnaire=q, number=1, status="published")
            questionnaires[kind] = (q, v)
        for year in YEARS:
            fy = FiscalYear(year)
            rows = []
            for kind, share in (("sustainability", 0.3), ("information_security", 0.1)):
                q, v = questionnaires[kind]
                for s in rng.sample(ids, int(len(ids) * share)):
                    submitted = rng.random() < 0.8
                    day = fy.start + dt.timedelta(days=rng.randrange(300))
                    rows.append(
                        Assessment(
                            supplier_id=s,
                            questionnaire=q,
                            version=v,
                            fiscal_year=year,
                            status=rng.choice(["submitted", "accepted", "returned"])
                            if submitted
                            else "in_progress",
                            submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
                            if submitted
                            else None,
                            rating=rng.choice(["low", "low", "medium", "high"])
                            if submitted
                            else "",
                        )
                    )
            Assessment.objects.bulk_create(rows, batch_size=BATCH)
            sus = Assessment.objects.filter(
                fiscal_year=year,
                questionnaire=questionnaires["sustainability"][0],
                submitted_at__isnull=False,
            )
            RiskScore.objects.bulk_create(
                (
                    RiskScore(
                        assessment_id=a,
                        risk=r,
                        score=Decimal(score := rng.randrange(20, 100)),
                        earned=Decimal(score),
                        possible=Decimal(100),
                        rating="high" if score < 50 else "medium" if score < 80 else "low",
                    )
                    for a in sus.values_list("pk", flat=True).iterator()
                    for r in risks
                ),
                batch_size=BATCH,
            )
            campaign = Campaign.objects.create(
                name=f"SAQ {year}",
                version=questionnaires["sustainability"][1],
                fiscal_year=year,
                opens_on=fy.start,
                due_date=fy.start + dt.timedelta(days=120),
                status="launched",
            )
            CampaignSupplier.objects.bulk_create(
                (
                    CampaignSupplier(campaign=campaign, supplier_id=s, assessment_id=a)
                    for a, s in Assessment.objects.filter(
                        fiscal_year=year, questionnaire=questionnaires["sustainability"][0]
                    )
                    .values_list("pk", "supplier_id")
                    .iterator()
                ),
                batch_size=BATCH,
            )
    if not Signature.objects.exists():
        kind = DeclarationKind.objects.get(code="responsible-business-conduct")
        version = DeclarationVersion.objects.create(
            kind=kind,
            number=99,
            effective_date=dt.date(2021, 4, 1),
            title_en="Declaration",
            title_ja="宣誓書",
            text_en="x",
            text_ja="x",
            status="published",
            audience="all_active",
        )
        signatures = []
        for n, s in enumerate(ids, start=1):
            day = dt.date(2021, 4, 1) + dt.timedelta(days=rng.randrange(5 * 365))
            signatures.append(
                Signature(
                    supplier_id=s,
                    version=version,
                    channel="paper",
                    signed_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
                    signer_name="Signer",
                    signer_title="CEO",
                    language="en",
                    canonical="{}",
                    content_hash=hashlib.sha256(str(n).encode()).hexdigest(),
                    previous_hash="0" * 64,
                    sequence=n,
                )
            )
        Signature.objects.bulk_create(signatures, batch_size=BATCH)
        Revocation.objects.bulk_create(
            (
                Revocation(
                    signature_id=pk,
                    reason="withdrawn",
                    effective_date=dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365)),
                )
                for pk in rng.sample(
                    list(Signature.objects.values_list("pk", flat=True)), len(ids) // 20
                )
            ),
            batch_size=BATCH,
        )
    if not PartnerMeeting.objects.exists():  # resumable: a failed run left visits half done
        VisitAnswer.objects.all().delete()
        Visit.objects.all().delete()
        ChecklistTemplate.objects.filter(version=99).delete()
        templates = {
            k: ChecklistTemplate.objects.create(kind=k, version=99, status="published", title_en=k)
            for k in ("svr", "infosec")
        }
        items = {
            k: [
                ChecklistItem.objects.create(template=t, code=f"i{r.code}", text_en="x", risk=r)
                for r in risks
            ]
            for k, t in templates.items()
        }
        categories = list(GuidanceCategory.objects.all())
        for year in YEARS:
            fy = FiscalYear(year)
            visits = []
            for k, share in (("svr", 0.03), ("infosec", 0.01)):
                for s in rng.sample(ids, int(len(ids) * share)):
                    visits.append(
                        Visit(
                            supplier_id=s,
                            site_id=sites[s],
                            kind=k,
                            fiscal_year=year,
                            visit_date=fy.start + dt.timedelta(days=rng.randrange(360)),
                            status="submitted",
                            template=templates[k],
                            result=rng.choice(["none", "none", "minor", "significant"]),
                        )
                    )
            Visit.objects.bulk_create(visits, batch_size=BATCH)
            VisitAnswer.objects.bulk_create(
                (
                    VisitAnswer(
                        visit_id=pk,
                        item=item,
                        outcome=rng.choice(["conforming", "minor", "significant"]),
                        guidance_category=rng.choice(categories),
                    )
                    for pk, k in Visit.objects.filter(fiscal_year=year)
                    .values_list("pk", "kind")
                    .iterator()
                    for item in rng.sample(items[k], 2)
                ),
                batch_size=BATCH,
            )
            meeting = PartnerMeeting.objects.create(
                date=fy.start + dt.timedelta(days=200), title=f"Partners {year}"
            )
            MeetingAttendance.objects.bulk_create(
                (
                    MeetingAttendance(
                        meeting=meeting, supplier_id=s, managers_attended=rng.randrange(1, 4)
                    )
                    for s in rng.sample(ids, 190)
                ),
                batch_size=BATCH,
            )
    if not ImprovementItem.objects.exists():
        now = timezone.now()
        ImprovementItem.objects.bulk_create(
            (
                ImprovementItem(
                    supplier_id=rng.choice(ids),
                    risk=rng.choice(risks),
                    description="finding",
                    required_action="fix",
                    due_date=dt.date(2026, 12, 31),
                    status=rng.choice(["open", "action_plan_submitted", "verified", "closed"]),
                )
                for _n in range(60_000)
            ),
            batch_size=BATCH,
        )
        from django.db import connection

        with connection.cursor() as cur:  # raised over five years, a fifth of them closed since
            cur.execute(
                "UPDATE assessments_improvementitem"
                " SET created_at = %s - (id %% 1800) * interval '1 day',"
                " closed_at = CASE WHEN status = 'closed'"
                " THEN %s - (id %% 300) * interval '1 day' END,"
                " action_plan_submitted_at = CASE WHEN status <> 'open' THEN %s END,"
                " verified_at = CASE WHEN status IN ('verified', 'closed') THEN %s END",
                [now, now, now, now],
            )
            cur.execute("ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s")


# --- hand-written SQL ---------------------------------------------------------------------

SQL = {
    "spend.total": """
        SELECT sum(CASE WHEN s.currency = 'JPY' THEN s.amount ELSE s.amount * r.rate END)
        FROM suppliers_supplierspend s
        LEFT JOIN suppliers_currencyrate r ON r.fiscal_year = s.fiscal_year
          AND r.currency = s.currency
        WHERE s.fiscal_year = %(year)s AND (s.currency = 'JPY' OR r.id IS NOT NULL)""",
    "critical.total": """
        SELECT count(*) FROM suppliers_criticaldesignation WHERE fiscal_year = %(year)s""",
    "new_suppliers.total": """
        SELECT count(*) FROM suppliers_supplier
        WHERE transactions_started_on BETWEEN %(start)s AND %(end)s""",
    "new_declared.total": """
        SELECT count(*) FROM suppliers_supplier s
        WHERE s.transactions_started_on BETWEEN %(start)s AND %(end)s AND EXISTS (
          SELECT 1 FROM declarations_signature g
          LEFT JOIN declarations_revocation v ON v.signature_id = g.id
            AND v.effective_date <= %(end)s
          WHERE g.supplier_id = s.id AND g.signed_at < %(after)s AND v.id IS NULL)""",
    "document_checks.critical_assessed": """
        SELECT count(*) FROM suppliers_supplier s
        WHERE EXISTS (SELECT 1 FROM suppliers_criticaldesignation c
          WHERE c.supplier_id = s.id AND c.fiscal_year = %(year)s)
          AND EXISTS (SELECT 1 FROM assessments_assessment a
            JOIN assessments_questionnaire q ON q.id = a.questionnaire_id
                      WHERE a.supplier_id = s.id AND a.fiscal_year = %(year)s
                        AND a.submitted_at IS NOT NULL
                        AND q.kind = 'sustainability')""",
    "onsite.svr_submitted": """
        SELECT count(*) FROM visits_visit WHERE kind = 'svr' AND status = 'submitted'
          AND visit_date BETWEEN %(start)s AND %(end)s""",
    "gri_environmental.new_screened": """
        SELECT count(*) FROM suppliers_supplier s
        WHERE s.transactions_started_on BETWEEN %(start)s AND %(end)s AND (
          EXISTS (SELECT 1 FROM declarations_signature g
                  JOIN declarations_declarationversion dv ON dv.id = g.version_id
                  JOIN declarations_declarationkind k ON k.id = dv.kind_id
                  LEFT JOIN declarations_revocation v ON v.signature_id = g.id
                    AND v.effective_date <= %(end)s
                  WHERE g.supplier_id = s.id AND g.signed_at < %(after)s AND v.id IS NULL
                    AND k.covers_environmental)
          OR EXISTS (SELECT 1 FROM assessments_assessment a
            JOIN assessments_questionnaire q ON q.id = a.questionnaire_id
                     WHERE a.supplier_id = s.id AND a.fiscal_year = %(year)s
                       AND a.submitted_at IS NOT NULL
                       AND q.kind = 'sustainability'))""",
    "csco.high_risk": """
        SELECT count(*) FROM suppliers_supplier s WHERE EXISTS (
          SELECT 1 FROM assessments_assessment a WHERE a.supplier_id = s.id
            AND a.fiscal_year = %(year)s
            AND a.submitted_at IS NOT NULL AND a.rating = 'high')""",
}


def hand_sql(year: int) -> dict:
    from django.db import connection

    from reports.figures.base import Period

    p = Period(year)
    args = {"year": year, "start": p.start, "end": p.end, "after": p.after_at}
    found = {}
    with connection.cursor() as cur:
        for field, sql in SQL.items():
            cur.execute(sql, args)
            value = cur.fetchone()[0]
            found[field] = (
                Decimal(value).quantize(Decimal("0.01")) if field == "spend.total" else value
            )
    return found


# --- measuring ----------------------------------------------------------------------------


def measure() -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from procurement_portal.accounts.models import Role, User
    from reports.figures import RECORD_SETS, annual_figures, flat_values
    from reports.figures.base import Period

    csco, _ = User.objects.get_or_create(email="csco@bench.example", defaults={"role": Role.CSCO})
    admin, _ = User.objects.get_or_create(
        email="admin@bench.example", defaults={"role": Role.ADMIN}
    )
    client = Client()
    client.force_login(csco)
    url = f"/reports/dashboard/?fiscal_year={YEAR}"

    def cold():
        cache.clear()
        assert client.get(url).status_code == 200

    print(f"data: {SUPPLIERS:,} suppliers, fiscal years {YEARS[0]}-{YEARS[-1]}, measured {YEAR}")
    with CaptureQueriesContext(connection) as queries:
        annual_figures(YEAR)
    print(f"annual figures: {len(queries)} queries")
    median, best = timed(cold, 3)
    print(f"dashboard, cold (both years computed): median {median:.0f} ms, best {best:.0f} ms")
    client.get(url)
    median, best = timed(lambda: client.get(url), 20)
    print(
        f"dashboard, precomputed (the page a reader gets): median {median:.1f} ms, "
        f"best {best:.1f} ms  (target < 300 ms)"
    )
    chart = f"/reports/dashboard/charts/heatmap.json?fiscal_year={YEAR}"
    median, best = timed(lambda: client.get(chart), 20)
    print(f"chart JSON, precomputed: median {median:.1f} ms")

    admin_client = Client()
    admin_client.force_login(admin)
    for fmt, target in (("json", 2000), ("csv", 2000), ("xlsx", 5000)):

        def export(fmt=fmt):
            response = admin_client.get(
                f"/reports/annual-figures/download/?fiscal_year={YEAR}&format={fmt}"
            )
            b"".join(response.streaming_content) if response.streaming else response.content

        median, best = timed(export, 3)
        print(f"annual figures export {fmt}: median {median:.0f} ms  (target < {target} ms)")

    orm_started = time.perf_counter()
    orm = flat_values(annual_figures(YEAR))
    orm_ms = (time.perf_counter() - orm_started) * 1000
    sql_started = time.perf_counter()
    sql = hand_sql(YEAR)
    sql_ms = (time.perf_counter() - sql_started) * 1000
    agree = {k: (orm[k], v) for k, v in sql.items() if orm[k] != v}
    print(
        f"same aggregates: ORM (all {len(orm)} figures) {orm_ms:.0f} ms; hand-written SQL "
        f"({len(sql)} of them) {sql_ms:.0f} ms; disagreements: {agree or 'none'}"
    )
    for field in SQL:
        print(f"  {field} = {orm[field]}")

    record_set = RECORD_SETS["spend"]
    rows = record_set.rows(Period(YEAR), {}).values_list(*[c.path for c in record_set.columns])
    sql_text, params = rows.query.sql_with_params()
    with connection.cursor() as cur:
        copy_sql = cur.mogrify(sql_text, params).decode()

    def copy():
        buffer = io.StringIO()
        with connection.cursor() as cur:
            cur.cursor.copy_expert(f"COPY ({copy_sql}) TO STDOUT WITH CSV HEADER", buffer)
        return buffer

    def stream():
        response = client.get(f"/reports/dashboard/records/spend.csv?fiscal_year={YEAR}")
        return sum(len(chunk) for chunk in response.streaming_content)

    n = rows.count()
    copy_ms, _ = timed(copy, 3)
    stream_ms, _ = timed(stream, 3)
    print(
        f"drill-down CSV of {n:,} spend rows: streamed {stream_ms:.0f} ms, COPY {copy_ms:.0f} ms, "
        f"ratio {stream_ms / copy_ms:.2f}x  (target <= 1.5x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is")
    parser.add_argument("--resume", action="store_true", help="finish an interrupted build")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DASHBOARD_DATABASE_URL", DEFAULT_URL)
    if not (args.reuse or args.resume):
        reset(url)
    setup(url)
    if not args.reuse:
        build()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: hashed names
    measure()


if __name__ == "__main__":
    main()
