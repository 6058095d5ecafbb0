"""Fixtures for the real parts: a Celery worker process on Redis, and Chromium.

A test that needs one of them and cannot reach it is skipped with the reason on a
developer's machine, and fails the run in CI (see ``pytest_sessionfinish``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: this test needs the real Redis broker")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"REDIS_URL={url} is set but Redis does not answer: {exc}")
    return url


def _database_url_for_subprocess() -> str:
    from django.db import connection

    sd = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a separate worker process needs PostgreSQL (set DATABASE_URL)")
    user = sd.get("USER") or "postgres"
    auth = f"{user}:{sd['PASSWORD']}" if sd.get("PASSWORD") else user
    return (
        f"postgres://{auth}@{sd.get('HOST') or '127.0.0.1'}:{sd.get('PORT') or 5432}/{sd['NAME']}"
    )


class WorkerHandle:
    def __init__(self, proc: subprocess.Popen, queue: str, log: Path):
        self.proc = proc
        self.queue = queue
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def worker_env() -> dict[str, str]:
    """Extra environment for the worker process; tests override it (e.g. EMAIL_URL)."""
    return {}


@pytest.fixture
def celery_worker(transactional_db, tmp_path, worker_env, settings):
    """A real ``celery worker`` process, on its own queue, reading the test database.

    The test process queues to that worker (not in-process): Celery reads
    CELERY_TASK_ALWAYS_EAGER from Django settings, which the suite's autouse fixture turns
    on, so it is turned off here as well as on the app. The worker's own follow-up tasks
    go to its queue too (CELERY_TASK_DEFAULT_QUEUE)."""
    from procurement_portal.celery import app

    redis_url = _redis_url()
    db_url = _database_url_for_subprocess()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_CONN_MAX_AGE": "0",
        **worker_env,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "procurement_portal",
                "worker",
                "-Q",
                queue,
                "-c",
                "1",
                "-n",
                f"{queue}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    old = {k: app.conf.get(k) for k in ("task_always_eager", "task_default_queue", "broker_url")}
    app.conf.update(task_always_eager=False, task_default_queue=queue, broker_url=redis_url)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"celery worker exited early:\n{log.read_text(errors='replace')}")
            if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"celery worker did not start in 30 s:\n{log.read_text()}")
        yield WorkerHandle(proc, queue, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        app.conf.update(old)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, headless."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="ja-JP"
    )
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def ui_login(live_server, password):
    """Log in through the real login form."""

    def _login(pg, user):
        pg.goto(f"{live_server.url}/accounts/login/")
        pg.fill("input[name=username]", user.email)
        pg.fill("input[name=password]", password)
        pg.click("button[type=submit].primary")
        pg.wait_for_load_state()
        return pg

    return _login


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives.

    ``reject`` makes it answer 451 (try again later) to every message, as a server that is
    overloaded would.
    """

    def __init__(self) -> None:
        import email
        import email.policy
        import threading

        self._email = email
        self._policy = email.policy.default
        self._lock = threading.Lock()
        self.messages: list = []
        self.reject = False
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        if self.reject:
            return "451 4.3.0 Try again later"
        msg = self._email.message_from_bytes(envelope.content, policy=self._policy)
        with self._lock:
            self.messages.append(msg)
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def wait_for(self, count: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self._lock:
            return list(self.messages)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Send the portal's e-mail over real SMTP to a sink that the test reads back."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    sink.controller = controller
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()
