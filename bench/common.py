"""What the benchmarks share: the bench database, gunicorn, a small HTTP load client.

The load client is plain Python (http.client + threads) on the loopback interface, with
bounded request counts and a time limit per measurement. It shares the machine's cores
with the server, so throughput figures are a floor for the server, not a ceiling.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV_BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"  # a database number of its own
HOST = "127.0.0.1"
BENCH_SUPPLIERS = 50_000
SERVER_TIMING = re.compile(
    r"app;dur=(?P<app>[\d.]+), db;dur=(?P<db>[\d.]+);desc=\"(?P<n>\d+) quer(?:y|ies)\""
)


def database_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def bench_env(db_url: str) -> dict[str, str]:
    """Production settings (DEBUG off, Redis cache) on loopback, without the HTTPS redirect."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=db_url,
        # The production stack's shared cache: sessions are cached_db, and a per-process
        # cache would let one gunicorn worker serve another's stale session.
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        CELERY_TASK_ALWAYS_EAGER="true",  # no Celery worker in the bench
        # The API's per-user rate limit still runs (same cost) but must not trip: a
        # bench run makes more requests than a person would in an hour.
        API_THROTTLE_USER=os.environ.get("API_THROTTLE_USER", "100000/hour"),
        DJANGO_SETTINGS_MODULE="bench.bench_settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-key-not-used-anywhere-else-0123456789",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_SERVER_TIMING="all",  # every response, whoever asks
        PYTHONPATH=str(ROOT),
    )
    return env


