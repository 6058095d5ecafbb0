"""factory_boy factories for the domain models. Deterministic where it matters."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from procurement_portal.accounts.models import Role, SupplierMembership, User
from suppliers.models import Contact, CriticalDesignation, Site, Supplier, SupplierSpend

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    role = Role.PROCUREMENT
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save(update_fields=["password"])


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:06d}")
    legal_name = factory.Sequence(lambda n: f"Supplier {n} Co., Ltd.")
    local_name = factory.Sequence(lambda n: f"サプライヤー{n}株式会社")
    country = "JP"
    status = "active"


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    supplier = factory.SubFactory(SupplierFactory)
    name = factory.Sequence(lambda n: f"Plant {n}")
    address = "1-2-3 Example, Minato-ku"
    city = "Tokyo"
    country = "JP"


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    supplier = factory.SubFactory(SupplierFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@supplier.example")
    language = "ja"


class SpendFactory(DjangoModelFactory):
    class Meta:
        model = SupplierSpend

    supplier = factory.SubFactory(SupplierFactory)
    fiscal_year = 2020
    amount = Decimal("1000000.00")
    currency = "JPY"


class DesignationFactory(DjangoModelFactory):
    class Meta:
        model = CriticalDesignation

    supplier = factory.SubFactory(SupplierFactory)
    fiscal_year = 2020
    large_procurement_amount = True


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = SupplierMembership

    user = factory.SubFactory(UserFactory, role=Role.SUPPLIER)
    supplier = factory.SubFactory(SupplierFactory)
