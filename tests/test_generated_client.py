"""A real client, generated from the schema the portal publishes, used unchanged (issue 11,
item 5).

openapi-python-client (in the lock) generates a Python package from the running server's
/api/schema/ into a temporary folder; every module of it must import (16 of 63 did not
when each request body was declared in three formats), and the main journeys run through
it against the live server over HTTP, with ``raise_on_unexpected_status`` so an answer
the schema does not document fails the test:

- a buyer gets a token (with the authenticator code) and sends it as ``Bearer``, the
  generated client's default; lists and filters suppliers (enum ordering, the documented
  maximum page size) and reads one;
- a supplier user gets a token, sent as ``Token``; reads its assessment and the
  questionnaire (``show_if`` parsed as its own type), saves answers as JSON values of
  every kind (a code, a list of codes, a number, text) and submits;
- the buyer finds it in the review queue, comments on an answer and returns it; the
  supplier changes the answer and submits again; the buyer accepts it (scores);
- both list the improvement items the weak answers raised.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import AssessmentStatus
from tests.assessments.builders import build_assessment
from tests.factories import SupplierFactory

PACKAGE = "portal_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory):
    """The client package generated from the live server's schema, imported."""
    folder = tmp_path_factory.mktemp("client")
    schema = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=60)
    assert schema.status_code == 200, schema.text[:300]
    (folder / "schema.json").write_bytes(schema.content)
    (folder / "config.yaml").write_text("post_hooks: []\n")  # no formatter needed
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(folder / "schema.json"),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(folder / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # the generator warns (and still writes a client) when it has to skip or guess
    assert result.returncode == 0 and "Warning" not in result.stdout + result.stderr, (
        result.stdout + result.stderr
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_every_generated_module_imports(generated):
    # given the client generated from the live schema
    # when every module of it is imported
    failures, count = [], 0
    for info in pkgutil.walk_packages(generated.__path__, f"{PACKAGE}."):
        count += 1
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # any failure is a finding
            failures.append(f"{info.name}: {type(exc).__name__}: {exc}")
    # then all import, and there is an operation module for every API resource
    assert not failures, "\n".join(failures)
    assert count > 100
    operations = {info.name for info in pkgutil.iter_modules(_module("api").__path__)}
    assert {"suppliers", "assessments", "reviews", "review_queue", "auth"} <= operations


def _staff_code(user) -> str:
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _token(anonymous, models, **credentials) -> str:
    token_create = _module("api.auth.auth_token_create")
    answer = token_create.sync(client=anonymous, body=models.TokenInputRequest(**credentials))
    assert isinstance(answer, models.TokenOutput), answer
    return answer.token


def test_main_journeys_through_the_generated_client(
    generated, live_server, settings, buyer, supplier, supplier_user, password
):
    # given a supplier with a self-assessment to answer, and staff who confirm a code
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    SupplierFactory(code="ZZZ-002", country="DE", legal_name="Zeta GmbH")
    assessment = build_assessment(supplier=supplier, fiscal_year=2026)
    models = _module("models")
    client_module = _module("client")
    api = "api."
    anonymous = client_module.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    # a buyer gets a token and uses it as a bearer token (the generated client's default)
    staff_token = _token(
        anonymous, models, email=buyer.email, password=password, otp=_staff_code(buyer)
    )
    staff = client_module.AuthenticatedClient(
        base_url=live_server.url, token=staff_token, raise_on_unexpected_status=True
    )

    # lists and filters suppliers, sorted by an ordering the schema offers
    suppliers_list = _module(api + "suppliers.suppliers_list")
    page = suppliers_list.sync(
        client=staff,
        country="JP",
        ordering=models.SuppliersListOrdering.CODE_DESC,
        page_size=200,
    )
    assert [row.code for row in page.results] == ["ACME-001"]
    everyone = suppliers_list.sync(client=staff, ordering=models.SuppliersListOrdering.CODE_DESC)
    assert [row.code for row in everyone.results] == ["ZZZ-002", "ACME-001"]
    assert everyone.results[0].region == models.RegionEnum.EMEA
    # and reads one, with its parts
    detail = _module(api + "suppliers.suppliers_retrieve").sync(id=supplier.pk, client=staff)
    assert detail.legal_name == "Acme Parts Co., Ltd." and detail.status.value == "active"

    # a supplier user gets a token and sends it as "Token"
    own_token = _token(anonymous, models, email=supplier_user.email, password=password)
    mine = client_module.AuthenticatedClient(
        base_url=live_server.url, token=own_token, prefix="Token", raise_on_unexpected_status=True
    )
    listed = _module(api + "assessments.assessments_list").sync(client=mine)
    assert [row.id for row in listed.results] == [assessment.pk]
    read = _module(api + "assessments.assessments_retrieve").sync(id=assessment.pk, client=mine)
    assert read.status == models.AssessmentStatusEnum.NOT_STARTED
    version = _module(api + "questionnaire_versions.questionnaire_versions_retrieve").sync(
        id=read.version, client=mine
    )
    questions = {q.code: q for section in version.sections for q in section.questions}
    plan = questions["forced-labour-plan"]
    assert isinstance(plan.show_if, models.ShowIfOutput)
    assert (plan.show_if.question, plan.show_if.values) == ("forced-labour-policy", ["no"])
    assert questions["forced-labour-policy"].show_if is None
    assert questions["ems"].type_ == models.QuestionTypeEnum.MULTIPLE_CHOICE

    # saves answers as JSON values: a code, text, a code, a number, a list of codes
    save = _module(api + "assessments.assessments_answers_update")
    answers = {
        "forced-labour-policy": "no",
        "forced-labour-plan": "Audit every line by March.",
        "working-hours": "never",
        "headcount": 120,
        "ems": ["iso14001", "eco-action-21"],
    }
    saved = {}
    for code, value in answers.items():
        saved[code] = save.sync(
            id=assessment.pk,
            question_code=code,
            client=mine,
            body=models.AnswerInputRequest(value=value),
        )
        assert saved[code].is_answered, (code, saved[code])
    assert saved["headcount"].value == "120"
    assert saved["ems"].value == ["iso14001", "eco-action-21"]
    submit = _module(api + "assessments.assessments_submit_create")
    assert submit.sync(id=assessment.pk, client=mine).status.value == AssessmentStatus.SUBMITTED

    # staff find it in the review queue, comment on an answer and return it
    queue = _module(api + "review_queue.review_queue_list").sync(
        client=staff, kind=models.ReviewQueueListKind.SUSTAINABILITY
    )
    assert [row.id for row in queue.results] == [assessment.pk]
    assert queue.results[0].status == models.AssessmentStatusEnum.SUBMITTED
    comment = _module(api + "answer_comments.answer_comments_create").sync(
        client=staff,
        body=models.AnswerCommentCreateInputRequest(
            answer=saved["headcount"].id, body="Is this all sites?"
        ),
    )
    assert comment.question == "headcount"
    returned = _module(api + "reviews.reviews_return_create").sync(
        id=assessment.pk, client=staff, body=models.NoteInputRequest(note="")
    )
    assert returned.status == models.AssessmentStatusEnum.RETURNED

    # the supplier corrects the answer, with the revision it read, and submits again
    corrected = save.sync(
        id=assessment.pk,
        question_code="headcount",
        client=mine,
        body=models.AnswerInputRequest(value="135", revision=saved["headcount"].revision),
    )
    assert corrected.value == "135"
    assert submit.sync(id=assessment.pk, client=mine).status.value == AssessmentStatus.SUBMITTED

    # staff accept it: the scores come back
    scores = _module(api + "reviews.reviews_accept_create").sync(
        id=assessment.pk, client=staff, body=models.NoteInputRequest(note="Thank you.")
    )
    assert scores.status == models.AssessmentStatusEnum.ACCEPTED and not scores.provisional

    # the weak answers ("no" policy, hours "never") raised improvement items, listed by both
    items_list = _module(api + "improvement_items.improvement_items_list")
    theirs = items_list.sync(client=mine, status=models.ImprovementItemsListStatus.OPEN)
    assert theirs.count == 2
    assert {item.status for item in theirs.results} == {models.ImprovementStatusEnum.OPEN}
    assert items_list.sync(client=staff).count == theirs.count
