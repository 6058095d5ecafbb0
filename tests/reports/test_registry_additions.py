"""What the annual figures added to the registry: CDP Supply Chain participation (API,
import, page), supplier termination (service, API, page) and yearly currency rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from suppliers import services
from suppliers.imports.service import import_job_submit
from suppliers.models import CdpParticipation, CurrencyRate, Supplier
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def test_termination_needs_a_date_and_a_reason(buyer, supplier):
    with pytest.raises(ValidationError) as exc:
        services.supplier_terminate(
            actor=buyer, supplier=supplier, terminated_on=dt.date(2026, 5, 1), reason="  "
        )
    assert "reason" in exc.value.message_dict
    services.supplier_terminate(
        actor=buyer, supplier=supplier, terminated_on=dt.date(2026, 5, 1), reason="Child labour"
    )
    supplier.refresh_from_db()
    assert (supplier.status, supplier.terminated_on) == ("terminated", dt.date(2026, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Supplier.objects.filter(pk=supplier.pk).update(termination_reason="")


def test_the_csco_and_supplier_users_cannot_terminate(csco, supplier_user, supplier):
    for actor in (csco, supplier_user):
        with pytest.raises(Exception):
            services.supplier_terminate(
                actor=actor, supplier=supplier, terminated_on=dt.date(2026, 5, 1), reason="x"
            )


def test_terminate_page_matrix(request, client, login, supplier, other_supplier):
    url = reverse("suppliers:terminate", args=[supplier.pk])
    assert client.get(url).status_code == 302
    assert login(request.getfixturevalue("supplier_user")).get(url).status_code == 403
    other_url = reverse("suppliers:terminate", args=[other_supplier.pk])
    assert login(request.getfixturevalue("supplier_user")).get(other_url).status_code == 404
    assert login(request.getfixturevalue("csco")).get(url).status_code == 403
    buyer_client = login(request.getfixturevalue("buyer"))
    assert buyer_client.get(url).status_code == 200
    bad = buyer_client.post(url, {"terminated_on": "not a date", "reason": "x"})
    assert bad.status_code == 200 and "terminated_on" in bad.context["form"].errors
    ok = buyer_client.post(url, {"terminated_on": "2026-05-01", "reason": "Refused audits"})
    assert ok.status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == "terminated"


def test_terminate_api(request, api_client, supplier):
    url = f"/api/v1/suppliers/{supplier.pk}/terminate/"
    api_client.force_authenticate(request.getfixturevalue("csco"))
    assert (
        api_client.post(
            url, {"terminated_on": "2026-05-01", "reason": "x"}, format="json"
        ).status_code
        == 403
    )
    api_client.force_authenticate(request.getfixturevalue("buyer"))
    bad = api_client.post(url, {"terminated_on": "2026-05-01"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    ok = api_client.post(url, {"terminated_on": "2026-05-01", "reason": "Refused"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["status"] == "terminated" and ok.json()["terminated_on"] == "2026-05-01"


def test_cdp_api_matrix(request, api_client, supplier, other_supplier):
    CdpParticipation.objects.create(supplier=supplier, fiscal_year=2020)
    CdpParticipation.objects.create(supplier=other_supplier, fiscal_year=2020)
    api_client.force_authenticate(request.getfixturevalue("supplier_user"))
    listed = api_client.get("/api/v1/cdp-participations/").json()
    assert [r["supplier"] for r in listed["results"]] == [supplier.pk]
    created = api_client.post(
        "/api/v1/cdp-participations/", {"supplier": supplier.pk, "fiscal_year": 2021}, format="json"
    )
    assert created.status_code == 403
    api_client.force_authenticate(request.getfixturevalue("buyer"))
    assert (
        len(api_client.get("/api/v1/cdp-participations/?fiscal_year=2020").json()["results"]) == 2
    )
    created = api_client.post(
        "/api/v1/cdp-participations/", {"supplier": supplier.pk, "fiscal_year": 2021}, format="json"
    )
    assert created.status_code == 201
    again = api_client.post(
        "/api/v1/cdp-participations/", {"supplier": supplier.pk, "fiscal_year": 2021}, format="json"
    )
    assert again.status_code == 400 and "fiscal_year" in again.json()


def test_cdp_import_checks_every_row_then_writes(buyer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    SupplierFactory(code="ACME-9")
    bad = b"supplier_code,fiscal_year,responded\nACME-9,2020,yes\nNOPE,2020,no\n"
    job = import_job_submit(
        kind="cdp", upload=SimpleUploadedFile("cdp.csv", bad), actor=buyer, dry_run=False
    )
    job.refresh_from_db()
    assert job.status == "rejected" and not CdpParticipation.objects.exists()
    good = b"supplier_code,fiscal_year,responded\nACME-9,2020,yes\n"
    job = import_job_submit(
        kind="cdp", upload=SimpleUploadedFile("cdp.csv", good), actor=buyer, dry_run=False
    )
    job.refresh_from_db()
    assert job.status == "succeeded", job.status
    assert CdpParticipation.objects.get().fiscal_year == 2020


def test_cdp_page_for_staff_only(request, client, login, supplier):
    CdpParticipation.objects.create(supplier=supplier, fiscal_year=2020)
    url = reverse("suppliers:cdp") + "?fiscal_year=2020"
    assert client.get(url).status_code == 302
    assert login(request.getfixturevalue("supplier_user")).get(url).status_code == 403
    page = login(request.getfixturevalue("csco")).get(url)
    assert page.status_code == 200 and supplier.code in page.content.decode()


def test_currency_rates_are_data_per_year(buyer):
    services.currency_rate_set(actor=buyer, fiscal_year=2020, currency="USD", rate=Decimal("110"))
    services.currency_rate_set(actor=buyer, fiscal_year=2020, currency="USD", rate=Decimal("111"))
    assert CurrencyRate.objects.get().rate == Decimal("111")
    with pytest.raises(ValidationError):
        services.currency_rate_set(actor=buyer, fiscal_year=2020, currency="XXQ", rate=Decimal(1))


def test_reports_demo_goes_through_the_services(admin_user):
    from reports.demo import build_reports_demo
    from suppliers.models import Category

    admin_user.email = "admin@demo.example"
    admin_user.save(update_fields=["email"])
    hardware = Category.objects.get(code="hardware")
    for n in range(3):
        SupplierFactory(code=f"HW-{n}").categories.add(hardware)
    SupplierFactory(code="OLD-1", status="inactive")
    assert "CDP" in build_reports_demo()
    assert CurrencyRate.objects.filter(currency="USD").exists()
    assert CdpParticipation.objects.count() >= 3
    assert Supplier.objects.get(code="OLD-1").status == "terminated"
    assert build_reports_demo() == "nothing to add"