def setup_django(db_url: str) -> None:
    """Configure this process like the server, to seed and import in-process."""
    os.environ.update(bench_env(db_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def reset_database(db_url: str) -> None:
    """Drop and create the bench database (never anything else: the name must be bench*)."""
    import psycopg2

    parts = urlsplit(db_url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to reset database {name!r}: its name must start with 'bench'")
    admin = psycopg2.connect(
        host=parts.hostname or HOST,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def manage(db_url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=bench_env(db_url),
        cwd=ROOT,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the repository's gunicorn.conf.py, on a free loopback port."""

    def __init__(
        self,
        db_url: str,
        *,
        workers: int | None = None,
        worker_class: str = "sync",
        threads: int = 1,
    ):
        """``workers=None`` keeps gunicorn.conf.py's default (WEB_CONCURRENCY or measured)."""
        self.db_url = db_url
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = OUT / f"gunicorn-{worker_class}-{workers or 'default'}x{threads}.log"

    def __enter__(self) -> Server:
        env = bench_env(self.db_url)
        if self.workers is not None:
            env["WEB_CONCURRENCY"] = str(self.workers)
        env.update(
            GUNICORN_WORKER_CLASS=self.worker_class,
            GUNICORN_THREADS=str(self.threads),
            GUNICORN_BIND=f"{HOST}:{self.port}",
            GUNICORN_ACCESS_LOG=str(self.log.with_suffix(".access.log")),
        )
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "--config",
                    str(ROOT / "gunicorn.conf.py"),
                    "procurement_portal.wsgi:application",
                ],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log}")
            with contextlib.suppress(OSError):
                if Client(self.port).get("/healthz").status == 200:
                    return self
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer /healthz within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float


class Client:
    """One user's browser, reduced to what the bench needs: cookies and forms."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies: dict[str, str] = dict(cookies or {})

    def request(
        self, method: str, path: str, form: dict | None = None, extra: dict | None = None
    ) -> Response:
        headers = {"Host": f"{HOST}:{self.port}", "Accept-Language": "en", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            data = raw.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - start
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, data, seconds)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict, extra: dict | None = None) -> Response:
        return self.request("POST", path, form, extra)


def _csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise SystemExit("no CSRF token in the form")
    return match.group(1).decode()


def log_in(port: int, *, email: str, password: str, totp_key: bytes | None) -> dict[str, str]:
    """Log in through the real pages (password, then the TOTP code) and return the cookies."""
    client = Client(port)
    page = client.get("/accounts/login/")
    answer = client.post(
        "/accounts/login/",
        {"username": email, "password": password, "csrfmiddlewaretoken": _csrf_token(page.body)},
    )
    if answer.status != 302:
        raise SystemExit(f"log-in as {email} failed: HTTP {answer.status}")
    probe = client.get("/suppliers/")
    if probe.status == 302 and "/accounts/2fa/" in (probe.headers.get("Location") or ""):
        if totp_key is None:
            raise SystemExit("the portal asks for a second factor and no TOTP key was given")
        from django_otp.oath import totp

        page = client.get("/accounts/2fa/")
        answer = client.post(
            "/accounts/2fa/",
            {"token": f"{totp(totp_key):06d}", "csrfmiddlewaretoken": _csrf_token(page.body)},
        )
        if answer.status != 302:
            raise SystemExit(f"two-factor step refused the code: HTTP {answer.status}")
        probe = client.get("/suppliers/")
    if probe.status != 200:
        raise SystemExit(
            f"logged in as {email} but /suppliers/ answers HTTP {probe.status} "
            f"(Location: {probe.headers.get('Location')})"
        )
    return client.cookies


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Stats:
    label: str
    path: str
    client_ms: list[float] = field(default_factory=list)
    app_ms: list[float] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    wall_seconds: float = 0.0
    concurrency: int = 1

    @property
    def count(self) -> int:
        return len(self.client_ms)

    @property
    def throughput(self) -> float:
        return self.count / self.wall_seconds if self.wall_seconds else 0.0

    def p(self, values: list[float], q: float) -> float:
        return percentile(values, q) if values else float("nan")

    @property
    def query_range(self) -> str:
        if not self.queries:
            return "-"
        low, high = min(self.queries), max(self.queries)
        median = int(statistics.median(self.queries))
        return f"{median}" if low == high else f"{median} ({low}-{high})"


def measure(
    port: int,
    path: str,
    *,
    label: str,
    cookies: dict[str, str] | None = None,
    requests: int = 200,
    concurrency: int = 1,
    warmup: int = 10,
    time_limit: float = 60.0,
) -> Stats:
    """Fetch ``path`` ``requests`` times from ``concurrency`` threads (bounded by time)."""
    for _ in range(warmup):
        response = Client(port, cookies).get(path)
        if response.status != 200:
            raise SystemExit(
                f"{path} answers HTTP {response.status} (expected 200; "
                f"Location: {response.headers.get('Location')})"
            )
    stats = Stats(label=label, path=path, concurrency=concurrency)
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        nonlocal issued
        client = Client(port, cookies)
        while True:
            with lock:
                if issued >= requests or time.monotonic() > deadline:
                    return
                issued += 1
            response = client.get(path)
            match = SERVER_TIMING.search(response.headers.get("Server-Timing") or "")
            with lock:
                stats.client_ms.append(response.seconds * 1000)
                stats.statuses[response.status] = stats.statuses.get(response.status, 0) + 1
                if match:
                    stats.app_ms.append(float(match["app"]))
                    stats.db_ms.append(float(match["db"]))
                    stats.queries.append(int(match["n"]))

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats.wall_seconds = time.perf_counter() - start
    return stats


# --- people the benchmarks act as --------------------------------------------------------


def staff_totp_key() -> bytes:
    """The demo buyer's confirmed TOTP key, so the bench can pass two-factor as staff do.
    The two-factor page checks the user's first confirmed device, so the bench uses that
    one (the demo's) rather than adding its own; the replay guard and the throttle are
    reset so that back-to-back runs can each log in."""
    from django.db import connections
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from procurement_portal.accounts.models import User

    buyer = User.objects.get(email="buyer@demo.example")
    device = TOTPDevice.objects.filter(user=buyer, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=buyer, name="bench", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    key = device.bin_key
    connections.close_all()
    return key


def supplier_user_sessions(
    supplier_ids: list[int], *, email_prefix: str, name_prefix: str = ""
) -> list[tuple[int, dict[str, str]]]:
    """One supplier user per supplier, each with a session made as a log-in makes it (the
    password step is not what is measured): ``(supplier id, cookies)`` pairs."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connections

    from procurement_portal.accounts.models import Role, SupplierMembership, User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for n, supplier_id in enumerate(supplier_ids):
        user = User.objects.create(
            email=f"{email_prefix}-{supplier_id}@bench.example",
            full_name=f"{name_prefix} {n}" if name_prefix else "",
            role=Role.SUPPLIER,
        )
        SupplierMembership.objects.create(user=user, supplier_id=supplier_id)
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        sessions.append((supplier_id, {settings.SESSION_COOKIE_NAME: session.session_key}))
    connections.close_all()
    return sessions


@dataclass
class FormPosts:
    """What one form post per user measured: the page's and the post's server time."""

    page_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


def post_form_each(
    port: int,
    sessions: list[tuple[int, dict[str, str]]],
    *,
    page: str,
    action: str,
    fields,
    what: str,
) -> FormPosts:
    """Each user opens ``page`` (the CSRF token and its server time), then posts
    ``fields(supplier_id)`` to ``action``; every post must redirect (302)."""
    posts = FormPosts()
    for supplier_id, cookies in sessions:
        client = Client(port, cookies)
        opened = client.get(page)
        if opened.status != 200:
            raise SystemExit(f"{page} answers HTTP {opened.status} to a supplier user")
        match = SERVER_TIMING.search(opened.headers.get("Server-Timing") or "")
        if match:
            posts.page_ms.append(float(match["app"]))
        answer = client.post(
            action,
            {"csrfmiddlewaretoken": _csrf_token(opened.body), **fields(supplier_id)},
            extra={"Referer": f"http://{HOST}:{port}{page}"},
        )
        posts.statuses[answer.status] = posts.statuses.get(answer.status, 0) + 1
        match = SERVER_TIMING.search(answer.headers.get("Server-Timing") or "")
        if match:
            posts.post_ms.append(float(match["app"]))
            posts.queries.append(int(match["n"]))
    if posts.statuses.get(302, 0) != len(sessions):
        raise SystemExit(f"{what} answered {posts.statuses}, expected 302 for every user")
    return posts
