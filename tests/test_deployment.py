"""docker-compose.yml and the Dockerfile cannot be run here (no Docker engine), so they
are checked by reading them: the services the design names, commands that point at
real modules, and environment names that the settings actually read."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SRC = (ROOT / "procurement_portal" / "settings.py").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()

# Variables the official images read themselves, not the portal.
IMAGE_OWN_VARS = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}


def _settings_env_names() -> set[str]:
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_][A-Z0-9_]*)"', SETTINGS_SRC))


def _command(service: str) -> list[str]:
    cmd = COMPOSE["services"][service]["command"]
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd)


def test_compose_has_the_production_stack():
    assert set(COMPOSE["services"]) >= {"postgres", "redis", "web", "worker", "beat", "mailpit"}


def test_every_portal_variable_in_compose_is_read_by_settings():
    names = _settings_env_names()
    for service in ("web", "worker", "beat"):
        env = COMPOSE["services"][service]["environment"]
        unknown = set(env) - names - IMAGE_OWN_VARS
        assert not unknown, f"{service} sets variables the settings never read: {unknown}"
        assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG"} <= set(env)
        assert env["DJANGO_DEBUG"] == "false"


def test_compose_urls_point_at_compose_services():
    env = COMPOSE["services"]["web"]["environment"]
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert "mailpit:1025" in env["EMAIL_URL"]
    pg = COMPOSE["services"]["postgres"]["environment"]
    assert f"{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@" in env["DATABASE_URL"]
    assert env["DATABASE_URL"].endswith("/" + pg["POSTGRES_DB"])


def test_compose_commands_name_real_modules():
    web = " ".join(_command("web"))
    assert "manage.py migrate" in web
    assert "procurement_portal.wsgi:application" in web
    assert "gunicorn.conf.py" in web
    for service, sub in (("worker", "worker"), ("beat", "beat")):
        cmd = _command(service)
        assert cmd[0] == "celery"
        assert cmd[cmd.index("--app") + 1] == "procurement_portal"
        assert sub in cmd
    assert (ROOT / "gunicorn.conf.py").exists()
    assert (ROOT / "procurement_portal" / "celery.py").exists()


def test_dockerfile_copies_files_that_exist_and_runs_gunicorn():
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY") and "--from=" not in line:
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), f"Dockerfile copies missing {src}"
    assert "requirements/base.lock" in DOCKERFILE
    cmd = re.search(r"^CMD (.+)$", DOCKERFILE, re.M).group(1)
    assert "procurement_portal.wsgi:application" in cmd and "gunicorn.conf.py" in cmd
    assert re.search(r"^EXPOSE 8000$", DOCKERFILE, re.M)
    assert "8000:8000" in COMPOSE["services"]["web"]["ports"]
    assert "fonts-noto-cjk" in DOCKERFILE  # Japanese PDFs


def test_dockerignore_keeps_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "node_modules", "db.sqlite3", "media"} <= set(ignored)


def test_readme_session_lifetime_is_the_settings_default():
    # README's configuration table and the session cookie must tell the same story.
    from django.conf import settings

    readme = (ROOT / "README.md").read_text()
    row = re.search(r"^\| `DJANGO_SESSION_COOKIE_AGE` \| (\d+) hours \(`(\d+)`\)", readme, re.M)
    assert row, "README names the session lifetime in hours and seconds"
    assert int(row[1]) * 3600 == int(row[2]) == settings.SESSION_COOKIE_AGE


def test_compose_believes_no_forwarded_proto_unless_told():
    env = COMPOSE["services"]["web"]["environment"]
    assert env["DJANGO_BEHIND_TLS_PROXY"] == "${DJANGO_BEHIND_TLS_PROXY:-false}"
    assert "DJANGO_BEHIND_TLS_PROXY" in _settings_env_names()
