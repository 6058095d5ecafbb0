"""The CSCO's journey through the dashboard in Japanese: open it, change the fiscal year,
drill down from a tile and from a chart segment (a click on the canvas where Chart.js drew
the segment) to the records behind them."""

from __future__ import annotations

import re

import pytest

from tests.reports.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _japanese(page, live_server, settings):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ja", "url": live_server.url}]
    )


def test_csco_changes_year_and_drills_down_from_a_tile_and_a_chart(
    page, ui_login, live_server, settings, csco
):
    build_world()
    _japanese(page, live_server, settings)
    ui_login(page, csco)

    # the CSCO opens the dashboard (in Japanese) on fiscal 2021
    page.goto(f"{live_server.url}/reports/dashboard/?fiscal_year=2021")
    assert "ダッシュボード" in page.locator("h1").inner_text()
    assert "2021年度" in page.locator("h1").inner_text()

    # changes the year: the page follows the selector
    page.select_option("#id_fiscal_year", "2020")
    page.wait_for_url(re.compile(r"fiscal_year=2020"))
    assert "2020年度" in page.locator("h1").inner_text()
    tile = page.locator("[data-tile='new_declared.total']")
    assert "2" in tile.locator(".dash-tile-value").inner_text()

    # drills down from the tile to its records
    tile.click()
    page.wait_for_url(re.compile(r"/records/new_declared/"))
    assert "2件" in page.locator("#records-count").inner_text()
    codes = page.locator("table.data tbody tr td:first-child").all_inner_texts()
    assert sorted(codes) == ["A-JP", "D-US"]

    # back on the dashboard, a click on the chart's Japan segment opens its spend rows
    page.go_back()
    page.wait_for_selector("canvas[data-chart=spend][data-drawn=true]")
    page.locator("canvas[data-chart=spend]").scroll_into_view_if_needed()
    # (after "back" the page may come from the browser's cache: wait for the chart's bars)
    page.wait_for_function(
        "() => window.portalCharts && window.portalCharts.spend"
        " && window.portalCharts.spend.getDatasetMeta(0).data.length > 0"
    )
    x, y = page.evaluate(
        """() => {
            const chart = window.portalCharts.spend;
            const japan = chart.getDatasetMeta(0).data[0].tooltipPosition();
            const box = chart.canvas.getBoundingClientRect();
            return [box.left + japan.x, box.top + japan.y];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/records/spend/.*region=japan"))
    assert "2件" in page.locator("#records-count").inner_text()
