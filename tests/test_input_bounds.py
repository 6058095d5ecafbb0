"""What people type, bounded in one place (issue 8, items 6 and 8).

Each test sends what the independent probe sent: deeply nested JSON, a lone UTF-16
surrogate, control characters, a megabyte of note, the year 9999, a number for a text.
Each is answered 400 naming the field (never 500), and nothing is saved. The structural
tests prove "every text field": every serializer and form of the portal derives from the
hardened bases, and every text field the API documents has a maximum length.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json

import pytest
from django import forms as django_forms
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers as drf_serializers

from assessments.answering import services as answering
from assessments.authoring import services as authoring
from assessments.models import Answer, AnswerComment, Assessment, InformationSecurityLevel
from procurement_portal.core import forms as portal_forms
from procurement_portal.core import serializers as portal_serializers
from procurement_portal.core.parsers import MAX_JSON_DEPTH
from procurement_portal.core.text import DEFAULT_MAX_LENGTH, text_problem
from suppliers.models import CriticalDesignation, Supplier
from tests.assessments.builders import build_assessment
from tests.assessments.test_authoring import as_yaml, definition

pytestmark = pytest.mark.django_db

PROJECT_PACKAGES = (
    "procurement_portal.",
    "suppliers.",
    "assessments.",
    "reports.",
    "declarations.",
    "dissemination.",
    "visits.",
)
SURROGATE_JSON = '"bad \\ud800 text"'  # what a client sends: valid JSON, not valid text
ESCAPE = "\x1b[31mred\x1b[0m"
NOT_TEXT_FORMATS = {"date", "date-time", "decimal"}


@pytest.fixture
def staff(api_client, buyer):
    api_client.force_authenticate(buyer)
    return api_client


@pytest.fixture
def supplier_client(api_client, supplier_user):
    api_client.force_authenticate(supplier_user)
    return api_client


def post_raw(client, url: str, body: str, method: str = "post"):
    return getattr(client, method)(url, data=body.encode(), content_type="application/json")


def assert_json_400(response, field: str | None = None):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if field is not None:
        assert field in body, body
    return body


# --- 6: nesting ----------------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def test_deeply_nested_json_is_400_on_the_anonymous_token_endpoint(api_client):
    response = post_raw(api_client, "/api/v1/auth/token/", DEEP)
    body = assert_json_400(response, "detail")
    assert str(MAX_JSON_DEPTH) in body["detail"]


@pytest.mark.parametrize("url", ["/api/v1/suppliers/", "/api/v1/infosec-levels/"])
def test_deeply_nested_json_is_400_on_staff_endpoints(staff, url):
    assert_json_400(post_raw(staff, url, DEEP), "detail")
    assert_json_400(post_raw(staff, url, '{"a":' * 50_000 + "1" + "}" * 50_000), "detail")


def test_deeply_nested_json_is_400_on_an_answer(supplier_client, supplier):
    assessment = build_assessment(supplier=supplier)
    url = f"/api/v1/assessments/{assessment.pk}/answers/forced-labour-plan/"
    assert_json_400(post_raw(supplier_client, url, '{"value": ' + DEEP + "}", "put"), "detail")
    assert not Answer.objects.exists()


def test_nesting_up_to_the_bound_is_parsed(staff):
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    at_bound = post_raw(staff, "/api/v1/suppliers/", '{"categories": ' + nested[2:-2] + "}")
    # parsed, then refused by the serializer for the field, not by the parser
    assert "categories" in assert_json_400(at_bound)
    deeper = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    assert "detail" in assert_json_400(post_raw(staff, "/api/v1/suppliers/", deeper))


# --- 6: lone surrogates and control characters --------------------------------------------


def test_a_lone_surrogate_in_an_answer_value_is_400_naming_value(supplier_client, supplier):
    # the probe: DataError from PostgreSQL, 500
    assessment = build_assessment(supplier=supplier)
    url = f"/api/v1/assessments/{assessment.pk}/answers/forced-labour-plan/"
    response = post_raw(supplier_client, url, '{"value": ' + SURROGATE_JSON + "}", "put")
    body = assert_json_400(response, "value")
    assert "U+D800" in body["value"][0]
    assert not Answer.objects.exists()


def test_a_lone_surrogate_in_a_choice_field_is_400_naming_it(staff):
    # the probe: UnicodeEncodeError while rendering "is not a valid choice"
    body = '{"code": "S-1", "legal_name": "A", "country": "DE", "status": ' + SURROGATE_JSON + "}"
    assert_json_400(post_raw(staff, "/api/v1/suppliers/", body), "status")
    reasons = '{"supplier": 1, "fiscal_year": 2026, "reasons": [' + SURROGATE_JSON + "]}"
    error = assert_json_400(post_raw(staff, "/api/v1/critical-designations/", reasons), "reasons")
    assert error["reasons"] == {"0": [error["reasons"]["0"][0]]}
    assert not Supplier.objects.filter(code="S-1").exists()


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        (
            "/api/v1/suppliers/",
            {"code": "S-2", "country": "DE", "legal_name": ESCAPE},
            "legal_name",
        ),
        (
            "/api/v1/suppliers/",
            {"code": "S-2", "country": "DE", "legal_name": "A\x00B"},
            "legal_name",
        ),
        (
            "/api/v1/critical-designations/",
            {"fiscal_year": 2026, "reasons": ["rare_product"], "note": "a\x07b"},
            "note",
        ),
        (
            "/api/v1/infosec-levels/",
            {"fiscal_year": 2026, "level": 2, "reason": "because\x7f"},
            "reason",
        ),
    ],
    ids=["escape-in-name", "nul-in-name", "bell-in-note", "del-in-reason"],
)
def test_control_characters_are_400_naming_the_field(staff, supplier, url, payload, field):
    payload = {"supplier": supplier.pk, **payload}
    assert_json_400(staff.post(url, payload, format="json"), field)
    assert not CriticalDesignation.objects.exists()
    assert not InformationSecurityLevel.objects.exists()
    assert not Supplier.objects.filter(code="S-2").exists()


def test_form_encoded_api_bodies_are_checked_too(staff):
    response = staff.post(
        "/api/v1/suppliers/", {"code": "S-3", "country": "DE", "legal_name": "A\x1bB"}
    )
    assert_json_400(response, "legal_name")


def test_tab_and_line_breaks_are_text(supplier_client, supplier):
    assessment = build_assessment(supplier=supplier)
    url = f"/api/v1/assessments/{assessment.pk}/answers/forced-labour-plan/"
    response = supplier_client.put(url, {"value": "Step 1:\tplan\r\nStep 2"}, format="json")
    assert response.status_code == 200, response.content
    assert Answer.objects.get().value == "Step 1:\tplan\nStep 2"


def test_a_comment_with_control_characters_is_refused(buyer, supplier, supplier_user):
    assessment = build_assessment(supplier=supplier)
    answer = answering.answer_save(
        actor=supplier_user,
        assessment_id=assessment.pk,
        question_code="forced-labour-policy",
        value="yes",
    )
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    from assessments.review import services as review

    with pytest.raises(ValidationError) as caught:
        review.answer_comment_add(actor=buyer, answer_id=answer.pk, body="see \x1b[2J here")
    assert "body" in caught.value.message_dict
    assert not AnswerComment.objects.exists()


def test_an_answer_with_a_control_character_is_refused_by_the_service(supplier_user, supplier):
    # the one rule for answers, behind the page and the API alike
    assessment = build_assessment(supplier=supplier)
    with pytest.raises(ValidationError) as caught:
        answering.answer_save(
            actor=supplier_user,
            assessment_id=assessment.pk,
            question_code="forced-labour-plan",
            value="plan\x08",
        )
    assert "U+0008" in caught.value.message_dict["value"][0]


def test_a_control_character_in_questionnaire_yaml_is_reported_by_line():
    # the probe: yaml.reader.ReaderError, 500
    text = as_yaml(definition()).replace("\n", "\n\x01", 1)
    with pytest.raises(ValidationError) as caught:
        authoring.questionnaire_import(text=text, actor=None)
    assert caught.value.messages[0].startswith("line 2, column 1: ")
    assert "U+0001" in caught.value.messages[0]


def test_a_control_character_in_questionnaire_yaml_is_400_through_the_api(api_client, admin_user):
    # the probe's request: YAML with a raw control character posted to the API
    from tests.assessments.test_authoring import row_counts

    api_client.force_authenticate(admin_user)
    text = as_yaml(definition()).replace("\n", "\n\x01", 1)
    response = api_client.post("/api/v1/questionnaire-versions/", {"yaml": text}, format="json")
    assert "U+0001" in assert_json_400(response, "yaml")["yaml"][0]
    assert row_counts() == (0, 0, 0, 0, 0)


def test_a_control_character_in_an_uploaded_yaml_file_is_shown_not_a_500(admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from tests.assessments.test_authoring import IMPORT_URL, row_counts

    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    text = as_yaml(definition()).replace("\n", "\n\x01", 1)
    upload = SimpleUploadedFile("saq.yaml", text.encode(), "application/yaml")
    response = client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == 200
    assert "U+0001" in response.content.decode()
    assert row_counts() == (0, 0, 0, 0, 0)


def test_an_escaped_control_character_in_questionnaire_yaml_is_reported_by_path():
    data = definition()
    data["title"] = {"en": "Title\x1b", "ja": "題"}
    with pytest.raises(ValidationError) as caught:
        authoring.questionnaire_import(text=as_yaml(data), actor=None)
    assert any(m.startswith("title.en: ") for m in caught.value.messages), caught.value.messages


@pytest.mark.parametrize("odd", ["²", "١٢", "9" * 30])
def test_digits_that_int_refuses_are_no_500(api_client, buyer, supplier, supplier_user, odd):
    # "²".isdigit() is True and int("²") raises: every number read from a query string or
    # a form field goes through core.text.parse_digits
    from django.test import Client

    staff = Client(raise_request_exception=False)
    staff.force_login(buyer)
    supplier_client = Client(raise_request_exception=False)
    supplier_client.force_login(supplier_user)
    assessment = build_assessment(supplier=supplier)
    responses = [
        staff.get("/api/v1/declaration-signatures/", {"supplier": odd, "version": odd}),
        staff.get("/declarations/signatures/", {"version": odd}),
        supplier_client.post(
            f"/assessments/{assessment.pk}/answers/forced-labour-plan/",
            {"value": "plan", "revision": odd},
        ),
    ]
    failed = [(r.request["PATH_INFO"], r.status_code) for r in responses if r.status_code >= 500]
    assert failed == []


# --- 8: lengths, dates, types -----------------------------------------------------------------


def test_a_designation_note_of_a_megabyte_is_refused(staff, supplier):
    payload = {
        "supplier": supplier.pk,
        "fiscal_year": 2026,
        "reasons": ["rare_product"],
        "note": "x" * 1_000_000,
    }
    error = assert_json_400(staff.post("/api/v1/critical-designations/", payload, format="json"))
    assert "note" in error
    assert not CriticalDesignation.objects.exists()


def test_the_model_refuses_a_long_note_whatever_the_caller():
    designation = CriticalDesignation(fiscal_year=2026, rare_product=True, note="x" * 5000)
    with pytest.raises(ValidationError) as caught:
        designation.full_clean(exclude=["supplier"])
    assert "note" in caught.value.message_dict


def test_a_persons_name_follows_the_text_rule_in_the_admin_too(admin_user):
    # the admin's user form validates through the model: the same rule as the forms
    from procurement_portal.accounts.models import User

    person = User(email="p@acme.example", full_name="Mallory\x1b[2J", role="procurement")
    person.set_password("a long passphrase here")
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert list(caught.value.message_dict) == ["full_name"]


def test_year_9999_is_refused_as_a_transaction_start(staff, supplier):
    response = staff.patch(
        f"/api/v1/suppliers/{supplier.pk}/",
        {"transactions_started_on": "9999-12-31"},
        format="json",
    )
    assert "transactions_started_on" in assert_json_400(response)
    supplier.refresh_from_db()
    assert supplier.transactions_started_on != dt.date(9999, 12, 31)


def test_year_9999_is_refused_as_a_due_date(staff, supplier):
    from tests.assessments.builders import build_version

    version = build_version()
    payload = {
        "supplier": supplier.pk,
        "version": version.pk,
        "fiscal_year": 2026,
        "due_date": "9999-12-31",
    }
    response = staff.post("/api/v1/assessments/", payload, format="json")
    assert "due_date" in assert_json_400(response)
    assert not Assessment.objects.exists()


def test_a_number_is_no_reason(staff, supplier):
    # the probe: POST /api/v1/infosec-levels/ stored 12345 as the reason
    payload = {"supplier": supplier.pk, "fiscal_year": 2026, "level": 2, "reason": 12345}
    assert_json_400(staff.post("/api/v1/infosec-levels/", payload, format="json"), "reason")
    assert not InformationSecurityLevel.objects.exists()


# --- every text field: structure -----------------------------------------------------------


def _project_subclasses(base: type) -> list[type]:
    found, stack = [], [base]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith(PROJECT_PACKAGES) and not sub.__module__.startswith(
                "procurement_portal.core."
            ):
                found.append(sub)
    return found


def _import_every_module():
    from django.urls import get_resolver

    get_resolver().url_patterns
    import assessments.admin  # noqa: F401
    import declarations.admin  # noqa: F401
    import dissemination.admin  # noqa: F401
    import suppliers.admin  # noqa: F401


def test_every_serializer_of_the_portal_has_the_hardened_base():
    _import_every_module()
    classes = _project_subclasses(drf_serializers.BaseSerializer)
    assert len(classes) > 30
    missing = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, portal_serializers.HardenedFieldsMixin)
        and not issubclass(c, drf_serializers.ListSerializer)
        and not inspect.isabstract(c)
    ]
    assert missing == []


def test_every_form_of_the_portal_has_the_hardened_base():
    _import_every_module()
    classes = _project_subclasses(django_forms.BaseForm)
    assert len(classes) > 15
    missing = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, portal_forms.HardenedFormMixin)
    ]
    assert missing == []


def _request_bodies(schema: dict):
    """Every (operation, request body schema) of a write in the published schema."""
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            if body and "$ref" in body:
                yield f"{method.upper()} {path}", components[body["$ref"].split("/")[-1]]


def _text_properties(schema: dict, components: dict, prefix: str = ""):
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        if "$ref" in prop or "allOf" in prop or "enum" in prop:
            continue  # choices: checked by the parser, bounded by their values
        if prop.get("type") == "array":
            items = prop.get("items", {})
            if items.get("type") == "string" and "enum" not in items and "$ref" not in items:
                yield f"{prefix}{name}[]", items
        elif prop.get("type") == "string" and prop.get("format") not in NOT_TEXT_FORMATS:
            yield f"{prefix}{name}", prop


def test_every_text_field_of_every_api_write_has_a_maximum_length():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    unbounded, writes = [], 0
    for operation, body in _request_bodies(schema):
        writes += 1
        for name, prop in _text_properties(body, components):
            if "maxLength" not in prop:
                unbounded.append(f"{operation} {name}")
    assert writes > 10
    assert unbounded == []


def test_every_api_write_refuses_control_characters_in_every_text_field(api_client, admin_user):
    # given an administrator (who may write everywhere), for each write operation of the
    # schema, a body with every documented text field set to text with an escape sequence
    api_client.force_authenticate(admin_user)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    checked = 0
    for operation, body in _request_bodies(schema):
        method, path = operation.split(" ", 1)
        if "{" in path:
            continue  # the object must exist first; the create operations cover the fields
        for name, _prop in _text_properties(body, components):
            field = name.removesuffix("[]")
            value = [ESCAPE] if name.endswith("[]") else ESCAPE
            response = getattr(api_client, method.lower())(path, {field: value}, format="json")
            # then the answer is a 400 naming that field
            assert response.status_code == 400, (operation, name, response.content[:200])
            assert field in response.json(), (operation, name, response.json())
            checked += 1
    assert checked >= 5


def test_the_default_maximum_applies_to_undeclared_serializer_text():
    class Probe(portal_serializers.Serializer):
        text = drf_serializers.CharField()
        items = drf_serializers.ListField(child=drf_serializers.CharField())

    probe = Probe(data={"text": "x" * (DEFAULT_MAX_LENGTH + 1), "items": [7]})
    assert not probe.is_valid()
    assert set(probe.errors) == {"text", "items"}


def test_forms_refuse_control_characters_and_line_breaks_in_single_lines():
    from assessments.review.forms import CommentForm

    class Probe(portal_forms.Form):
        name = django_forms.CharField()
        when = django_forms.DateField()

    form = Probe(data={"name": "two\nlines", "when": "9999-12-31"})
    assert not form.is_valid()
    assert set(form.errors) == {"name", "when"}
    comment = CommentForm(data={"body": "a\r\nmulti-line\tcomment"})
    assert comment.is_valid(), comment.errors
    comment = CommentForm(data={"body": "bell\x07"})
    assert not comment.is_valid() and "U+0007" in comment.errors["body"][0]
    assert len(CommentForm(data={"body": "x" * 5000}).errors["body"]) == 1


def test_messages_never_repeat_the_bad_character():
    for bad in ["\ud800", "\x00", "\x1b", "\x85"]:
        message = text_problem(f"ab{bad}cd")
        assert message is not None and bad not in message
        json.dumps(message).encode("utf-8")  # encodable as an answer
