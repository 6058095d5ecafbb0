"""Demo data: deterministic, split over regions like the real spend, one login per role."""

from __future__ import annotations

import hashlib
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command

from procurement_portal.accounts.models import Role, SupplierMembership, User
from procurement_portal.fiscal import current_fiscal_year
from suppliers import demo
from suppliers.models import Contact, CriticalDesignation, Site, Supplier, SupplierSpend
from suppliers.regions import Region
from tests.factories import SupplierFactory


def _digest() -> str:
    """A fingerprint of everything the demo writes that a person would read."""
    h = hashlib.sha256()
    for row in Supplier.objects.order_by("code").values_list(
        "code", "legal_name", "local_name", "country", "status", "transactions_started_on",
        "is_strategic_partner", "handles_confidential_info",
    ):  # fmt: skip
        h.update(repr(row).encode())
    for model, fields in (
        (Site, ("name", "address", "city", "country")),
        (Contact, ("name", "email", "phone", "language", "is_primary")),
        (SupplierSpend, ("fiscal_year", "amount", "currency")),
        (CriticalDesignation, ("fiscal_year", "rare_product", "hard_to_replace", "note")),
    ):
        for row in model.objects.order_by("supplier__code", *fields).values_list(
            "supplier__code", *fields
        ):
            h.update(repr(row).encode())
    h.update(repr(sorted(Supplier.categories.through.objects.values_list(
        "supplier__code", "category__code"
    ))).encode())  # fmt: skip
    return h.hexdigest()


def _empty_registry() -> None:
    Supplier.objects.all().delete()
    User.objects.filter(email__endswith="@demo.example").delete()


@pytest.mark.django_db
def test_same_number_gives_the_same_data_and_another_seed_does_not():
    # Given two builds of 300 suppliers into an empty registry
    demo.build_demo(suppliers=300)
    first = _digest()
    _empty_registry()
    demo.build_demo(suppliers=300)
    second = _digest()
    # When a third build uses another seed
    _empty_registry()
    demo.build_demo(suppliers=300, seed=7)
    other = _digest()
    # Then the first two are identical to the byte, and the third differs
    assert Supplier.objects.count() == 300
    assert first == second
    assert other != first


@pytest.mark.django_db
def test_suppliers_and_spend_follow_the_regional_split():
    # Given 1,000 demo suppliers
    result = demo.build_demo(suppliers=1000)
    # Then the supplier counts follow DOMAIN.md's split
    counts = Counter(Supplier.objects.values_list("region", flat=True))
    assert counts == {
        Region.JAPAN: 720,
        Region.ASIA: 130,
        Region.NORTH_AMERICA: 120,
        Region.EMEA: 20,
        Region.LATAM: 10,
    }
    assert result.suppliers == 1000
    # And so does the spend of every fiscal year, converted to yen (within 1.5 points)
    spend: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for year, region, amount, currency in SupplierSpend.objects.values_list(
        "fiscal_year", "supplier__region", "amount", "currency"
    ):
        spend[year][region] += float(amount) * demo.JPY_PER_UNIT[currency]
    assert sorted(spend) == demo.fiscal_years()
    for year, by_region in spend.items():
        total = sum(by_region.values())
        for region, share in demo.REGION_SHARES.items():
            assert abs(by_region[region] / total - share) < 0.015, (year, region)
    # And Japanese spend is in yen, not all foreign spend is
    assert set(
        SupplierSpend.objects.filter(supplier__country="JP").values_list("currency", flat=True)
    ) == {"JPY"}
    assert {"USD", "EUR"} <= set(
        SupplierSpend.objects.exclude(supplier__country="JP").values_list("currency", flat=True)
    )


@pytest.mark.django_db
def test_registry_looks_like_the_programme():
    demo.build_demo(suppliers=1000)
    now = current_fiscal_year().year

    # About 10 % critical each of the last three fiscal years, mostly Japan and Asia
    per_year = Counter(CriticalDesignation.objects.values_list("fiscal_year", flat=True))
    assert per_year == {now - 2: 100, now - 1: 100, now: 100}
    east = CriticalDesignation.objects.filter(
        supplier__region__in=[Region.JAPAN, Region.ASIA]
    ).count()
    assert east / 300 > 0.85
    assert all(d.reasons and d.note for d in CriticalDesignation.objects.all()[:50])
    # About 10 % strategic partners
    assert 70 <= Supplier.objects.filter(is_strategic_partner=True).count() <= 130
    # Japanese suppliers carry a local 株式会社 name and Japanese-speaking contacts
    japanese = Supplier.objects.filter(country="JP")
    assert all("株式会社" in name for name in japanese.values_list("local_name", flat=True))
    assert set(
        Contact.objects.filter(supplier__country="JP").values_list("language", flat=True)
    ) == {"ja"}
    # 1-3 sites and contacts each, one primary contact each
    for model in (Site, Contact):
        sizes = Counter(model.objects.values_list("supplier_id", flat=True))
        assert len(sizes) == 1000
        assert set(sizes.values()) == {1, 2, 3}
    assert Contact.objects.filter(is_primary=True).count() == 1000
    # Several statuses and categories
    assert len(set(Supplier.objects.values_list("status", flat=True))) == 4
    assert Supplier.categories.through.objects.values("category").distinct().count() == 5


