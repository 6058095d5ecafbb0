"""Every route of the URL conf, walked as each kind of user with the ids of objects that
belong to somebody else. New routes are covered the day they are added: nothing here
lists them by hand, only the few that are public on purpose.

Another supplier's objects all get the same, otherwise unused primary key, so whatever
model a route's id refers to, the id points at the other supplier's row.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from assessments.models import (
    Answer,
    AnswerComment,
    Assessment,
    Evidence,
    ImprovementItem,
    InformationSecurityLevel,
    Question,
)
from procurement_portal.accounts.models import Invitation, Role, SupplierMembership, User
from suppliers.imports.models import ImportJob
from suppliers.models import Contact, CriticalDesignation, Site, Supplier, SupplierSpend

pytestmark = pytest.mark.django_db

OTHER_ID = 987654
SECRET_MARKERS = ("OTHER-002", "Other Components", "otto@other.example", "hidden-site-name")
METHODS = ("get", "post", "put", "patch", "delete")
STRING_VALUES = {
    "format": "json",
    "kind": "suppliers",
    "app_label": "suppliers",
    "token": "not-a-token",
    "uidb64": "MQ",
    "url": "x",
    "section_code": "people",
    "question_code": "forced-labour-policy",
}
# Pages anyone may open, and posts anyone may make (log in, ask for a reset...). The API
# schema and its docs describe the API, not its data, so they are public on purpose, as is
# the check of a declaration certificate (it answers only for a hash the visitor holds).
PUBLIC = re.compile(
    r"^/(healthz|favicon\.ico|i18n/|accounts/(login|logout|password-reset|reset|invitation)"
    r"|admin/login|admin/logout|api/v1/auth/token/|api/schema/|api/docs/"
    r"|declarations/verify/)"
)
# What a read-only or unrelated user may post without changing any record (their own
# notice preferences are theirs to set).
HARMLESS_POSTS = re.compile(
    r"^/(i18n/|accounts/(login|logout|2fa|password-reset)|admin/logout|api/v1/auth/token/"
    r"|notifications/preferences/)"
)


def _routes() -> list[str]:
    urls: list[str] = []

    def fill(pattern: str) -> str:
        def value(name: str) -> str:
            return STRING_VALUES.get(name, str(OTHER_ID))

        pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), pattern)
        pattern = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), pattern)
        return "/" + pattern.replace("^", "").replace("$", "").replace("\\.", ".").replace(
            "/?", "/"
        )

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                urls.append(fill(prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "")
    return sorted(set(urls))


ROUTES = _routes()


@pytest.fixture
def others_world(buyer):
    """Another supplier with one of everything, all at OTHER_ID."""
    other = Supplier.objects.create(
        pk=OTHER_ID, code="OTHER-002", legal_name="Other Components Pte. Ltd.", country="SG"
    )
    Site.objects.create(pk=OTHER_ID, supplier=other, name="hidden-site-name", country="SG")
    Contact.objects.create(pk=OTHER_ID, supplier=other, name="Otto", email="otto@other.example")
    SupplierSpend.objects.create(pk=OTHER_ID, supplier=other, fiscal_year=2020, amount=5)
    CriticalDesignation.objects.create(
        pk=OTHER_ID, supplier=other, fiscal_year=2020, rare_product=True
    )
    user = User(pk=OTHER_ID, email="otto@other.example", role=Role.SUPPLIER)
    user.set_password("x" * 16)
    user.save()
    SupplierMembership.objects.create(user_id=OTHER_ID, supplier=other, is_supplier_admin=True)
    Invitation.objects.create(
        pk=OTHER_ID,
        supplier=other,
        email="new@other.example",
        token_hash="0" * 64,
        expires_at="2099-01-01T00:00Z",
        invited_by=buyer,
    )
    ImportJob.objects.create(pk=OTHER_ID, kind="suppliers", original_name="x.csv", created_by=buyer)
    _others_document(other)
    _others_assessment(other)
    for module in _world_modules():
        module.build(other=other, buyer=buyer)
    return other


def _world_modules() -> list:
    """Each app's own share of the other supplier's world: ``tests/<app>/route_world.py``
    with ``build(other=, buyer=)`` (objects at OTHER_ID) and ``snapshot()`` (the rows a
    refused request must leave unchanged). New apps add a module; this file stays."""
    import importlib
    from pathlib import Path

    found = sorted(Path(__file__).resolve().parent.glob("*/route_world.py"))
    return [importlib.import_module(f"tests.{path.parent.name}.route_world") for path in found]


def _others_document(other) -> None:
    """The other supplier's profile PDF, ready in the documents storage, at OTHER_ID."""
    from django.contrib.contenttypes.models import ContentType

    from procurement_portal.documents.models import Document

    Document.objects.create(
        pk=OTHER_ID,
        key="supplier-profile:other",
        kind="supplier-profile",
        content_type=ContentType.objects.get_for_model(Supplier),
        object_id=other.pk,
        language="en",
        content_hash="0" * 64,
        filename="hidden-site-name.pdf",
        html="<p>hidden-site-name</p>",
        base_url="http://testserver/",
    )


