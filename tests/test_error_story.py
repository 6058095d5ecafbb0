"""One error story (issue 11, item 2): domain errors are defined once on the ground floor
(``procurement_portal.core.errors``) and mapped once to API answers (one 409 shape, in
the exception handler) and once to form errors (``apply_validation_error``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator

from assessments.workflow import TransitionConflict
from procurement_portal.core.errors import Conflict
from procurement_portal.core.forms import apply_validation_error
from tests.assessments.builders import build_assessment
from tests.assessments.test_answering_api import answer_all_required, answer_url
from tests.assessments.test_review_services import submitted

ROOT = Path(__file__).resolve().parent.parent
CONFLICT_KEYS = {"detail", "code", "status", "current"}


@pytest.fixture
def as_user(api_client):
    def _as(user):
        api_client.force_authenticate(user)
        return api_client

    return _as


@pytest.mark.django_db
def test_review_conflicts_have_the_one_shape(as_user, buyer, supplier):
    # review: a second return
    under_review = submitted(supplier)
    client = as_user(buyer)
    client.post(f"/api/v1/reviews/{under_review.pk}/return/", {"note": "Which sites?"})
    again = client.post(f"/api/v1/reviews/{under_review.pk}/return/", {"note": "Again"})
    assert again.status_code == 409
    assert set(again.json()) == CONFLICT_KEYS
    assert again.json()["code"] == "state" and again.json()["status"] == "returned"
    assert again.json()["current"] is None


@pytest.mark.django_db
def test_answering_conflicts_have_the_one_shape(as_user, supplier, supplier_user):
    # a stale revision carries the current answer, as the endpoint shows it
    assessment = build_assessment(supplier=supplier)
    client = as_user(supplier_user)
    url = answer_url(assessment, "headcount")
    client.put(url, {"value": "1", "revision": 0}, format="json")
    client.put(url, {"value": "2", "revision": 1}, format="json")
    stale = client.put(url, {"value": "3", "revision": 1}, format="json")
    assert stale.status_code == 409
    assert set(stale.json()) == CONFLICT_KEYS
    assert stale.json()["code"] == "stale"
    assert stale.json()["current"]["value"] == "2"

    # a second submit
    answer_all_required(supplier_user, assessment)
    assert client.post(f"/api/v1/assessments/{assessment.pk}/submit/").status_code == 200
    twice = client.post(f"/api/v1/assessments/{assessment.pk}/submit/")
    assert twice.status_code == 409
    assert set(twice.json()) == CONFLICT_KEYS
    assert twice.json()["code"] == "state" and twice.json()["status"] == "submitted"


def test_the_apps_conflicts_are_the_ground_floors():
    assert issubclass(TransitionConflict, Conflict)
    from assessments.answering.services import StaleAnswer

    assert issubclass(StaleAnswer, Conflict)


def test_the_schema_documents_the_one_409_shape():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answer = operation.get("responses", {}).get("409")
            if answer:
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                documented[(method, path)] = ref.rsplit("/", 1)[-1]
    assert ("post", "/api/v1/reviews/{id}/return/") in documented
    assert ("post", "/api/v1/assessments/{id}/submit/") in documented
    components = schema["components"]["schemas"]
    for name in set(documented.values()):
        assert set(components[name]["properties"]) == CONFLICT_KEYS, name


class _Form(forms.Form):
    email = forms.CharField()


def test_a_service_error_lands_on_the_forms_field_or_on_top():
    form = _Form(data={"email": "x"})
    assert form.is_valid()
    apply_validation_error(
        form, ValidationError({"email": ["Taken."], "supplier": ["Gone."], "__all__": ["No."]})
    )
    assert form.errors["email"] == ["Taken."]
    assert form.non_field_errors() == ["Gone.", "No."]

    plain = _Form(data={"email": "x"})
    assert plain.is_valid()
    apply_validation_error(plain, ValidationError("Not now."))  # no field: on top, no 500
    assert plain.non_field_errors() == ["Not now."]

    mapped = _Form(data={"email": "x"})
    assert mapped.is_valid()
    apply_validation_error(
        mapped, ValidationError({"address": ["Bad."]}), field_map={"address": "email"}
    )
    assert mapped.errors["email"] == ["Bad."]


def _copies_errors_to_a_form(tree: ast.AST) -> list[int]:
    """Lines of loops over ``<error>.message_dict`` (or ``error_dict``) that call
    ``add_error``: the copy of "ValidationError to form errors" the helper replaced.
    (Reading ``message_dict`` for another purpose, a JSON answer say, is not a copy.)"""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.For):
            continue
        source = ast.dump(node.iter)
        if "message_dict" not in source and "error_dict" not in source:
            continue
        if any(
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "add_error"
            for call in ast.walk(node)
        ):
            lines.append(node.lineno)
    return lines


def test_views_convert_errors_through_the_one_helper():
    """No view or form copies "ValidationError to form errors" again."""
    copies = []
    for path in [*ROOT.glob("*/**/views*.py"), *ROOT.glob("*/**/forms.py")]:
        if {".venv", "node_modules"} & set(path.parts) or path.match("core/forms.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        copies += [f"{path.relative_to(ROOT)}:{line}" for line in _copies_errors_to_a_form(tree)]
    assert not copies


def test_the_copy_detector_finds_a_copy():
    copy = ast.parse(
        "for field, errors in exc.message_dict.items():\n    form.add_error(field, errors)\n"
    )
    json_answer = ast.parse("for field, errors in exc.message_dict.items():\n    out.append(1)\n")
    assert _copies_errors_to_a_form(copy) == [1]
    assert _copies_errors_to_a_form(json_answer) == []


def test_no_app_takes_api_plumbing_from_the_registry():
    """Shared API plumbing (schema, error shapes, visible-id fields) lives on the ground
    floor; apps other than suppliers never import suppliers.api."""
    offences = []
    for app in ("assessments", "declarations", "dissemination", "visits", "reports"):
        for path in (ROOT / app).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "suppliers.api"
                ):
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offences
