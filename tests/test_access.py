"""The one access-scoping mechanism: who sees which supplier's rows, who may do what."""

import re

import pytest

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.accounts.models import Role
from suppliers.models import Contact, CriticalDesignation, Site, Supplier, SupplierSpend
from tests.factories import (
    ContactFactory,
    DesignationFactory,
    MembershipFactory,
    SiteFactory,
    SpendFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SCOPED_MODELS = [
    (Site, SiteFactory),
    (Contact, ContactFactory),
    (SupplierSpend, SpendFactory),
    (CriticalDesignation, DesignationFactory),
]


@pytest.mark.parametrize(("model", "factory"), SCOPED_MODELS)
def test_supplier_user_sees_only_rows_of_own_supplier(
    model, factory, supplier, other_supplier, supplier_user
):
    mine = factory(supplier=supplier)
    factory(supplier=other_supplier)
    assert list(model.objects.visible_to(supplier_user)) == [mine]


@pytest.mark.parametrize("role_fixture", ["buyer", "csco", "compliance_officer", "admin_user"])
def test_company_side_roles_see_every_supplier(request, role_fixture, supplier, other_supplier):
    user = request.getfixturevalue(role_fixture)
    assert set(Supplier.objects.visible_to(user)) == {supplier, other_supplier}


def test_supplier_user_of_two_suppliers_sees_both(supplier, other_supplier, supplier_user):
    MembershipFactory(user=supplier_user, supplier=other_supplier)
    assert Supplier.objects.visible_to(supplier_user).count() == 2


def test_nobody_else_sees_anything(supplier, supplier_user):
    from django.contrib.auth.models import AnonymousUser

    assert not Supplier.objects.visible_to(AnonymousUser()).exists()
    assert not Supplier.objects.visible_to(None).exists()
    supplier_user.is_active = False
    assert not Supplier.objects.visible_to(supplier_user).exists()
    orphan = UserFactory(role=Role.SUPPLIER)
    assert not Supplier.objects.visible_to(orphan).exists()


def test_scoping_costs_one_query(supplier, supplier_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(Site.objects.visible_to(supplier_user))


def test_capabilities_per_role(supplier_user, buyer, csco, infosec_assessor, admin_user):
    assert access.can(buyer, Action.MANAGE_SUPPLIERS)
    assert access.can(buyer, Action.IMPORT_DATA)
    assert not access.can(buyer, Action.MANAGE_USERS)
    assert access.can(admin_user, Action.MANAGE_USERS)
    # The CSCO reads everything and changes nothing.
    reads = {Action.VIEW_ALL_SUPPLIERS, Action.VIEW_DASHBOARD}
    assert all(access.can(csco, a) for a in reads)
    assert not any(access.can(csco, a) for a in Action if a not in reads)
    assert not access.can(infosec_assessor, Action.MANAGE_SUPPLIERS)
    assert not access.can(supplier_user, Action.VIEW_ALL_SUPPLIERS)
    assert not access.can(None, Action.VIEW_OWN_SUPPLIER)


# --- one policy: object rules, scope first, every action checked, no role compared elsewhere


def test_require_checks_scope_first_then_the_action(supplier, other_supplier, supplier_user):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    mine, theirs = SiteFactory(supplier=supplier), SiteFactory(supplier=other_supplier)
    access.require(supplier_user, access.VIEW, mine)
    with pytest.raises(Http404):  # another supplier's object: as if it did not exist
        access.require(supplier_user, access.VIEW, theirs)
    with pytest.raises(Http404):  # ... whatever the action
        access.require(supplier_user, Action.MANAGE_SUPPLIERS, theirs)
    with pytest.raises(PermissionDenied):  # their own, but not theirs to change
        access.require(supplier_user, Action.MANAGE_SUPPLIERS, mine)
    assert access.can(supplier_user, access.VIEW, mine)
    assert not access.can(supplier_user, access.VIEW, theirs)
    assert not access.can(None, access.VIEW, mine)


def test_staff_only_kinds_refuse_supplier_users(supplier_user, buyer):
    from django.core.exceptions import PermissionDenied

    from assessments.models import Campaign
    from suppliers.imports.models import ImportJob

    assert access.scope_of(Campaign).staff_only and access.scope_of(ImportJob).staff_only
    job = ImportJob.objects.create(kind="suppliers", original_name="x.csv", created_by=buyer)
    assert not access.visible_to(supplier_user, ImportJob).exists()
    assert list(access.visible_to(buyer, ImportJob)) == [job]
    with pytest.raises(PermissionDenied):
        access.require(supplier_user, access.VIEW, job)
    access.require(buyer, access.VIEW, job)


def test_object_rules_are_registered_by_the_apps(
    supplier, other_supplier, supplier_user, buyer, infosec_assessor, csco
):
    """Review, follow-up and invitation rules live in the registry, asked through
    access.can/require (the apps register them when they are ready)."""
    from assessments.models import Assessment
    from tests.assessments.builders import build_assessment

    assessment = build_assessment(supplier=supplier, status="submitted")
    assert assessment.questionnaire.kind != "information_security"
    assert access.can(buyer, Action.REVIEW_ASSESSMENTS, assessment)
    # Information-security assessors review the information-security questionnaires only.
    assert access.can(infosec_assessor, Action.REVIEW_ASSESSMENTS)
    assert not access.can(infosec_assessor, Action.REVIEW_ASSESSMENTS, assessment)
    assert not access.visible_to(infosec_assessor, Assessment, Action.REVIEW_ASSESSMENTS).exists()
    assert access.visible_to(buyer, Assessment, Action.REVIEW_ASSESSMENTS).get() == assessment
    assert not access.visible_to(csco, Assessment, Action.REVIEW_ASSESSMENTS).exists()
    assert access.visible_to(csco, Assessment).get() == assessment
    # A supplier's own administrator invites colleagues of that supplier only.
    assert not access.can(supplier_user, Action.INVITE_USERS, supplier)
    supplier_user.memberships.update(is_supplier_admin=True)
    assert access.can(supplier_user, Action.INVITE_USERS, supplier)
    assert not access.can(supplier_user, Action.INVITE_USERS, other_supplier)
    assert access.can(buyer, Action.INVITE_USERS, other_supplier)
    assert not access.can(csco, Action.INVITE_USERS, other_supplier)


def _source_files():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for top in ("procurement_portal", "suppliers", "assessments", "declarations", "reports"):
        for path in sorted((root / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield root, path


def test_every_action_in_the_table_is_checked_somewhere():
    import re

    """Checked by a view, service or rule, or by the policy's own helpers (the table of
    capabilities itself does not count)."""
    texts = []
    for root, path in _source_files():
        text = path.read_text()
        if path == root / "procurement_portal" / "access.py":
            start = text.index("_CAPABILITIES: dict")
            text = text[:start] + text[text.index("\n}\n", start) :]
            text = text[text.index("\n\n\nVIEW = ") :]  # the Action enum's own lines
        texts.append(text)
    elsewhere = "\n".join(texts)
    unchecked = [
        action.name
        for action in Action
        if not re.search(rf"Action\.{action.name}\b|[\"']{action.value}[\"']", elsewhere)
    ]
    assert not unchecked, f"declared but never checked: {unchecked}"


# A comparison of a role with a value, or a membership test on the role field.
ROLE_COMPARISON = re.compile(
    r"\.role\s*(==|!=|\bin\b|\bnot in\b)"
    r"|(==|!=)\s*Role\.[A-Z_]+"
    r"|Role\.[A-Z_]+\s*(==|!=)"
    r"|\[[\"']role[\"']\]\s*(==|!=)\s*[\"']"
    r"|(==|!=)\s*[\"'](supplier|procurement|infosec_assessor|csco|compliance|admin)[\"']"
)
# Where a role may be compared: the policy itself, the user model's own definition, and
# the demo data (which sets up one login per role, deciding nothing).
ROLE_ALLOWED = {"procurement_portal/access.py", "procurement_portal/accounts/models.py"}


def test_no_role_is_compared_outside_the_access_policy():
    problems = []
    for root, path in _source_files():
        relative = path.relative_to(root).as_posix()
        if relative in ROLE_ALLOWED or "demo" in path.name:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ROLE_COMPARISON.search(line):
                problems.append(f"{relative}:{number}: {line.strip()}")
    assert not problems, "role compared outside procurement_portal/access.py:\n" + "\n".join(
        problems
    )


def test_the_role_check_catches_a_comparison():
    for line in (
        'if user.role == "supplier":',
        "if request.user.role != Role.SUPPLIER:",
        "return user.role in REVIEWER_ROLES",
        "if Role.ADMIN == user.role:",
    ):
        assert ROLE_COMPARISON.search(line), line
    assert not ROLE_COMPARISON.search("users = User.objects.filter(role=Role.SUPPLIER)")


def test_every_api_viewset_applies_the_policy():
    """Every API view over rows derives from the scoped base, so none can forget."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from rest_framework.generics import GenericAPIView

    from procurement_portal.core.api import ScopedAPIMixin

    found, unscoped = set(), []

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                cls = getattr(p.callback, "cls", None)
                if cls is not None and issubclass(cls, GenericAPIView):
                    found.add(cls)
                    if not issubclass(cls, ScopedAPIMixin):
                        unscoped.append(cls.__qualname__)

    walk(get_resolver().url_patterns)
    assert len(found) >= 10
    assert not unscoped, unscoped