def _others_assessment(other) -> None:
    """A submitted self-assessment of the other supplier, with an answer, a file, a
    comment, an improvement item and an information-security level, all at OTHER_ID.
    The questionnaire is shared by everyone, so it keeps ordinary ids."""
    from django.core.files.base import ContentFile

    from tests.assessments.builders import build_assessment

    assessment = build_assessment(supplier=other, status="submitted", pk=OTHER_ID)
    question = Question.objects.get(version=assessment.version, code="forced-labour-policy")
    answer = Answer.objects.create(
        pk=OTHER_ID, assessment=assessment, question=question, value="no"
    )
    file_answer = Answer.objects.create(
        assessment=assessment,
        question=Question.objects.get(version=assessment.version, code="certificate"),
        value="file",
    )
    evidence = Evidence(
        pk=OTHER_ID,
        answer=file_answer,
        original_name="hidden-site-name.pdf",
        content_type="application/pdf",
        size=8,
    )
    evidence.file.save("others-evidence", ContentFile(b"%PDF-1.4"), save=False)
    evidence.save()
    AnswerComment.objects.create(pk=OTHER_ID, answer=answer, body="Other Components: why?")
    ImprovementItem.objects.create(
        pk=OTHER_ID,
        supplier=other,
        risk=question.risk,
        assessment=assessment,
        answer=answer,
        description="Other Components has no policy",
        required_action="Adopt one",
        due_date="2027-01-31",
    )
    InformationSecurityLevel.objects.create(
        pk=OTHER_ID, supplier=other, fiscal_year=2026, level=2, computed_level=2
    )


def _snapshot() -> tuple:
    return (
        list(Supplier.objects.filter(pk=OTHER_ID).values()),
        list(Site.objects.filter(pk=OTHER_ID).values()),
        list(Contact.objects.filter(pk=OTHER_ID).values()),
        list(SupplierSpend.objects.filter(pk=OTHER_ID).values()),
        list(CriticalDesignation.objects.filter(pk=OTHER_ID).values("pk", "note")),
        list(User.objects.filter(pk=OTHER_ID).values("is_active", "email")),
        list(Invitation.objects.filter(pk=OTHER_ID).values("revoked_at")),
        list(Assessment.objects.filter(pk=OTHER_ID).values("status", "due_date")),
        list(Answer.objects.filter(assessment_id=OTHER_ID).values("pk", "value", "revision")),
        list(Evidence.objects.filter(pk=OTHER_ID).values("pk", "file")),
        list(AnswerComment.objects.filter(answer__assessment_id=OTHER_ID).values("pk", "body")),
        list(ImprovementItem.objects.filter(pk=OTHER_ID).values("status", "action_plan")),
        list(InformationSecurityLevel.objects.filter(pk=OTHER_ID).values("level", "overridden")),
        tuple(module.snapshot() for module in _world_modules()),
    )


