"""Every API operation against the schema the portal publishes at /api/schema/.

Schemathesis reads the OpenAPI schema from the app itself (in-process, WSGI), then sends
each operation generated requests, valid and invalid, as a procurement buyer holding an
API token. Each answer must not be a server error and must be what the schema promises:
a documented status code, the documented content type and a body matching the schema.

The schema cannot say which ids exist or which strings are country codes, so part of the
generated requests name the seeded rows and carry realistic values: without them nearly
every write would stop at 400/404 and the code behind it would go untested.

The examples are bounded and derandomised, so a run is reproducible and quick; a failure
prints the request that caused it, ready to paste as curl.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from procurement_portal.accounts.tokens import api_token_issue
from tests.factories import (
    ContactFactory,
    DesignationFactory,
    SiteFactory,
    SpendFactory,
    SupplierFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Fixed primary keys, far above what the sequences hand out in a test, so that the
# generators (which run before any fixture) can name rows that exist.
SUPPLIER_IDS = [910001, 910002]
SEEDED_IDS = {
    "suppliers": SUPPLIER_IDS,
    "sites": [920001, 920002],
    "contacts": [930001, 930002],
    "spend": [940001, 940002],
    "critical-designations": [950001, 950002],
}
# Values the schema documents only as strings or integers, and what a real client sends.
REALISTIC_VALUES = {
    "supplier": SUPPLIER_IDS,
    "code": ["SCH-001", "SCH-NEW"],  # the first one's own code, and a new one
    "country": ["JP", "DE"],
    "currency": ["JPY", "EUR"],
    "language": ["ja", "en"],
    "fiscal_year": [2023, 2024],  # the seeded spend and designations are in 2024
    "categories": [["hardware"], []],
}

# Loaded at collection, as a client would fetch it: serving the schema reads no rows.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


def resource_of(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0]


def reaches_the_api(path_parameters: dict | None) -> bool:
    """An id that is not digits matches no API route: Django's HTML "page not found"
    answers it, outside the API and its schema. Ids that reach the API all stay in."""
    return all(str(value).isdigit() for value in (path_parameters or {}).values())


@schema.hook
def filter_path_parameters(context, path_parameters):
    return reaches_the_api(path_parameters)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    seeded = SEEDED_IDS.get(resource_of(context.operation.path), [])
    if not path_parameters or "id" not in path_parameters or not seeded:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, *({"id": str(pk)} for pk in seeded)])


@schema.hook
def flatmap_body(context, body):
    keys = [key for key in REALISTIC_VALUES if isinstance(body, dict) and key in body]
    if not keys:
        return st.just(body)
    realistic = st.fixed_dictionaries({key: st.sampled_from(REALISTIC_VALUES[key]) for key in keys})
    return st.one_of(st.just(body), realistic.map(lambda values: {**body, **values}))


@pytest.fixture
def in_process_requests(db, settings):
    """Requests to the WSGI app run inside the test's transaction.

    Django closes the database connection after each request when it is not in
    autocommit mode, which inside a test transaction it never is; the test client
    disconnects that handler for the same reason, and so does this fixture.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def buyer_token(buyer, monkeypatch) -> str:
    # One test sends all of an operation's examples as one user: lift the per-user rate
    # limit (its own tests cover it) rather than read 429s as findings.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": None, "anon": None})
    return api_token_issue(user=buyer)[1]


@pytest.fixture
def registry(db):
    """Two suppliers with a row of every kind each, under the ids the generators use."""
    suppliers = [
        SupplierFactory(
            id=SUPPLIER_IDS[0],
            code="SCH-001",
            country="JP",
            transactions_started_on=date(2019, 4, 1),
        ),
        SupplierFactory(id=SUPPLIER_IDS[1], code="SCH-002", country="DE", local_name=""),
    ]
    for n, supplier in enumerate(suppliers):
        SiteFactory(id=SEEDED_IDS["sites"][n], supplier=supplier)
        ContactFactory(id=SEEDED_IDS["contacts"][n], supplier=supplier)
        SpendFactory(
            id=SEEDED_IDS["spend"][n],
            supplier=supplier,
            fiscal_year=2024,
            amount=Decimal("123456.78"),
        )
        DesignationFactory(
            id=SEEDED_IDS["critical-designations"][n], supplier=supplier, fiscal_year=2024
        )
    return suppliers


HYPOTHESIS_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TOKEN_PATH = "/api/v1/auth/token/"


@schema.exclude(path=TOKEN_PATH).parametrize()
@HYPOTHESIS_SETTINGS
def test_api_operations_conform_to_the_schema(case, in_process_requests, buyer_token, registry):
    # given a buyer's token and a registry with rows of every kind
    # when schemathesis sends the operation's generated requests
    # then no answer is a server error, and each matches the schema
    if not reaches_the_api(case.path_parameters):
        return  # the coverage phase's boundary values skip the filter hook above
    case.call_and_validate(headers={"Authorization": f"Token {buyer_token}"}, checks=CHECKS)


@schema.include(path=TOKEN_PATH).parametrize()
@HYPOTHESIS_SETTINGS
def test_token_operation_conforms_to_the_schema(case, in_process_requests, buyer, monkeypatch):
    # given a buyer account, and anonymous clients not rate-limited
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": None, "anon": None})
    # when schemathesis posts generated credentials
    # then no answer is a server error, and each matches the schema
    case.call_and_validate(checks=CHECKS)
