"""The staff supplier page shows the supplier whole: its self-assessments by year with
status and score, its information-security level, its open improvement items, who uses
the portal for it and who is invited, and links to the people page and the profile PDF.
"""

from __future__ import annotations

import ast
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from assessments.models import (
    AssessmentStatus,
    ImprovementItem,
    ImprovementStatus,
    InformationSecurityLevel,
    QuestionnaireKind,
)
from procurement_portal.accounts.models import Invitation
from procurement_portal.fiscal import current_fiscal_year
from suppliers.models import PriorityRisk
from tests.assessments.builders import build_assessment, build_version
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _invite(supplier, email: str, *, days: int = 7, **kw) -> Invitation:
    return Invitation.objects.create(
        supplier=supplier,
        email=email,
        token_hash=secrets.token_hex(32),
        expires_at=timezone.now() + timedelta(days=days),
        **kw,
    )


def _item(
    supplier, *, status=ImprovementStatus.OPEN, days: int = 30, text="Fix it"
) -> ImprovementItem:
    return ImprovementItem.objects.create(
        supplier=supplier,
        risk=PriorityRisk.objects.get(code="human_rights"),
        description=text,
        required_action="Do the thing",
        due_date=timezone.localdate() + timedelta(days=days),
        status=status,
    )


@pytest.fixture
def whole(supplier, buyer):
    """A supplier with two years of assessments, levels, items, users and invitations."""
    this_year = current_fiscal_year().year
    sustain = build_version(code="sust", kind=QuestionnaireKind.SUSTAINABILITY)
    infosec = build_version(code="isec", kind=QuestionnaireKind.INFORMATION_SECURITY)
    last = build_assessment(
        supplier=supplier,
        version=sustain,
        fiscal_year=this_year - 1,
        status=AssessmentStatus.ACCEPTED,
        overall_score=Decimal("72.5"),
        rating="medium",
    )
    now = build_assessment(
        supplier=supplier,
        version=sustain,
        fiscal_year=this_year,
        status=AssessmentStatus.SUBMITTED,
        overall_score=Decimal("88.0"),
        rating="low",
    )
    isec_now = build_assessment(supplier=supplier, version=infosec, fiscal_year=this_year)
    InformationSecurityLevel.objects.create(supplier=supplier, fiscal_year=this_year, level=3)
    InformationSecurityLevel.objects.create(
        supplier=supplier,
        fiscal_year=this_year - 1,
        level=1,
        overridden=True,
        override_reason="Incident",
    )
    overdue = _item(supplier, days=-3, text="Overdue finding")
    planned = _item(supplier, status=ImprovementStatus.ACTION_PLAN_SUBMITTED, text="Planned one")
    closed = _item(supplier, status=ImprovementStatus.CLOSED, text="Closed finding")
    admin_member = MembershipFactory(
        supplier=supplier,
        is_supplier_admin=True,
        user=UserFactory(email="boss@acme.example", full_name="Bossy Boss", role="supplier"),
    )
    _invite(supplier, "newbie@acme.example", invited_by=buyer)
    _invite(supplier, "late@acme.example", days=-1)
    _invite(supplier, "joined@acme.example", accepted_at=timezone.now())
    _invite(supplier, "withdrawn@acme.example", revoked_at=timezone.now())
    return {
        "this_year": this_year,
        "last": last,
        "now": now,
        "isec_now": isec_now,
        "overdue": overdue,
        "planned": planned,
        "closed": closed,
        "admin_member": admin_member,
    }


