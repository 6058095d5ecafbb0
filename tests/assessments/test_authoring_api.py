"""The questionnaire API: who reads what, import and publish for managers only, errors by
path, and query counts that do not grow with the number of questions."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.authoring import services
from assessments.models import QuestionnaireVersion, VersionStatus
from tests.assessments.test_authoring import as_yaml, definition, q, row_counts

pytestmark = pytest.mark.django_db

QUESTIONNAIRES = "/api/v1/questionnaires/"
VERSIONS = "/api/v1/questionnaire-versions/"


@pytest.fixture
def versions():
    """``mini-saq`` v1 published and v2 a draft; ``draft-only`` with nothing published."""
    v1 = services.questionnaire_import(text=as_yaml(definition()), actor=None).version
    data = definition()
    q(data, 0, 0)["weight"] = 3
    v2 = services.questionnaire_import(text=as_yaml(data), actor=None, publish=False).version
    other = definition()
    other["code"] = "draft-only"
    hidden = services.questionnaire_import(text=as_yaml(other), actor=None, publish=False).version
    return {"published": v1, "draft": v2, "draft_only": hidden}


def as_user(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- reading --------------------------------------------------------------------------


def test_anonymous_reads_nothing(api_client, versions):
    for url in (
        QUESTIONNAIRES,
        VERSIONS,
        f"{VERSIONS}{versions['published'].pk}/",
        f"{VERSIONS}{versions['published'].pk}/export/",
    ):
        assert api_client.get(url).status_code in (401, 403), url
    response = api_client.post(VERSIONS, {"yaml": as_yaml(definition())}, format="json")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("role_fixture", ["supplier_user", "other_supplier_user"])
def test_supplier_users_read_published_versions_only(request, api_client, versions, role_fixture):
    client = as_user(api_client, request.getfixturevalue(role_fixture))
    published, draft = versions["published"], versions["draft"]

    listed = client.get(VERSIONS)
    assert listed.status_code == 200
    assert ids(listed) == {published.pk}
    assert client.get(f"{VERSIONS}{published.pk}/").status_code == 200
    assert client.get(f"{VERSIONS}{draft.pk}/").status_code == 404
    assert client.get(f"{VERSIONS}{draft.pk}/export/").status_code == 404
    assert client.get(f"{VERSIONS}?status=draft").json()["results"] == []

    questionnaires = client.get(QUESTIONNAIRES).json()["results"]
    assert [(row["code"], row["published_version_id"]) for row in questionnaires] == [
        ("mini-saq", published.pk)
    ]
    hidden = versions["draft_only"].questionnaire
    assert client.get(f"{QUESTIONNAIRES}{hidden.pk}/").status_code == 404


@pytest.mark.parametrize("role_fixture", ["buyer", "csco", "infosec_assessor", "admin_user"])
def test_staff_read_every_version(request, api_client, versions, role_fixture):
    client = as_user(api_client, request.getfixturevalue(role_fixture))
    assert ids(client.get(VERSIONS)) == {v.pk for v in versions.values()}
    assert client.get(f"{VERSIONS}{versions['draft'].pk}/").status_code == 200
    codes = [row["code"] for row in client.get(QUESTIONNAIRES).json()["results"]]
    assert codes == ["draft-only", "mini-saq"]


def test_versions_filter_by_questionnaire_status_and_kind(api_client, buyer, versions):
    client = as_user(api_client, buyer)
    assert ids(client.get(f"{VERSIONS}?questionnaire=mini-saq")) == {
        versions["published"].pk,
        versions["draft"].pk,
    }
    assert ids(client.get(f"{VERSIONS}?questionnaire=mini-saq&status=draft")) == {
        versions["draft"].pk
    }
    assert ids(client.get(f"{VERSIONS}?kind=information_security")) == set()
    assert client.get(f"{VERSIONS}?status=bogus").status_code == 400


def test_a_version_comes_whole_with_sections_questions_and_choices(api_client, supplier_user):
    version = services.questionnaire_import(text=as_yaml(definition()), actor=None).version
    body = as_user(api_client, supplier_user).get(f"{VERSIONS}{version.pk}/").json()

    assert body["questionnaire"] == "mini-saq" and body["kind"] == "sustainability"
    assert (body["number"], body["status"]) == (1, "published")
    assert body["question_count"] == 7
    assert [s["code"] for s in body["sections"]] == ["people", "planet"]
    policy, plan, hours, headcount = body["sections"][0]["questions"]
    assert policy["risk"] == "human_rights" and policy["type"] == "yes_no"
    assert policy["text_ja"] == "方針はありますか。" and policy["weight"] == "2.00"
    assert [(c["code"], c["score"]) for c in policy["choices"]] == [("yes", 100), ("no", 0)]
    assert plan["show_if"] == {"question": "policy", "values": ["no"]}
    assert policy["show_if"] is None
    assert hours["not_applicable"] is True
    assert headcount["unit_ja"] == "人" and headcount["max_value"] == "1000000.0000"


def test_the_listed_version_names_its_questionnaire(api_client, buyer, versions):
    rows = as_user(api_client, buyer).get(f"{VERSIONS}?questionnaire=mini-saq").json()["results"]
    assert [(r["questionnaire"], r["number"], r["status"]) for r in rows] == [
        ("mini-saq", 2, "draft"),
        ("mini-saq", 1, "published"),
    ]


def test_export_returns_yaml_that_imports_back(api_client, buyer, versions):
    version = versions["published"]
    body = as_user(api_client, buyer).get(f"{VERSIONS}{version.pk}/export/").json()
    assert body["filename"] == "mini-saq-v1.yaml"
    assert "ja: ミニ調査票" in body["yaml"]


# --- writing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role_fixture", ["supplier_user", "buyer", "csco", "infosec_assessor", "compliance_officer"]
)
def test_only_managers_import_or_publish(request, api_client, versions, role_fixture):
    client = as_user(api_client, request.getfixturevalue(role_fixture))
    before = row_counts()
    other = definition()
    other["code"] = "new-one"
    response = client.post(VERSIONS, {"yaml": as_yaml(other)}, format="json")
    assert response.status_code == 403
    publish = client.post(f"{VERSIONS}{versions['draft'].pk}/publish/")
    # A draft is not shown to supplier users at all: 404 before the role's 403.
    assert publish.status_code == (404 if role_fixture == "supplier_user" else 403)
    assert row_counts() == before
    assert QuestionnaireVersion.objects.get(pk=versions["draft"].pk).status == VersionStatus.DRAFT


def test_admin_imports_through_the_api(api_client, admin_user):
    client = as_user(api_client, admin_user)
    text = as_yaml(definition())

    created = client.post(VERSIONS, {"yaml": text}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["created"] is True
    assert body["version"]["status"] == "published" and body["version"]["question_count"] == 7

    again = client.post(VERSIONS, {"yaml": text}, format="json")
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["version"]["id"] == body["version"]["id"]


def test_api_import_reports_every_problem_by_path(api_client, admin_user):
    data = copy.deepcopy(definition())
    q(data, 0, 2)["choices"][1]["score"] = 101
    q(data, 0, 3)["min"] = 5
    q(data, 0, 3)["max"] = 1

    response = as_user(api_client, admin_user).post(
        VERSIONS, {"yaml": as_yaml(data)}, format="json"
    )

    assert response.status_code == 400
    problems = response.json()["yaml"]
    assert [p.split(":")[0] for p in problems] == [
        "sections[0].questions[2].choices[1].score",
        "sections[0].questions[3].min",
    ]
    assert row_counts() == (0, 0, 0, 0, 0)


def test_api_import_refuses_broken_yaml_and_a_missing_body(api_client, admin_user):
    client = as_user(api_client, admin_user)
    broken = client.post(VERSIONS, {"yaml": "code: [\n"}, format="json")
    assert broken.status_code == 400
    assert broken.json()["yaml"][0].startswith("line 2, column 1: ")
    assert client.post(VERSIONS, {}, format="json").status_code == 400


def test_admin_publishes_a_draft_once(api_client, admin_user, versions):
    client = as_user(api_client, admin_user)
    draft, published = versions["draft"], versions["published"]

    response = client.post(f"{VERSIONS}{draft.pk}/publish/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    published.refresh_from_db()
    assert published.status == VersionStatus.RETIRED

    again = client.post(f"{VERSIONS}{draft.pk}/publish/")
    assert again.status_code == 400
    assert "frozen" in again.json()["non_field_errors"][0]
    assert client.post(f"{VERSIONS}987654/publish/").status_code == 404


# --- query counts ---------------------------------------------------------------------


def big_definition(questions: int) -> dict:
    data = definition()
    extra = [
        {
            "code": f"extra-{n}",
            "risk": "environment",
            "type": "single_choice",
            "text": {"en": f"Question {n}?", "ja": f"質問{n}"},
            "show_if": {"question": "policy", "in": ["yes"]},
            "choices": [
                {"code": "good", "label": {"en": "Good", "ja": "良い"}, "score": 100},
                {"code": "fair", "label": {"en": "Fair", "ja": "普通"}, "score": 50},
                {"code": "poor", "label": {"en": "Poor", "ja": "悪い"}, "score": 0},
            ],
        }
        for n in range(questions)
    ]
    data["sections"].append(
        {"code": "more", "title": {"en": "More", "ja": "追加"}, "questions": extra}
    )
    return data


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_retrieving_a_version_takes_the_same_queries_for_many_questions(
    api_client, supplier_user, django_assert_max_num_queries
):
    small = services.questionnaire_import(text=as_yaml(definition()), actor=None).version
    big_data = big_definition(120)
    big_data["code"] = "big-saq"
    big = services.questionnaire_import(text=as_yaml(big_data), actor=None).version
    assert big.questions.count() == 127
    client = as_user(api_client, supplier_user)

    few = queries_for(client, f"{VERSIONS}{small.pk}/")
    many = queries_for(client, f"{VERSIONS}{big.pk}/")

    assert many == few
    with django_assert_max_num_queries(6):
        client.get(f"{VERSIONS}{big.pk}/")


def test_listing_versions_takes_the_same_queries_for_many_versions(api_client, buyer):
    services.questionnaire_import(text=as_yaml(definition()), actor=None)
    client = as_user(api_client, buyer)
    one = queries_for(client, VERSIONS)
    for n in range(5):
        data = definition()
        data["code"] = f"saq-{n}"
        services.questionnaire_import(text=as_yaml(data), actor=None)
    assert queries_for(client, VERSIONS) == one
    assert queries_for(client, QUESTIONNAIRES) <= one
