"""The one access-scoping mechanism: who sees which supplier's rows, who may do what."""

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
    assert access.can(csco, Action.VIEW_ALL_SUPPLIERS)
    assert not any(access.can(csco, a) for a in Action if a is not Action.VIEW_ALL_SUPPLIERS)
    assert not access.can(infosec_assessor, Action.MANAGE_SUPPLIERS)
    assert not access.can(supplier_user, Action.VIEW_ALL_SUPPLIERS)
    assert not access.can(None, Action.VIEW_OWN_SUPPLIER)