def _denied(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code == 302:
        return "/login/" in response["Location"] or "/2fa/" in response["Location"]
    return False


def test_the_walk_covers_every_kind_of_route():
    assert len(ROUTES) > 100
    for expected in (
        "/suppliers/987654/",
        "/api/v1/contacts/987654/erase/",
        "/reports/suppliers/987654/profile.pdf",
        "/documents/987654/",
        "/accounts/suppliers/987654/people/",
        "/assessments/987654/sections/people/",
        "/assessments/987654/answers/forced-labour-policy/",
        "/assessments/review/987654/accept/",
        "/assessments/review/items/987654/action-plan/",
        "/api/v1/assessments/987654/submit/",
        "/api/v1/reviews/987654/accept/",
    ):
        assert expected in ROUTES


def test_supplier_user_reaches_nothing_of_another_supplier(others_world, supplier_user):
    client = Client(raise_request_exception=False)
    client.force_login(supplier_user)
    before = _snapshot()
    problems = []
    for url in ROUTES:
        for method in METHODS:
            response = getattr(client, method)(url)
            body = response.content.decode(errors="replace") if not response.streaming else ""
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {url}: {response.status_code}")
            elif str(OTHER_ID) in url and not _denied(response) and not PUBLIC.match(url):
                problems.append(f"{method.upper()} {url}: {response.status_code}, not denied")
            elif method == "get" and any(m in body for m in SECRET_MARKERS):
                problems.append(f"GET {url}: shows another supplier's data")
        client.force_login(supplier_user)  # a logout route may have ended the session
    assert not problems, "\n".join(problems)
    assert _snapshot() == before


@pytest.mark.parametrize("role_fixture", ["csco", "infosec_assessor", "compliance_officer"])
def test_read_only_roles_change_nothing_anywhere(request, others_world, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    before = _snapshot()
    problems = []
    for url in ROUTES:
        if HARMLESS_POSTS.match(url) or PUBLIC.match(url):
            continue
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url)
            # 400: the write's input was refused; 415: the API takes JSON only
            refused = _denied(response) or response.status_code in (400, 415)
            if response.status_code >= 500 or not refused:
                problems.append(f"{method.upper()} {url}: {response.status_code}")
        client.force_login(user)
    # Compliance officers handle erasure requests: that one write is theirs.
    if role_fixture == "compliance_officer":
        problems = [p for p in problems if "/erase" not in p]
    assert not problems, "\n".join(problems)
    if role_fixture != "compliance_officer":
        assert _snapshot() == before


def test_anonymous_visitor_reaches_only_public_pages(others_world):
    client = Client(raise_request_exception=False)
    problems = []
    for url in ROUTES:
        if PUBLIC.match(url):
            continue
        for method in METHODS:
            response = getattr(client, method)(url)
            if response.status_code >= 500 or not _denied(response):
                problems.append(f"{method.upper()} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)


# Company-side records that belong to no supplier: a supplier user is refused the whole
# kind (403 on the list as on any id), so a 403 there tells nothing about one record.
STAFF_ONLY_KINDS = re.compile(r"^/(assessments/campaigns/|suppliers/import/jobs/|visits/letters/)")


def test_scope_first_then_the_action(others_world, supplier_user):
    """Another supplier's object is 404 on every route and method, writes included
    (review pages, item follow-up, staff write endpoints): the lookup runs before the
    role check, so a 403 would be an answer about something the user may not see."""
    client = Client(raise_request_exception=False)
    client.force_login(supplier_user)
    problems = []
    for url in ROUTES:
        if str(OTHER_ID) not in url or PUBLIC.match(url) or STAFF_ONLY_KINDS.match(url):
            continue
        for method in METHODS:
            response = getattr(client, method)(url)
            if response.status_code == 403:
                problems.append(f"{method.upper()} {url}: 403 before 404")
        client.force_login(supplier_user)
    assert not problems, "\n".join(problems)


# --- a viewset written without any scoping code is still scoped -----------------------------
#
# The API base (procurement_portal.core.viewsets, access policy in core.api.ScopedAPIMixin)
# narrows whatever a viewset's queryset is to the rows the user may see before any handler
# runs. These two are written as a newcomer would, naming a model and nothing else; they
# are served by this module's own URL conf for the tests below.


def _plain_viewsets():
    from rest_framework import mixins, serializers

    from procurement_portal.core.viewsets import ScopedGenericViewSet, ScopedModelViewSet

    class SiteOut(serializers.ModelSerializer):
        class Meta:
            model = Site
            fields = ["id", "name", "supplier"]

    class PlainSiteViewSet(ScopedModelViewSet):
        queryset = Site.objects.all()
        serializer_class = SiteOut
        write_action = "manage_suppliers"

    class OwnQuerySiteViewSet(
        mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet
    ):
        model = Site
        serializer_class = SiteOut

        def get_queryset(self):
            return Site.objects.order_by("name")  # no visible_to here: the base adds it

    return PlainSiteViewSet, OwnQuerySiteViewSet


def _temporary_urls():
    from django.urls import include, path
    from rest_framework.routers import SimpleRouter

    plain, own = _plain_viewsets()
    router = SimpleRouter()
    router.register("plain-sites", plain, basename="plain-site")
    router.register("own-query-sites", own, basename="own-query-site")
    return [path("api/v1/", include(router.urls))]


urlpatterns = _temporary_urls()


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("prefix", ["plain-sites", "own-query-sites"])
def test_a_viewset_without_scoping_code_is_still_scoped(
    others_world, supplier, supplier_user, buyer, prefix
):
    from rest_framework.test import APIClient

    mine = Site.objects.create(supplier=supplier, name="my-own-site", country="JP")
    client = APIClient()
    client.force_authenticate(supplier_user)
    listed = client.get(f"/api/v1/{prefix}/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/{prefix}/{OTHER_ID}/").status_code == 404
    assert client.get(f"/api/v1/{prefix}/{mine.pk}/").status_code == 200
    if prefix == "plain-sites":
        # Another supplier's object: 404 for every write (scope first); their own: 403.
        before = _snapshot()
        for method in ("put", "patch", "delete"):
            assert getattr(client, method)(f"/api/v1/{prefix}/{OTHER_ID}/").status_code == 404
            assert getattr(client, method)(f"/api/v1/{prefix}/{mine.pk}/").status_code == 403
        assert _snapshot() == before
    staff = APIClient()
    staff.force_authenticate(buyer)
    rows = staff.get(f"/api/v1/{prefix}/").json()["results"]
    assert {row["id"] for row in rows} == {mine.pk, OTHER_ID}
