"""axe-core over the visit pages the route walk cannot reach as they are used: the visit
form of a draft (every input of every checklist item), a submitted record with findings,
logging a visit with the supplier chosen, the amendment form and the plan, in Japanese
at 375 px and English at 1280 px."""

from __future__ import annotations

import pytest

from tests.e2e.test_accessibility import AXE, _audit
from tests.factories import SiteFactory
from tests.visits.conftest import answer_all, finding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_visit_pages_pass_axe(browser, live_server, buyer, supplier):
    from visits import services
    from visits.reference_data import ensure_reference_data

    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/setup.sh (npm ci)")
    ensure_reference_data()
    site = SiteFactory(supplier=supplier)
    draft = services.visit_create(
        actor=buyer, supplier_id=supplier.pk, kind="svr", site_id=site.pk,
        visit_date="2026-11-02", methods=["inspection"],
    )  # fmt: skip
    done = services.visit_create(
        actor=buyer, supplier_id=supplier.pk, kind="infosec", site_id=site.pk,
        visit_date="2026-11-01", methods=["interview"],
    )  # fmt: skip
    answer_all(
        done,
        buyer,
        findings={"confidential-labelling": finding(done, category="confidential_labelling")},
    )
    services.visit_submit(actor=buyer, visit_id=done.pk)
    pages = [
        "/visits/",
        f"/visits/new/?supplier={supplier.pk}",
        f"/visits/{draft.pk}/",
        f"/visits/{done.pk}/",
        f"/visits/{done.pk}/amend/",
        "/visits/plan/",
    ]
    problems = []
    for language, width in (("ja", 375), ("en", 1280)):
        problems += _audit(browser, live_server, buyer, language, width, pages)
    assert not problems, "\n".join(problems)
