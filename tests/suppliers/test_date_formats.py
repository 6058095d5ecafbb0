"""One date format per language in pages and e-mails: "3 Dec 2026" and "2026年12月3日".

The formats live in procurement_portal/formats (FORMAT_MODULE_PATH); templates name a
format (``|date``, ``|date:"DATETIME_FORMAT"``), never spell one out.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

DAY = dt.date(2026, 12, 3)
MOMENT = dt.datetime(2027, 1, 16, 9, 5, tzinfo=dt.UTC)  # 18:05 in Tokyo

EXPECTED = {
    "en": {"date": "3 Dec 2026", "datetime": "16 Jan 2027, 18:05"},
    "ja": {"date": "2026年12月3日", "datetime": "2027年1月16日 18:05"},
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_named_format_gives_the_same_date(language, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    template = engines["django"].from_string(
        '{{ d|date }}|{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}|{{ d }}'
        '#{{ m|date:"DATETIME_FORMAT" }}|{{ m|date:"SHORT_DATETIME_FORMAT" }}|{{ m }}'
    )
    with translation.override(language), timezone.override("Asia/Tokyo"):
        dates, moments = template.render({"d": DAY, "m": MOMENT}).split("#")
        assert set(dates.split("|")) == {EXPECTED[language]["date"]}
        assert set(moments.split("|")) == {EXPECTED[language]["datetime"]}
        assert date_format(DAY) == EXPECTED[language]["date"]


def test_templates_name_a_format_instead_of_spelling_one_out():
    """A hand-written format (``|date:"Y-m-d"``) would bring back the mixed dates."""
    named = {
        "DATE_FORMAT",
        "DATETIME_FORMAT",
        "SHORT_DATE_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "TIME_FORMAT",
        "MONTH_DAY_FORMAT",
        "YEAR_MONTH_FORMAT",
        "c",  # ISO 8601 for machines (datetime attributes)
        "U",
    }
    root = Path(settings.BASE_DIR) / "templates"
    spelled = []
    for path in root.rglob("*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        for fmt in re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text(encoding="utf-8")):
            if fmt not in named:
                spelled.append(f"{path.relative_to(root)}: {fmt}")
    assert spelled == []


@pytest.mark.parametrize("language", ["en", "ja"])
def test_emails_show_dates_in_the_readers_format(language):
    context = {
        "contact_name": "Hanako",
        "questionnaire": "SAQ",
        "fiscal_year": "FY2027",
        "supplier_name": "Acme",
        "due_date": DAY,
        "base_url": "http://portal.example",
        "path": "/assessments/1/",
        "days_left": 3,
    }
    with translation.override(language):
        text = render_to_string("emails/campaign_reminder.txt", context)
        html = render_to_string("emails/campaign_reminder.html", context)
    assert EXPECTED[language]["date"] in text
    assert EXPECTED[language]["date"] in html
    assert "2026-12-03" not in text + html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_pages_show_dates_in_the_languages_format(login, buyer, supplier, language):
    supplier.transactions_started_on = DAY
    supplier.save(update_fields=["transactions_started_on"])
    client = login(buyer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(f"/suppliers/{supplier.pk}/").content.decode()
    assert EXPECTED[language]["date"] in html
    assert "2026-12-03" not in html and "12/03/2026" not in html and "Dec. 3" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_messages_name_dates_in_the_readers_format(language, buyer, supplier):
    """A refusal that names a date writes it as the page does (not "2026-12-03")."""
    from django.core.exceptions import ValidationError

    from procurement_portal.core.text import DateRangeValidator
    from tests.factories import SiteFactory
    from visits import services as visits
    from visits.reference_data import ensure_reference_data

    ensure_reference_data()
    with translation.override(language):
        with pytest.raises(ValidationError) as exc:
            DateRangeValidator()(dt.date(1899, 12, 31))
        earliest = date_format(dt.date(1900, 1, 1))
        assert earliest in exc.value.messages[0] and "1900-01-01" not in exc.value.messages[0]

        visit = visits.visit_create(
            actor=buyer,
            supplier_id=supplier.pk,
            site_id=SiteFactory(supplier=supplier).pk,
            kind="svr",
            visit_date=DAY,
            methods=["interview"],
        )
        answer = visit.answers.select_related("item").first()
        with pytest.raises(ValidationError) as exc:
            visits.answer_save(
                actor=buyer,
                visit_id=visit.pk,
                item_code=answer.item.code,
                client_key="k-1",
                base_revision=answer.revision,
                values={"outcome": "minor", "due_date": "2026-12-01"},
            )
    message = exc.value.message_dict["due_date"][0]
    assert EXPECTED[language]["date"] in message and "2026-12-03" not in message
