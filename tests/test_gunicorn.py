"""The production server as a client meets it: gunicorn started with gunicorn.conf.py on a
loopback port, in production mode, answering a real HTTP request."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="procurement_portal.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="gunicorn-test-only-" + "k" * 40,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    # As the Dockerfile does: hashed names, and a Brotli and a gzip copy of each file (but
    # only the apps the requests below need: compressing the rest is slow on a busy box).
    skip = ("admin", "rest_framework", "redoc", "flags")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        + [arg for app in skip for arg in ("-i", app)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "procurement_portal.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Accept": "application/json", **headers})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_gunicorn_does_not_name_itself(gunicorn_port):
    # When an anonymous client asks the API root of the production server
    response = _get(gunicorn_port, "/api/v1/")
    # Then the answer does not say which server software sent it
    assert response.status in (401, 403)
    assert response.getheader("Server") is None
    assert "gunicorn" not in str(response.headers).lower()


def test_production_headers_reach_the_client(gunicorn_port):
    response = _get(gunicorn_port, "/api/v1/")

    assert "no-store" in response.getheader("Cache-Control")
    assert "camera=()" in response.getheader("Permissions-Policy")
    assert response.getheader("Server-Timing") is None  # anonymous, DEBUG off


def test_a_forged_forwarded_proto_does_not_make_plain_http_secure(gunicorn_port):
    # Without DJANGO_BEHIND_TLS_PROXY neither gunicorn nor Django believes a client's
    # X-Forwarded-Proto: the request stays plain HTTP, so no HSTS header is sent (Django's
    # SecurityMiddleware sends it on secure requests only).
    response = _get(gunicorn_port, "/api/v1/", **{"X-Forwarded-Proto": "https"})
    assert response.getheader("Strict-Transport-Security") is None


def test_the_docs_page_arrives_compressed_except_the_page_itself(gunicorn_port):
    # Given a browser that accepts Brotli and gzip
    accept = {"Accept-Encoding": "br, gzip", "Accept": "text/html"}
    # When it opens the API docs page
    page = _get(gunicorn_port, "/api/docs/", **accept)
    assert page.status == 200
    # Then the page itself (HTML, compressed nowhere: see README) links hashed static files
    assert page.getheader("Content-Encoding") is None
    bundle = re.search(rb'src="(/static/[^"]+swagger-ui-bundle\.[0-9a-f]{12}\.js)"', page.body)
    assert bundle, page.body[:2000]
    # And the 1.6 MB Swagger UI bundle arrives as Brotli, cached for good
    script = _get(gunicorn_port, bundle[1].decode(), **accept)
    assert script.status == 200
    assert script.getheader("Content-Encoding") == "br"
    assert len(script.body) < 500_000
    assert "immutable" in script.getheader("Cache-Control")
    # And the schema it reads (the same for everyone, no secret in it) as gzip
    schema = _get(gunicorn_port, "/api/schema/", **{**accept, "Accept": "application/json"})
    assert schema.status == 200
    assert schema.getheader("Content-Encoding") == "gzip"
    assert len(schema.body) < 100_000
