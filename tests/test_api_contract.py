"""What the schema promises a generated client, and the limits newcomers meet (issue 11,
item 5).

A client generated from /api/schema/ failed to import in 16 of 63 modules and sent
multipart with each field twice, because every body was declared in three formats; ids
in paths were strings; status, kind and type fields plain strings; ``ordering`` any
string; ``page_size`` without its cap; an answer's value without a type. And one
anonymous limit of 60 an hour covered the docs, the schema and the token endpoint
together, so reading the docs locked a newcomer out of getting a token.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import SimpleRateThrottle

from tests.assessments.builders import build_assessment

ENUM_FIELDS = {
    "status",
    "kind",
    "type",
    "question_type",
    "questionnaire_kind",
    "from_status",
    "to_status",
    "region",
    "language",
    "preferred_language",
    "note_language",
    "written_in",
    "rating",
    "source",
}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _is_enum(prop: dict, schema: dict) -> bool:
    """An enum, by reference (possibly inside allOf/oneOf with a blank choice) or inline."""
    if "enum" in prop:
        return True
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return "enum" in schema["components"]["schemas"][name]
    parts = prop.get("allOf", []) + prop.get("oneOf", [])
    return bool(parts) and all(_is_enum(part, schema) for part in parts)


def test_request_bodies_are_json_only(schema):
    bodies = {
        f"{method.upper()} {path}": sorted(operation["requestBody"]["content"])
        for path, method, operation in _operations(schema)
        if "requestBody" in operation
    }
    assert len(bodies) > 30
    assert {key: types for key, types in bodies.items() if types != ["application/json"]} == {}


def test_ids_in_paths_are_integers(schema):
    ids = [
        (path, parameter["schema"])
        for path, _method, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] == "id"
    ]
    assert len(ids) > 30
    assert [(path, s) for path, s in ids if s.get("type") != "integer"] == []


def test_page_size_declares_its_bounds_and_ordering_its_columns(schema):
    sizes = [
        parameter["schema"]
        for _path, _method, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "page_size"
    ]
    assert len(sizes) > 10
    assert all(
        (s["minimum"], s["maximum"]) == (1, django_settings.API_MAX_PAGE_SIZE) for s in sizes
    )
    listing = schema["paths"]["/api/v1/suppliers/"]["get"]["parameters"]
    ordering = next(p for p in listing if p["name"] == "ordering")["schema"]
    columns = ("code", "legal_name", "country", "updated_at")
    assert set(ordering["enum"]) == {term for name in columns for term in (name, f"-{name}")}


def test_status_kind_and_type_fields_are_enums(schema):
    plain = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, prop in (component.get("properties") or {}).items()
        if field in ENUM_FIELDS and not _is_enum(prop, schema)
    ]
    # the one 409 shape carries the status of whatever object is in conflict (an
    # assessment's, an item's); the answer endpoint's 409 names its enum
    assert plain == ["ConflictOutput.status"]
    # and the filters of the lists too
    filters = [
        f"{path} {parameter['name']}"
        for path, _method, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
        and parameter["name"] in ENUM_FIELDS
        and "enum" not in parameter["schema"]
    ]
    assert filters == []


def test_an_answer_value_and_show_if_have_declared_types(schema):
    components = schema["components"]["schemas"]
    value = components["AnswerInputRequest"]["properties"]["value"]
    assert value["nullable"] and {part["type"] for part in value["anyOf"]} == {
        "string",
        "number",
        "array",
    }
    stored = components["AnswerOutput"]["properties"]["value"]
    assert {part["type"] for part in stored["anyOf"]} == {"string", "array"}
    show_if = components["QuestionOutput"]["properties"]["show_if"]
    assert show_if["nullable"] and show_if["allOf"] == [
        {"$ref": "#/components/schemas/ShowIfOutput"}
    ]


def test_tokens_are_documented_as_token_and_as_bearer(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["tokenAuth"]["name"] == "Authorization"
    security = schema["paths"]["/api/v1/suppliers/"]["get"]["security"]
    assert {"bearerAuth": []} in security and {"tokenAuth": []} in security


@pytest.mark.django_db
def test_forms_and_multipart_bodies_are_refused_with_415(api_client, buyer):
    api_client.force_authenticate(buyer)
    form = api_client.post(
        "/api/v1/suppliers/",
        "legal_name=Form&legal_name=Twice",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 415 and "detail" in form.json()
    multipart = api_client.post("/api/v1/suppliers/", {"legal_name": "x"}, format="multipart")
    assert multipart.status_code == 415


@pytest.mark.django_db
def test_an_answer_value_is_taken_as_the_json_value_sent(api_client, supplier, supplier_user):
    # given a supplier user's assessment with a multiple-choice question
    assessment = build_assessment(supplier=supplier)
    api_client.force_authenticate(supplier_user)
    url = f"/api/v1/assessments/{assessment.pk}/answers/ems/"
    # when the value is a JSON list, it is the answer
    saved = api_client.put(url, {"value": ["iso14001", "none"]})
    assert saved.status_code == 200, saved.json()
    assert saved.json()["value"] == ["iso14001", "none"]
    # and JSON text inside a string is a string, not read as JSON
    text = api_client.put(url, {"value": '["iso14001"]'})
    assert text.status_code == 400 and "value" in text.json()
    headcount = f"/api/v1/assessments/{assessment.pk}/answers/headcount/"
    number = api_client.put(headcount, {"value": 42})
    assert number.status_code == 200 and number.json()["value"] == "42"


def test_docs_schema_and_token_have_separate_limits_by_default():
    rates = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["api_docs"] == "300/hour"
    assert rates["api_schema"] == "300/hour"
    assert rates["api_token"] == "20/minute"
    assert rates["anon"] == "60/hour"


@pytest.mark.django_db
def test_reading_the_docs_does_not_use_up_getting_a_token(client, monkeypatch):
    # given low limits for anonymous clients, each its own
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"user": None, "anon": "1/minute", "api_docs": "2/minute", "api_schema": "3/minute"}
        | {"api_token": "2/minute"},
    )
    # when a newcomer reads the docs page until it is limited
    docs = [client.get("/api/docs/").status_code for _ in range(3)]
    # then the schema and the token endpoint still answer, each up to its own limit
    schema = [client.get("/api/schema/").status_code for _ in range(4)]
    body = {"email": "new@example.com", "password": "wrong"}
    tokens = [
        client.post("/api/v1/auth/token/", body, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert docs == [200, 200, 429]
    assert schema == [200, 200, 200, 429]
    assert tokens == [400, 400, 429]
