"""PDF rendering core of the documents service: HTML in, PDF bytes out.

``render_pdf(template_name, context, request=...)`` renders a Django template (the
printable templates live in ``templates/<app>/pdf/``, in the active language) and hands
the HTML to WeasyPrint,
styled by ``static/css/print.css`` (A4, page numbers, Japanese fonts installed on the
machine). Two safety rules hold for every PDF:

* **Nothing is fetched from outside the portal.** ``PortalUrlFetcher`` serves the
  portal's own static files (found through the staticfiles finders, by a normalised
  relative path) and ``data:`` URIs, and refuses everything else: ``file://`` anywhere,
  any http(s) host (loopback, link-local metadata addresses, the portal's own pages).
  A refusal is logged and WeasyPrint renders on without the resource. As a second wall,
  the rendering process has its sockets disabled.
* **Rendering has a time limit** (``settings.PDF_RENDER_TIMEOUT`` seconds, default 30).

Two ways to render, chosen by the caller (``procurement_portal.documents.services``):

* **In-process** (``html_to_pdf_in_process``), used by Celery workers: WeasyPrint is
  imported once per worker process, so the interpreter's start-up (about a second) is
  paid once per worker, not per document. The Fontconfig set-up is paid once too: each
  worker thread keeps one ``FontConfiguration`` (WeasyPrint otherwise loads the
  configuration and builds a new Pango font map for every document, and forgets the
  faces it opened; with the large Noto CJK fonts that is a good part of a short
  letter's time), and ``warm_up`` (run by ``worker_process_init``) renders a one-line
  page with the print stylesheet in Latin and Japanese so the first real document finds
  the fonts open. The time limit is Celery's time limit on the render task (the pool
  kills the process; the soft limit becomes ``PdfRenderTimeout``); the fetcher is the
  wall against outside fetches (a worker needs its own sockets for the broker and the
  database, so they are not disabled there); the HTML was rendered from the database
  before, WeasyPrint only reads the string.
* **In a child process** (``html_to_pdf``), used where there is no Celery time limit (the
  embedded default runs tasks in the web process):

How the time limit is enforced, and why this way: WeasyPrint runs in a child Python
process (``subprocess.run(..., timeout=...)``), which is killed when time is up. A thread
cannot be stopped; ``signal.alarm`` works only in the main thread (not in gunicorn's
threaded workers or in Celery's thread pools) and cannot interrupt long C calls in
Pango; ``multiprocessing``/``ProcessPoolExecutor`` cannot cancel a running task
(``future.result(timeout=...)`` returns but the work goes on), may not start children
from Celery's daemonic prefork workers, and forking a threaded server can deadlock on
locks held by other threads. A fresh interpreter has none of these problems and also
keeps a runaway document's memory out of the web worker. The price is about one second
of start-up per PDF (importing Django and WeasyPrint), fine for a download.
The template is rendered in the parent (database, translations, request); the child
only receives HTML and a base URL and never touches the database.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import posixpath
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30
# What a PDF may pull from the static files: styles, fonts and pictures, nothing else.
STATIC_SUFFIXES = frozenset(
    {".css", ".woff", ".woff2", ".ttf", ".otf", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
)
_CHILD_CODE = "from procurement_portal.documents.rendering import _child_main; _child_main()"
_STDERR_TAIL = 2000


class PdfRenderError(Exception):
    """A PDF could not be made; ``str()`` is a message fit to show the user."""


class PdfRenderTimeout(PdfRenderError):
    """Rendering took longer than ``PDF_RENDER_TIMEOUT`` and was stopped."""


class ResourceRefused(ValueError):
    """Raised by the URL fetcher; WeasyPrint treats it as a missing resource."""


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    base_url: str | None = None,
) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes.

    The template is rendered in the active language (the request's, or the one a task
    sets with ``translation.override``). Relative links resolve against ``base_url``,
    by default the request's site root or ``settings.PORTAL_BASE_URL``; static files
    (``{% static %}``) are read from disk, never over the network.
    Raises ``PdfRenderTimeout`` or ``PdfRenderError``.
    """
    html = render_to_string(template_name, context, request=request)
    if base_url is None:
        if request is not None:
            base_url = request.build_absolute_uri("/")
        else:
            base_url = settings.PORTAL_BASE_URL.rstrip("/") + "/"
    return html_to_pdf(html, base_url=base_url)


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """Turn an HTML document into PDF bytes in a child process with a time limit."""
    timeout = float(getattr(settings, "PDF_RENDER_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
    payload = json.dumps({"html": html, "base_url": base_url}).encode("utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get(
        "DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE or "procurement_portal.settings"
    )}  # fmt: skip
    try:
        result = subprocess.run(  # noqa: S603 (fixed argv: this interpreter and our code)
            [sys.executable, "-c", _CHILD_CODE],
            input=payload,
            capture_output=True,
            timeout=timeout,
            cwd=settings.BASE_DIR,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has killed the child and reaped it before raising.
        logger.error("PDF rendering stopped after %s seconds", timeout)
        raise PdfRenderTimeout(_timeout_message(timeout)) from None
    other_output = _relay_child_logs(result.stderr)
    if result.returncode != 0 or not result.stdout.startswith(b"%PDF"):
        logger.error(
            "PDF rendering failed (exit code %s): %s",
            result.returncode,
            other_output[-_STDERR_TAIL:],
        )
        raise PdfRenderError(_("The PDF could not be produced. Please try again later."))
    return result.stdout


def html_to_pdf_in_process(html: str, *, base_url: str) -> bytes:
    """Turn an HTML document into PDF bytes in this process (a Celery worker, whose time
    limit bounds it). Only the portal's static files and data: URIs are read."""
    from celery.exceptions import SoftTimeLimitExceeded
    from weasyprint import HTML

    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=PortalUrlFetcher(base_url))
        pdf = document.write_pdf(font_config=_font_config(), cache=_resource_cache())
    except SoftTimeLimitExceeded:
        # Celery's soft limit arrived in the middle of this document: the caller records
        # the timeout on the row; the hard limit would have killed the process instead.
        timeout = float(getattr(settings, "PDF_RENDER_TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
        logger.error("PDF rendering stopped by the task's time limit")
        raise PdfRenderTimeout(_timeout_message(timeout)) from None
    except Exception as exc:  # WeasyPrint raises many kinds; the user sees one message
        logger.exception("PDF rendering failed in-process")
        raise PdfRenderError(_("The PDF could not be produced. Please try again later.")) from exc
    if not pdf or not pdf.startswith(b"%PDF"):
        raise PdfRenderError(_("The PDF could not be produced. Please try again later."))
    return pdf


# One font configuration and one resource cache per worker thread. A FontConfiguration
# holds a Pango font map whose opened faces and shaping caches are what make the second
# document with the same fonts fast; it is not shared between threads because Pango's
# font maps are not safe to use from two threads at once (the prefork pool has one thread
# per process, so in practice this is one per process). The portal's print CSS declares
# no @font-face, so the configuration never grows from document to document. The resource
# cache keeps the static files WeasyPrint has read (stylesheet images), which do not change
# while a worker runs.
_per_thread = threading.local()


def _font_config():
    config = getattr(_per_thread, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _per_thread.font_config = FontConfiguration()
    return config


def _resource_cache() -> dict:
    cache = getattr(_per_thread, "resource_cache", None)
    if cache is None:
        cache = _per_thread.resource_cache = {}
    return cache


WARM_UP_HTML = (
    "<!doctype html><html lang='ja'><head><meta charset='utf-8'>"
    "<link rel='stylesheet' href='{static}css/print.css'></head>"
    "<body><h1>Warm-up 準備</h1><p>Portal 改善指導 <b>1</b></p></body></html>"
)


def warm_up() -> None:
    """Import WeasyPrint, open the Latin and Japanese fonts of the print stylesheet and
    parse it once, in this process (a worker calls this when its process starts), so the
    first real document costs what every later one does."""
    base_url = settings.PORTAL_BASE_URL.rstrip("/") + "/"
    html = WARM_UP_HTML.format(static=urljoin(base_url, settings.STATIC_URL))
    html_to_pdf_in_process(html, base_url=base_url)


def _timeout_message(timeout: float) -> str:
    return _(
        "The PDF took longer than %(seconds)s seconds to produce and was stopped. "
        "Try again later, or ask an administrator if it keeps happening."
    ) % {"seconds": f"{timeout:g}"}


def _relay_child_logs(stderr: bytes) -> str:
    """Log the child's JSON log lines here, under their own logger names; return the rest."""
    rest = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
            name, level, message = record["logger"], int(record["level"]), record["message"]
        except (ValueError, KeyError, TypeError):
            rest.append(line)
            continue
        logging.getLogger(str(name)).log(min(max(level, logging.DEBUG), logging.CRITICAL), message)
    return "\n".join(rest)


class PortalUrlFetcher:
    """WeasyPrint ``url_fetcher`` that allows the portal's static files and data: URIs.

    A static file is accepted when its URL has the origin of ``base_url`` and a path
    below ``STATIC_URL``; the rest of the path, percent-decoded, must already be in
    normal form (no ``..``, ``.``, ``//``, backslash or NUL) and have a style, font or
    picture suffix; the file is then looked up by the staticfiles finders, which refuse
    anything outside their folders, and else among the collected files in ``STATIC_ROOT``
    (the hashed names production pages link). Nothing is ever requested over the network.
    """

    def __init__(self, base_url: str):
        static = urlsplit(urljoin(base_url, settings.STATIC_URL))
        self._origin = (static.scheme.lower(), static.netloc.lower())
        self._static_path = static.path if static.path.endswith("/") else static.path + "/"

    def __call__(self, url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if urlsplit(url).scheme.lower() == "data":
            # Only data: reaches urllib here; it decodes in memory and opens nothing.
            response = DataHandler().data_open(Request(url))  # noqa: S310
            return {"string": response.read(), "mime_type": response.headers.get_content_type()}
        path = self.static_file(url)
        if path is None:
            logger.warning("PDF rendering refused to fetch %s", url[:300])
            raise ResourceRefused(f"only the portal's own static files may be used: {url[:300]}")
        return {
            "string": Path(path).read_bytes(),
            "mime_type": mimetypes.guess_type(path)[0],
            "redirected_url": url,
        }

    def static_file(self, url: str) -> str | None:
        """The file on disk that ``url`` names among the static files, or None."""
        from django.contrib.staticfiles import finders

        parts = urlsplit(url)
        if (parts.scheme.lower(), parts.netloc.lower()) != self._origin:
            return None
        if not parts.path.startswith(self._static_path):
            return None
        relative = unquote(parts.path[len(self._static_path) :])
        if not relative or "\x00" in relative or "\\" in relative:
            return None
        if posixpath.normpath(relative) != relative or relative.startswith(("/", "..")):
            return None
        if posixpath.splitext(relative)[1].lower() not in STATIC_SUFFIXES:
            return None
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:
            return None
        if isinstance(found, str):
            return found
        return _collected_file(relative)


def _collected_file(relative: str) -> str | None:
    """A file among the collected static files (``STATIC_ROOT``): in production the
    pages link hashed names (``css/print.3f2a….css``, the manifest storage's), which only
    exist there, not in the folders the finders search."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        path = staticfiles_storage.path(relative)
    except (NotImplementedError, SuspiciousFileOperation):  # a storage without local files
        return None
    return path if os.path.isfile(path) else None


# --- The child process ---------------------------------------------------------------


class _ParentLogHandler(logging.Handler):
    """Writes each record as one JSON line on stderr, for ``_relay_child_logs``."""

    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelno
        if record.name.startswith("weasyprint"):
            # WeasyPrint reports a refused resource as an error; the refusal itself is
            # already logged as a warning, and the PDF is fine without it.
            level = min(level, logging.WARNING)
        line = {"logger": record.name, "level": level, "message": record.getMessage()}
        sys.stderr.write(json.dumps(line) + "\n")


def _refuse_network(*args: Any, **kwargs: Any):
    raise OSError("network access is disabled while a PDF is rendered")


def _disable_network() -> None:
    # Defence in depth: even a path that escaped the URL fetcher cannot open a socket.
    socket.socket.connect = _refuse_network
    socket.socket.connect_ex = _refuse_network
    socket.create_connection = _refuse_network
    socket.getaddrinfo = _refuse_network


def _child_main() -> None:
    """Entry point of the rendering process: JSON on stdin, PDF bytes on stdout."""
    _disable_network()
    import django

    django.setup()
    root = logging.getLogger()
    root.handlers = [_ParentLogHandler()]
    root.setLevel(logging.WARNING)
    from weasyprint import HTML

    payload = json.loads(sys.stdin.buffer.read())
    document = HTML(
        string=payload["html"],
        base_url=payload["base_url"],
        url_fetcher=PortalUrlFetcher(payload["base_url"]),
    )
    sys.stdout.buffer.write(document.write_pdf())
    sys.stdout.buffer.flush()