def _page(client, supplier):
    response = client.get(f"/suppliers/{supplier.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_staff_see_assessments_by_year_with_status_and_score(login, buyer, supplier, whole):
    html = _page(login(buyer), supplier)
    year = whole["this_year"]
    section = html[html.index('data-testid="supplier-assessments"') :]
    section = section[: section.index("</section>")]
    # newest year first, each with its status, score and rating
    assert section.index(f"FY{year}") < section.index(f"FY{year - 1}")
    for text in ("Submitted", "88.0", "Low risk", "Accepted", "72.5", "Medium risk", "Not started"):
        assert text in section, text
    assert f'href="/assessments/review/{whole["now"].pk}/"' in section
    assert f'href="/assessments/review/{whole["last"].pk}/scores/"' in section
    # the unscored one shows no score link
    assert f"/assessments/review/{whole['isec_now'].pk}/scores/" not in section


def test_staff_see_the_information_security_level_and_its_years(login, buyer, supplier, whole):
    html = _page(login(buyer), supplier)
    section = html[html.index('data-testid="supplier-infosec-level"') :]
    section = section[: section.index("</section>")]
    assert f"Level in FY{whole['this_year']}" in section
    assert '<strong class="overall-value">3</strong>' in section
    assert f"FY{whole['this_year'] - 1}" in section and "Level 1" in section
    assert "set by staff" in section
    assert f'href="/assessments/review/levels/suppliers/{supplier.pk}/"' in section


def test_staff_see_open_items_only_with_overdue_marked(login, buyer, supplier, whole):
    html = _page(login(buyer), supplier)
    section = html[html.index('data-testid="supplier-open-items"') :]
    section = section[: section.index("</section>")]
    assert "Overdue finding" in section and "Planned one" in section
    assert "Closed finding" not in section
    assert '<span class="count">2</span>' in section
    assert section.count(">Overdue</span>") == 1
    assert f'href="/assessments/review/items/{whole["overdue"].pk}/"' in section
    assert f"?supplier={supplier.code}" in section  # this supplier's items, not all


def test_staff_see_portal_users_and_pending_invitations_with_links(login, buyer, supplier, whole):
    html = _page(login(buyer), supplier)
    section = html[html.index('id="people"') :]
    section = section[: section.index("</section>")]
    assert "Bossy Boss" in section and "boss@acme.example" in section
    assert "newbie@acme.example" in section and "Bunta Buyer" in section  # invited by
    assert "late@acme.example" in section and "Expired on" in section
    assert "joined@acme.example" not in section  # accepted: a user now
    assert "withdrawn@acme.example" not in section
    people_url = f'href="/accounts/suppliers/{supplier.pk}/people/"'
    assert people_url in html
    assert f'href="/reports/suppliers/{supplier.pk}/profile.pdf"' in html


def test_the_profile_link_downloads_the_pdf(login, buyer, supplier):
    client = login(buyer)
    html = _page(client, supplier)
    assert "Profile (PDF)" in html
    response = client.get(f"/reports/suppliers/{supplier.pk}/profile.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_readers_who_cannot_invite_get_no_people_link(login, csco, supplier, whole):
    html = _page(login(csco), supplier)
    assert "Bossy Boss" in html  # they may see who has access
    assert "/people/" not in html
    assert 'data-testid="supplier-assessments"' in html
    assert f"/reports/suppliers/{supplier.pk}/profile.pdf" in html


def test_supplier_user_sees_no_assessment_panel_nor_colleagues(
    login, supplier_user, supplier, whole
):
    html = _page(login(supplier_user), supplier)
    assert 'data-testid="supplier-assessments"' not in html
    assert "Overdue finding" not in html
    assert "Bossy Boss" not in html
    assert "newbie@acme.example" not in html
    assert "/people/" not in html


def test_supplier_admin_sees_colleagues_and_reaches_the_people_page(login, supplier, whole):
    boss = whole["admin_member"].user
    html = _page(login(boss), supplier)
    assert 'data-testid="supplier-assessments"' not in html
    assert "newbie@acme.example" in html
    assert f'href="/accounts/suppliers/{supplier.pk}/people/"' in html


def test_panels_show_only_this_suppliers_rows(login, buyer, supplier, other_supplier, whole):
    _item(other_supplier, text="Someone else's finding")
    build_assessment(
        supplier=other_supplier,
        version=build_version(code="other"),
        fiscal_year=whole["this_year"],
        overall_score=Decimal("11.1"),
    )
    _invite(other_supplier, "stranger@other.example")
    html = _page(login(buyer), supplier)
    assert "Someone else's finding" not in html
    assert "11.1" not in html
    assert "stranger@other.example" not in html


def test_japanese_page_shows_the_panels(login, buyer, supplier, whole):
    client = login(buyer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    html = _page(client, supplier)
    assert '<html lang="ja">' in html
    for text in ("テストSAQ", "情報セキュリティ", "改善", "ポータル"):
        assert text in html, text


def _grow(supplier, buyer, this_year: int) -> None:
    for n in range(8):
        version = build_version(code=f"grow-{n}")
        for year in range(this_year - 3, this_year + 1):
            build_assessment(supplier=supplier, version=version, fiscal_year=year)
    for year in range(this_year - 8, this_year - 1):
        InformationSecurityLevel.objects.create(supplier=supplier, fiscal_year=year, level=2)
    for n in range(25):
        _item(supplier, days=n - 5, text=f"Finding {n}")
    for n in range(12):
        MembershipFactory(supplier=supplier)
        _invite(supplier, f"guest{n}@acme.example", invited_by=buyer)


@pytest.mark.parametrize("role", ["buyer", "csco"])
def test_page_query_count_stays_flat(
    request, login, supplier, whole, role, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    client = login(user)
    url = f"/suppliers/{supplier.pk}/"
    client.get(url)  # a first request may write the session
    # (the assessments panel's queries, plus the declarations and dissemination panels'
    # five: each app's panel costs a fixed number, and the count below must not grow)
    with django_assert_max_num_queries(19) as small:
        assert client.get(url).status_code == 200
    _grow(supplier, request.getfixturevalue("buyer"), whole["this_year"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(url).content.decode()
    assert "Finding 0" in html and "guest11@acme.example" in html
    assert '<span class="count">27</span>' in html  # every open item counted, ten shown
    assert "The 10 due soonest of 27." in html


def test_suppliers_app_imports_no_app_above_it():
    """The layering the panels exist for: suppliers never imports assessments, reports or
    declarations (they register their panels from their AppConfig.ready()). The one
    exceptions predate the panels: the import pages stream CSV through reports.exports, and
    the demo command seeds every app."""
    root = Path(settings.BASE_DIR) / "suppliers"
    above = ("assessments", "reports", "declarations", "dissemination", "visits")
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or "management" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path}: {n}" for n in names if n.split(".")[0] in above and n != "reports.exports"
            ]
    assert offenders == []
    templates = Path(settings.BASE_DIR) / "templates" / "suppliers"
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "'assessments:" not in text and "'reports:" not in text, path
        assert '"assessments:' not in text and '"reports:' not in text, path