@pytest.mark.django_db
def test_one_login_per_role_that_can_log_in(client):
    # Given the demo
    call_command("seed_demo", "--suppliers", "50", "--force", stdout=io.StringIO())
    # Then every role has its login, and each logs in with the one demo password
    users = {u.role: u for u in User.objects.filter(email__endswith="@demo.example")}
    assert set(users) == set(Role.values)
    for user in users.values():
        response = client.post(
            "/accounts/login/", {"username": user.email, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, user.email
        assert client.session.get("_auth_user_id") == str(user.pk)
        client.logout()
    # And the supplier user is the supplier administrator of a Japanese demo supplier
    membership = SupplierMembership.objects.get(user=users[Role.SUPPLIER])
    assert membership.is_supplier_admin
    assert membership.supplier.country == "JP"
    assert list(Supplier.objects.visible_to(users[Role.SUPPLIER])) == [membership.supplier]
    assert users[Role.ADMIN].is_superuser


@pytest.mark.django_db
def test_if_empty_leaves_existing_data_alone_but_makes_sure_of_logins():
    # Given a registry seeded once
    call_command("seed_demo", "--suppliers", "30", "--force", stdout=io.StringIO())
    before = _digest()
    # When it is run again with --if-empty, after someone removed a demo login
    User.objects.filter(email="csco@demo.example").delete()
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--suppliers", "500", "--force", stdout=out)
    # Then nothing was added, and the login is back
    assert Supplier.objects.count() == 30
    assert _digest() == before
    assert User.objects.filter(email="csco@demo.example", role=Role.CSCO).exists()
    assert "left as it is" in out.getvalue()


@pytest.mark.django_db
def test_if_empty_on_a_foreign_registry_gives_the_supplier_user_a_japanese_company():
    SupplierFactory(code="ZZ-1", country="DE")
    SupplierFactory(code="JP-9", country="JP")

    call_command("seed_demo", "--if-empty", "--force", stdout=io.StringIO())

    assert Supplier.objects.count() == 2
    membership = SupplierMembership.objects.get(user__email="supplier@demo.example")
    assert membership.supplier.code == "JP-9"


@pytest.mark.django_db
def test_refuses_a_registry_that_is_not_empty_without_if_empty():
    SupplierFactory()

    with pytest.raises(CommandError, match="already has 1 suppliers"):
        call_command("seed_demo", "--suppliers", "5", "--force")


@pytest.mark.parametrize("value", ["0", "100001", "abc", "-5", "2.5"])
@pytest.mark.django_db
def test_bad_supplier_count_is_a_clear_error(value):
    with pytest.raises(CommandError) as excinfo:
        call_command("seed_demo", "--suppliers", value, "--force")

    assert "--suppliers must be a whole number from 1 to 100,000" in str(excinfo.value)
    assert repr(value) in str(excinfo.value)
    assert not Supplier.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", "--suppliers", "5")

    assert not User.objects.exists()


@pytest.mark.django_db
def test_runs_with_debug_on_without_force(settings):
    settings.DEBUG = True

    call_command("seed_demo", "--suppliers", "3", stdout=io.StringIO())

    assert Supplier.objects.count() == 3


def test_print_logins_prints_only_the_table():
    out = io.StringIO()

    call_command("seed_demo", "--print-logins", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["Role", "E-mail", "Password"]
    assert len(lines) == 1 + len(demo.DEMO_LOGINS)
    for login, line in zip(demo.DEMO_LOGINS, lines[1:], strict=True):
        assert login.email in line
        assert line.endswith(demo.DEMO_PASSWORD)
    assert "buyer@demo.example" in out.getvalue()


def test_region_counts_add_up_and_start_with_japan():
    for total in (1, 2, 7, 99, 1000, 100_000):
        counts = demo.region_counts(total)
        assert sum(counts.values()) == total
    assert demo.region_counts(1) == {
        Region.JAPAN: 1,
        Region.ASIA: 0,
        Region.NORTH_AMERICA: 0,
        Region.EMEA: 0,
        Region.LATAM: 0,
    }


@pytest.mark.django_db
def test_a_single_supplier_is_an_active_japanese_company_with_the_supplier_login():
    demo.build_demo(suppliers=1)

    supplier = Supplier.objects.get()
    assert (supplier.country, supplier.status) == ("JP", "active")
    assert SupplierMembership.objects.filter(
        supplier=supplier, user__email="supplier@demo.example"
    ).exists()


# --- scripts/demo.sh: e-mail links follow the host and port the demo serves on ---------


def _demo_base_url(**env: str) -> str:
    """Run the base-URL block of scripts/demo.sh (not the whole script, which serves)."""
    import os
    import re
    import subprocess
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "scripts" / "demo.sh").read_text()
    block = re.search(r"# --- base URL.*?# --- end base URL", script, re.S)
    assert block, "demo.sh lost its base-URL block"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    result = subprocess.run(
        ["/bin/bash", "-c", 'host="${PORTAL_HOST:-127.0.0.1}"; port="${PORTAL_PORT:-8000}"\n'
         + block.group(0) + '\nprintf %s "$PORTAL_BASE_URL"'],
        env=clean | env,
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORTAL_PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORTAL_HOST": "localhost", "PORTAL_PORT": "9000"}, "http://localhost:9000"),
        ({"PORTAL_HOST": "0.0.0.0", "PORTAL_PORT": "9000"}, "http://127.0.0.1:9000"),
        ({"PORTAL_HOST": "::1", "PORTAL_PORT": "9000"}, "http://[::1]:9000"),
        (
            {"PORTAL_PORT": "9000", "PORTAL_BASE_URL": "https://portal.example"},
            "https://portal.example",
        ),
    ],
)
def test_demo_sets_the_email_base_url_from_its_host_and_port(env, expected):
    assert _demo_base_url(**env) == expected


def test_demo_block_is_what_serves():
    """The block's host and port are the ones runserver is started with."""
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "scripts" / "demo.sh").read_text()
    assert 'host="${PORTAL_HOST:-127.0.0.1}"; port="${PORTAL_PORT:-8000}"' in script
    assert 'runserver "$host:$port"' in script
    assert script.index("# --- end base URL") < script.index("runserver")
