"""Fixtures shared by the whole suite: one per role, the real services, CI rules.

Tests run on whatever DATABASE_URL names (PostgreSQL in CI, SQLite otherwise). Tasks
run in-process unless a test asks for the real Celery worker (``celery_worker``), which
then runs as a separate process against the real Redis broker and the test database.
"""

from __future__ import annotations

import os

import pytest

from procurement_portal.accounts.models import Role
from tests.factories import TEST_PASSWORD, MembershipFactory, SupplierFactory, UserFactory

pytest_plugins = ["tests.services"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _reference_rows(request):
    """The seeded priority risks and categories, even after a transactional test (or a
    browser test) has flushed the tables."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server"}
    )
    if transactional:
        _FLUSHED_IN_THIS_PROCESS.add(True)
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from suppliers.reference_data import ensure_reference_data

    ensure_reference_data()
    _restore_default_scoring_policy()
    if _FLUSHED_IN_THIS_PROCESS:
        _reseed_data_migrations()


# Not empty once a transactional test has run in this process: it flushes the tables when
# it ends, and the tests after it need the data migrations' rows back. (pytest-django runs
# the transactional tests last, but under xdist's --dist loadfile each process runs whole
# files in turn, so a file of plain tests can come after one that flushed.)
_FLUSHED_IN_THIS_PROCESS: set[bool] = set()


# Rows the later stages' data migrations seed (declaration kinds; guidance categories and
# the first visit plan policy), put back after a flush by the migrations' own functions.
SEEDING_MIGRATIONS = (
    "declarations.migrations.0003_seed_kinds",
    "visits.migrations.0002_guidance_categories",
)


def _reseed_data_migrations() -> None:
    import importlib

    from django.apps import apps

    for name in SEEDING_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)


def _restore_default_scoring_policy():
    """The scoring policy migration 0002 seeds, after a flush removed it (current_policy()
    only reads)."""
    from importlib import import_module

    from assessments.models import ScoringPolicy

    if not ScoringPolicy.objects.filter(is_active=True).exists():
        default = import_module("assessments.migrations.0002_default_scoring_policy").DEFAULT
        ScoringPolicy.objects.create(**default)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached sessions live in the cache: start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _eager_tasks_and_fast_hashing(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    # Two-factor has its own tests (tests/accounts); elsewhere staff are logged in without it.
    settings.PORTAL_REQUIRE_STAFF_2FA = False


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def supplier(db):
    return SupplierFactory(
        code="ACME-001",
        legal_name="Acme Parts Co., Ltd.",
        local_name="アクメ部品株式会社",
        country="JP",
    )


@pytest.fixture
def other_supplier(db):
    return SupplierFactory(
        code="OTHER-002", legal_name="Other Components Pte. Ltd.", local_name="", country="SG"
    )


@pytest.fixture
def supplier_user(db, supplier):
    user = UserFactory(
        email="supplier@acme.example", full_name="Sachiko Supplier", role=Role.SUPPLIER
    )
    MembershipFactory(user=user, supplier=supplier)
    return user


@pytest.fixture
def other_supplier_user(db, other_supplier):
    user = UserFactory(email="someone@other.example", full_name="Otto Other", role=Role.SUPPLIER)
    MembershipFactory(user=user, supplier=other_supplier)
    return user


@pytest.fixture
def buyer(db):
    return UserFactory(email="buyer@portal.example", full_name="Bunta Buyer", role=Role.PROCUREMENT)


@pytest.fixture
def infosec_assessor(db):
    return UserFactory(email="assessor@portal.example", role=Role.INFOSEC_ASSESSOR)


@pytest.fixture
def csco(db):
    return UserFactory(email="csco@portal.example", full_name="Chie CSCO", role=Role.CSCO)


@pytest.fixture
def compliance_officer(db):
    return UserFactory(email="compliance@portal.example", role=Role.COMPLIANCE)


@pytest.fixture
def admin_user(db):
    return UserFactory(
        email="admin@portal.example", full_name="Ada Admin", role=Role.ADMIN, is_superuser=True
    )


@pytest.fixture
def login(client):
    """Log a user in on the Django test client and return the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# Fixtures that make a test slow: a browser, a real Celery worker, a served portal.
SLOW_FIXTURES = {
    "browser": 10,
    "celery_worker": 10,
    "campaign_workers": 10,
    "live_server": 3,
    "smtp_server": 2,
    "transactional_db": 2,
}


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER") and not config.pluginmanager.has_plugin(
        "tests.xdist_worker"
    ):
        raise pytest.UsageError(
            "xdist workers need their own Redis database and media folder: "
            "load the plugin with -p tests.xdist_worker (as scripts/test.sh does)"
        )


def pytest_collection_modifyitems(session, config, items):
    """Under xdist (``--dist loadfile``), the files with the slow tests go first, so that
    the two workers do not end with one of them alone on a long browser or worker file.
    The order is the same in every worker (xdist checks), and a serial run keeps the
    files' own order."""
    if not hasattr(config, "workerinput"):  # the workers collect, not the controller
        return
    weight: dict[str, int] = {}
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        cost = max([SLOW_FIXTURES[n] for n in names & SLOW_FIXTURES.keys()], default=1)
        if item.get_closest_marker("browser") or item.get_closest_marker("redis"):
            cost = max(cost, 10)
        path = item.nodeid.split("::", 1)[0]
        weight[path] = weight.get(path, 0) + cost
    position = {
        path: n for n, path in enumerate(dict.fromkeys(i.nodeid.split("::", 1)[0] for i in items))
    }
    items.sort(key=lambda i: (-weight[p := i.nodeid.split("::", 1)[0]], position[p]))


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: the real services and browser must be there.
    (Under xdist the controller, which gets every worker's reports, decides.)"""
    if not IN_CI or hasattr(session.config, "workerinput"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; in CI every test must run.", red=True
        )
        session.exitstatus = 1
