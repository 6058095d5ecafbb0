"""Every API operation against the running server, with every schemathesis check.

The portal serves HTTP on a port (pytest-django's ``live_server``: the WSGI app in a
server thread, on the suite's PostgreSQL and Redis); schemathesis reads the schema the
portal publishes at /api/schema/ and sends each operation ``EXAMPLES`` generated requests
(valid and invalid; 100 in CI, 40 in a local run) as a procurement buyer holding an API
token (the token endpoint anonymously), and runs all of its checks on every answer
(``--checks all``):

- no server error; status code, content type, headers and body as the schema documents;
- schema-violating input is refused (``negative_data_rejection``), in bodies and paths;
  a query string is read as Django reads it (of a repeated parameter the last counts, an
  empty filter filters nothing), which the schema cannot say, so a schema-violating query
  string must only get no server error and a documented answer;
- schema-valid input is accepted (``positive_data_acceptance``), or refused with a 400
  that names the field: the schema cannot say which ids exist, which codes are countries
  or which combinations the services refuse, and a 400 body is itself checked against the
  documented error shape;
- an operation that needs authentication refuses no token and a made-up one
  (``ignored_auth``, probed once per operation, as schemathesis's own runner does);
- a required header missing, an undocumented method, the Allow header, use after delete
  and resource availability, as schemathesis checks them.

The schema cannot say which ids exist or which strings are country codes, so part of the
generated requests name the seeded rows and carry realistic values: without them nearly
every write would stop at 400/404 and the code behind it would go untested.

Derandomised, so a run is reproducible; a failure prints the request as curl.
Schemathesis's coverage phase (the boundary values of every parameter, which found the
page-size and id-filter refusals) is off in the suite: it took about 13 s per operation;
turn it on for a deeper run before a release.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection

from procurement_portal.accounts.tokens import api_token_issue
from tests.factories import (
    ContactFactory,
    DesignationFactory,
    SiteFactory,
    SpendFactory,
    SupplierFactory,
)

# Generated requests per operation: 100 in CI (CI=true, as .ci/run sets it: the security
# run the probe asked for, issue 8), 40 in a local run of the suite (each operation's valid
# and invalid shapes are reached well before that, the realistic-values hook names real
# rows). SCHEMATHESIS_EXAMPLES overrides both, e.g. 200 for a deeper run before a release:
# SCHEMATHESIS_EXAMPLES=200 scripts/test.sh tests/test_api_schemathesis.py
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES") or (100 if IN_CI else 40))

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

# Every check schemathesis has; what "accepted" means for schema-valid data is widened
# by one status only (see the module's docstring).
CONFIG = SchemathesisConfig.from_dict(
    {
        # The coverage phase (every parameter's boundary values) took about 10 s per
        # operation, 20 minutes for the file on 2 shared cores; the generated examples
        # (positive and negative) stay at EXAMPLES per operation.
        "phases": {"coverage": {"enabled": False}},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
            },
        },
    }
)

# Read at collection, as a client would fetch it (serving the schema reads no rows); the
# requests themselves go over HTTP to the live server.
schema = schemathesis.openapi.from_dict(
    schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application()).raw_schema,
    config=CONFIG,
)
TOKEN_PATH = "/api/v1/auth/token/"
BUYER = {"token": "made-by-the-buyer_token-fixture"}


@schema.auth(refresh_interval=None).skip_for(path=TOKEN_PATH)
class BuyerToken:
    """The buyer's token, as schemathesis's own authentication: its auth checks then know
    the token is real, and probe the operation without it and with a made-up one."""

    def get(self, case, context):
        return BUYER["token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


def resource_of(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    seeded = SEEDED_IDS.get(resource_of(context.operation.path), [])
    if not path_parameters or "id" not in path_parameters or not seeded:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, *({"id": pk} for pk in seeded)])


@schema.hook
def flatmap_body(context, body):
    keys = [key for key in REALISTIC_VALUES if isinstance(body, dict) and key in body]
    if not keys:
        return st.just(body)
    realistic = st.fixed_dictionaries({key: st.sampled_from(REALISTIC_VALUES[key]) for key in keys})
    return st.one_of(st.just(body), realistic.map(lambda values: {**body, **values}))


@pytest.fixture
def unthrottled(monkeypatch):
    # One test sends all of an operation's examples as one client: lift the rate limits
    # (their own tests cover them) rather than read 429s as findings.
    scopes = ("user", "anon", "api_docs", "api_schema", "api_token")
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", dict.fromkeys(scopes))


@pytest.fixture
def buyer_token(buyer, unthrottled) -> str:
    BUYER["token"] = api_token_issue(user=buyer)[1]
    return BUYER["token"]


@pytest.fixture
def registry(transactional_db):
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


# Operations whose authentication ignored_auth has confirmed (by re-sending a successful
# request without the token and with a made-up one). As in schemathesis's own runner
# ("enforcement is a property of the operation, so one confirmation per run is enough"),
# once per operation: probing every successful request would send four for each.
AUTH_CONFIRMED: set[str] = set()


def _realistic_values_substituted(body) -> bool:
    return isinstance(body, dict) and any(
        key in body and body[key] in values for key, values in REALISTIC_VALUES.items()
    )


def relaxed_checks(case) -> list:
    """The checks a case is spared (see the module's docstring): the rejection of
    schema-violating data when the violation is in the query string; the authentication
    probe once the operation's authentication is confirmed."""
    spared = []
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.QUERY):
        spared.append(negative_data_rejection)
    elif (
        case.meta is not None
        and case.meta.is_negative_at(ParameterLocation.BODY)
        and _realistic_values_substituted(case.body)
    ):
        # flatmap_body put a realistic value over a field, which may be the very field the
        # negative case had broken: the request sent is no longer known to be invalid.
        spared.append(negative_data_rejection)
    if case.operation.label in AUTH_CONFIRMED:
        spared.append(ignored_auth)
    return spared


def call_and_validate(case, base_url: str) -> None:
    response = case.call_and_validate(base_url=base_url, excluded_checks=relaxed_checks(case))
    if 200 <= response.status_code < 300:
        AUTH_CONFIRMED.add(case.operation.label)


HYPOTHESIS_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@schema.exclude(path=TOKEN_PATH).parametrize()
@HYPOTHESIS_SETTINGS
def test_api_operations_pass_every_check(case, live_server, buyer_token, registry):
    # given a running server, a buyer's token and a registry with rows of every kind
    # (cases are generated before the token exists: put the real one in)
    if case.headers and "Authorization" in case.headers:
        case.headers["Authorization"] = f"Token {buyer_token}"
    # when schemathesis sends the operation's generated requests over HTTP
    # then every check passes
    call_and_validate(case, live_server.url)


@schema.include(path=TOKEN_PATH).parametrize()
@HYPOTHESIS_SETTINGS
def test_token_operation_passes_every_check(case, live_server, buyer, unthrottled):
    # given a buyer account, and anonymous clients not rate-limited
    # when schemathesis posts generated credentials to the running server
    # then every check passes
    call_and_validate(case, live_server.url)
