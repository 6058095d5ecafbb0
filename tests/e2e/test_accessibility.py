"""axe-core over every page the route walk knows, as each role that may see it, in English
at desktop width and in Japanese on a 375 px phone. Critical and serious violations fail
the test, each printed with its rule, page, width and the element it found.

Each page is audited twice (English 1280 px, Japanese 375 px): the rules axe checks do not
depend on the pair, and the four pairs took most of the suite's time. A staff page seen by
several staff roles is audited for the first of them (procurement staff, then the
administrator, then the CSCO): the same template with fewer buttons for the reader.

Pages come from the route walk (tests/test_route_scoping.py): every GET route of the URL
conf, its ids pointing at the other supplier's objects. A page is audited for a role when
it answers that role 200 with HTML. The supplier user is that other supplier's own
administrator, so the supplier pages show real data; staff see the same objects as staff.

axe-core is read straight from node_modules (npm lock); it is never served to users.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from procurement_portal.accounts.models import User
from tests.test_route_scoping import OTHER_ID, PUBLIC, ROUTES, others_world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAIL_IMPACTS = {"critical", "serious"}
# (language, width) pairs each page is audited at.
PAIRS = (("en", 1280), ("ja", 375))
# Not pages: files, redirects-only endpoints, JSON, and the ones that end the session.
SKIP = (
    "/api/v1/",
    "/api/schema/",
    "/admin/jsi18n/",
    "/admin/autocomplete/",
    "/admin/logout/",
    "/accounts/logout/",
    "/i18n/",
    "/healthz",
    "/favicon.ico",
)
# Django admin's own markup leaves some form controls without a name (tabular inline
# cells, split date-times, select2, filter_horizontal's icons): static/js/admin-a11y.js
# names them, and the admin is audited like every other page.
ADMIN_REPEATS = re.compile(r"^/admin/(?!suppliers/supplier/)\w+/\w+/\d+/(delete|history)/$")
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')
                  + (n.any[0] && n.any[0].message ? ' (' + n.any[0].message + ')' : ''))}));
}"""


@pytest.fixture
def world(request, buyer):
    """The route walk's other supplier, plus a campaign at the same id."""
    from assessments.models import Campaign
    from tests.campaigns.helpers import draft

    other = request.getfixturevalue("others_world")
    campaign = draft(buyer)
    Campaign.objects.filter(pk=campaign.pk).update(id=OTHER_ID)
    return other


def _pages_for(user) -> list[str]:
    """The GET routes that answer this user (None: anonymous) a 200 HTML page."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    pages = []
    for url in ROUTES:
        if url.startswith(SKIP) or (user is None and not PUBLIC.match(url)):
            continue
        # Every model's delete and history pages are the same two admin templates: one
        # model (the supplier, with inlines) stands for them all.
        if ADMIN_REPEATS.match(url):
            continue
        response = client.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            pages.append(url)
    return pages


def _audit(browser, live_server, user, language: str, width: int, pages: list[str]) -> list[str]:
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 375 else 740},
        locale="en-US",
        bypass_csp=True,
    )
    context.add_init_script(path=str(AXE))
    cookies = [
        {"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
    ]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        cookies.append(
            {"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
        )
    context.add_cookies(cookies)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    who = user.get_role_display() if user is not None else "anonymous"
    found: list[str] = []
    try:
        for path in pages:
            response = pg.goto(f"{live_server.url}{path}")
            if response is None or response.status != 200:
                status = response.status if response else None
                found.append(f"{who} {language} {path}: HTTP {status}")
                continue
            for v in pg.evaluate(AXE_RUN):
                for target in v["targets"]:
                    found.append(
                        f"[{v['impact']}] {v['id']} {path} ({who}, {language}, {width}px): "
                        f"{target} — {v['help']}"
                    )
    finally:
        context.close()
    return found


def test_every_page_passes_axe_for_every_role_language_and_width(
    browser, live_server, world, buyer, csco, admin_user
):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/setup.sh (npm ci)")
    supplier_admin = User.objects.get(pk=OTHER_ID)  # the other supplier's own administrator
    roles = [None, supplier_admin, buyer, admin_user, csco]
    staff = {buyer.pk, admin_user.pk, csco.pk}
    started = time.monotonic()
    problems: list[str] = []
    audited = 0
    seen_by_staff: set[str] = set()
    for user in roles:
        pages = _pages_for(user)
        assert pages, f"no page answers {user}"
        if user is not None and user.pk in staff:
            pages = [page for page in pages if page not in seen_by_staff]
            seen_by_staff.update(pages)
        for language, width in PAIRS:
            problems += _audit(browser, live_server, user, language, width, pages)
            audited += len(pages)
    print(f"\naxe: {audited} page views audited in {time.monotonic() - started:.1f} s")
    assert not problems, f"{len(problems)} critical or serious violations:\n" + "\n".join(problems)
