"""The log as an operator reads it: one line per refused request, without a traceback, at
the right level; one line per log-in attempt from django-axes.

The settings' LOGGING is applied the way Django applies it (its defaults first, then ours),
with the console handlers writing to a buffer the test reads."""

from __future__ import annotations

import copy
import io
import logging.config

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import include, path
from django.utils.log import DEFAULT_LOGGING


def _forbidden(request):
    raise PermissionDenied("not yours")


def _missing(request):
    raise Http404("no such supplier")


urlpatterns = [
    path("forbidden/", _forbidden),
    path("missing/", _missing),
    path("ok/", lambda request: HttpResponse("ok")),
    path("", include("procurement_portal.urls")),  # the error pages link to the portal's
]


@pytest.fixture
def log_lines():
    """The lines the portal's console handler writes, read as a list."""
    buffer = io.StringIO()
    plain = {"format": "%(levelname)s %(name)s %(message)s"}
    # Django's own defaults too (their "django" console handler is what wrote every record
    # a second time with DEBUG on), so whatever reaches any console reaches the buffer.
    defaults = copy.deepcopy(DEFAULT_LOGGING)
    config = copy.deepcopy(django_settings.LOGGING)
    for conf in (defaults, config):
        conf["handlers"]["console"].update(stream=buffer, formatter="plain")
        conf.setdefault("formatters", {})["plain"] = plain
    logging.config.dictConfig(defaults)
    logging.config.dictConfig(config)
    try:
        yield lambda: buffer.getvalue().splitlines()
    finally:
        logging.config.dictConfig(DEFAULT_LOGGING)
        logging.config.dictConfig(django_settings.LOGGING)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
@pytest.mark.parametrize(
    ("url", "status", "line"),
    [
        ("/forbidden/", 403, "WARNING django.request Forbidden (Permission denied): /forbidden/"),
        ("/missing/", 404, "INFO django.request Not Found: /missing/"),
        ("/no-such-route/", 404, "INFO django.request Not Found: /no-such-route/"),
    ],
)
def test_a_refused_request_is_one_line_without_a_traceback(
    client, settings, log_lines, debug, url, status, line
):
    # Given the portal in debug mode or production mode
    settings.DEBUG = debug
    # When a request is refused
    response = client.get(url)
    # Then the log has exactly one line for it, at its level, and no traceback
    assert response.status_code == status
    assert log_lines() == [line]


@pytest.mark.urls(__name__)
def test_log_level_setting_still_hides_404s(client, log_lines):
    logging.getLogger().handlers[0].setLevel(logging.WARNING)

    client.get("/missing/")
    client.get("/forbidden/")

    assert log_lines() == ["WARNING django.request Forbidden (Permission denied): /forbidden/"]


@pytest.mark.django_db
def test_a_failed_log_in_is_one_line_and_a_successful_one_is_one_line(
    client, supplier_user, password, log_lines
):
    # When a user mistypes the password once, then logs in
    client.post("/accounts/login/", {"username": supplier_user.email, "password": "wrong"})
    failed = log_lines()
    response = client.post(
        "/accounts/login/", {"username": supplier_user.email, "password": password}
    )
    succeeded = log_lines()[len(failed) :]

    # Then django-axes wrote one warning for the failure and one line for the success
    assert response.status_code == 302
    assert len(failed) == 1, failed
    assert failed[0].startswith("WARNING axes.") and "login failure" in failed[0]
    assert len(succeeded) == 1, succeeded
    assert succeeded[0].startswith("INFO axes.") and "Successful login" in succeeded[0]
    assert "wrong" not in "\n".join(failed + succeeded)


@pytest.mark.django_db
def test_a_locked_out_log_in_is_the_failure_and_the_lock_out_only(
    client, supplier_user, settings, log_lines
):
    # Given a user name that has used up its failed attempts
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": supplier_user.email, "password": "wrong"})
    seen = len(log_lines())
    assert seen == settings.AXES_FAILURE_LIMIT - 1

    # When it is tried again, and again while locked out
    for _ in range(2):
        response = client.post(
            "/accounts/login/", {"username": supplier_user.email, "password": "wrong"}
        )
        assert response.status_code == 429
        lines = log_lines()[seen:]
        seen += len(lines)
        # Then each attempt is its failure and the lock-out, not a third 429 line
        assert len(lines) == 2, lines
        assert "login failure" in lines[0] and "Locking out" in lines[1]
