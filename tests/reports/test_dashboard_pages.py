"""The dashboard's pages, chart data, drill-down lists, downloads, API, command and the
supplier timeline: the permission matrix of every endpoint, and what each answers."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from .world import build_world

pytestmark = pytest.mark.django_db

READERS = ("buyer", "csco", "admin_user")
NOT_READERS = ("supplier_user", "infosec_assessor", "compliance_officer")

DASHBOARD_URLS = [
    ("reports:dashboard", [], "?fiscal_year=2020"),
    ("reports:chart-data", ["spend"], "?fiscal_year=2020"),
    ("reports:chart-data", ["heatmap"], "?fiscal_year=2020"),
    ("reports:chart-data", ["findings"], "?fiscal_year=2020"),
    ("reports:chart-data", ["items"], "?fiscal_year=2020"),
    ("reports:chart-data", ["campaigns"], "?fiscal_year=2020"),
    ("reports:records", ["new_declared"], "?fiscal_year=2020&region=japan"),
    ("reports:records-csv", ["new_declared"], "?fiscal_year=2020"),
]


@pytest.fixture
def world_():
    return build_world()


@pytest.mark.parametrize(("name", "args", "query"), DASHBOARD_URLS)
def test_dashboard_permission_matrix(request, client, login, world_, name, args, query):
    url = reverse(name, args=args) + query
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for role in READERS:
        assert login(request.getfixturevalue(role)).get(url).status_code == 200, role
    for role in NOT_READERS:
        assert login(request.getfixturevalue(role)).get(url).status_code == 403, role


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_annual_figures_download_is_for_administrators(request, client, login, world_, fmt):
    url = reverse("reports:annual-figures-download") + f"?fiscal_year=2020&format={fmt}"
    assert client.get(url).status_code == 302
    for role in ("buyer", "csco", *NOT_READERS):
        assert login(request.getfixturevalue(role)).get(url).status_code == 403, role
    response = login(request.getfixturevalue("admin_user")).get(url)
    assert response.status_code == 200
    assert f"annual-figures-FY2020.{fmt}" in response["Content-Disposition"]


def test_api_annual_figures_matrix_and_formats(request, api_client, world_):
    url = "/api/v1/reports/annual-figures/?fiscal_year=2020"
    assert api_client.get(url).status_code in (401, 403)
    for role in ("buyer", "csco", *NOT_READERS):
        api_client.force_authenticate(request.getfixturevalue(role))
        assert api_client.get(url).status_code == 403, role
    api_client.force_authenticate(request.getfixturevalue("admin_user"))
    data = api_client.get(url + "&format=json").json()
    fields = {r["field"]: r for s in data["sections"] for r in s["rows"]}
    assert fields["new_declared.total"]["value"] == 2
    assert fields["new_declared.total"]["filter"] == {"fiscal_year": 2020}
    assert fields["spend.total"]["value"] == "1100000.00"
    text = b"".join(api_client.get(url + "&format=csv").streaming_content).decode("utf-8-sig")
    rows = {r[1]: r for r in csv.reader(io.StringIO(text))}
    assert rows["critical.total"][4] == "3"
    body = api_client.get(url + "&format=xlsx")
    assert body.status_code == 200
    unknown = api_client.get(url + "&format=pdf")
    assert unknown.status_code == 400 and "format" in unknown.json()
    bad = api_client.get("/api/v1/reports/annual-figures/?fiscal_year=abc")
    assert bad.status_code == 400 and "fiscal_year" in bad.json()


def test_xlsx_has_a_sheet_per_section_named_in_japanese(login, admin_user, world_, client):
    url = reverse("reports:annual-figures-download") + "?fiscal_year=2020&format=xlsx"
    response = login(admin_user).get(url, HTTP_ACCEPT_LANGUAGE="ja")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.sheetnames) >= 8
    assert any(any("\u3040" <= ch <= "\u9fff" for ch in name) for name in book.sheetnames)
    sheet = book[book.sheetnames[1]]
    assert sheet["A2"].value.startswith("critical.")
    assert isinstance(sheet["D2"].value, int)


def test_command_exports_every_format(tmp_path, world_):
    out = tmp_path / "fig.json"
    call_command(
        "export_annual_figures", "--fiscal-year", "2020", "--format", "json", "--output", str(out)
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["fiscal_year"] == 2020 and data["period"]["start"] == "2019-04-01"
    xlsx = tmp_path / "fig.xlsx"
    call_command(
        "export_annual_figures", "--fiscal-year", "2020", "--format", "xlsx", "--output", str(xlsx)
    )
    assert load_workbook(xlsx).sheetnames
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="fiscal-year"):
        call_command("export_annual_figures", "--fiscal-year", "twenty")


def test_drill_down_list_and_its_csv_hold_the_same_rows(login, csco, world_):
    client = login(csco)
    page = client.get(reverse("reports:records", args=["new"]) + "?fiscal_year=2020")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 3
    text = b"".join(
        client.get(
            reverse("reports:records-csv", args=["new"]) + "?fiscal_year=2020"
        ).streaming_content
    ).decode("utf-8-sig")
    codes = sorted(r[0] for r in list(csv.reader(io.StringIO(text)))[1:])
    assert codes == ["A-JP", "B-JP", "D-US"]


@pytest.mark.parametrize(
    "query", ["?fiscal_year=abc", "?fiscal_year=2020&region=mars", "?fiscal_year=2020&risk=x"]
)
def test_bad_parameters_are_named_not_a_500(login, csco, world_, query):
    response = login(csco).get(reverse("reports:records", args=["new"]) + query)
    assert response.status_code == 400


def test_unknown_record_set_and_chart_are_404(login, csco):
    client = login(csco)
    assert client.get(reverse("reports:records", args=["nope"])).status_code == 404
    assert client.get(reverse("reports:chart-data", args=["nope"])).status_code == 404


def test_dashboard_shows_both_years_and_charts_link_their_records(login, csco, world_):
    response = login(csco).get(reverse("reports:dashboard") + "?fiscal_year=2020")
    tiles = {t["field"]: t for t in response.context["tiles"]}
    assert tiles["new_declared.total"]["value"] == "2"
    assert "fiscal_year=2019" in tiles["critical.total"]["previous"]["url"]
    chart = (
        login(csco).get(reverse("reports:chart-data", args=["spend"]) + "?fiscal_year=2020").json()
    )
    japan = chart["segments"][0]
    assert japan["value"] == 1089000.0
    assert login(csco).get(japan["url"]).context["page"].paginator.count == 2


def test_timeline_matrix_and_order(
    request, client, login, supplier, other_supplier_user, supplier_user, buyer
):
    url = reverse("reports:timeline", args=[supplier.pk])
    assert client.get(url).status_code == 302
    assert login(other_supplier_user).get(url).status_code == 404
    assert login(supplier_user).get(url).status_code == 200
    response = login(buyer).get(url + "?stage=improvement&risk=environment")
    assert response.status_code == 200
    assert login(buyer).get(url + "?stage=bogus").status_code == 400


def test_timeline_merges_sources_in_date_order(login, buyer, world_):
    from suppliers.models import Supplier

    g = Supplier.objects.get(code="G-JP")
    response = login(buyer).get(reverse("reports:timeline", args=[g.pk]))
    events = response.context["events"]
    kinds = [e["kind"] for e in events]
    assert len(events) >= 3
    stamps = [e["at"] for e in events]
    assert stamps == sorted(stamps, reverse=True)
    assert any("Improvement item" in str(k) for k in kinds)
    env = login(buyer).get(reverse("reports:timeline", args=[g.pk]) + "?risk=environment")
    assert {e["risk"] for e in env.context["events"]} == {"Environment"}


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_precomputed_dashboard_and_timeline_query_counts_do_not_grow(login, csco, buyer, world_):
    from suppliers.models import Supplier
    from tests.reports.world import item

    client = login(csco)
    url = reverse("reports:dashboard") + "?fiscal_year=2020"
    client.get(url)  # computes and keeps the year
    warm = _queries(client, url)
    assert warm <= 10
    g = Supplier.objects.get(code="G-JP")
    timeline = reverse("reports:timeline", args=[g.pk])
    staff = login(buyer)
    staff.get(timeline)  # the session and the per-process lookups, once
    before = _queries(staff, timeline)
    for n in range(30):
        item(g, "fair_trade", f"2019-{(n % 12) + 1:02d}-10")
    assert _queries(staff, timeline) == before
