"""Logging filters that keep the log to one line per event (settings.LOGGING uses them).

* A refused request (any 4xx) is one line, without the traceback Django attaches to
  ``Http404`` and ``PermissionDenied``: the traceback only shows the view raising as
  designed. A 404 is INFO (scanners and stale links make many); other refusals (403, 401,
  400...) stay WARNING.
* django-axes logs three or four lines per log-in (one per step of its handler); only the
  outcome is kept: "Successful login by ..." (INFO), "New/Repeated login failure by ..."
  (WARNING), and at or past the failure limit "Locking out ..." (WARNING) beside it. The
  429 answer to a locked-out log-in is not logged a third time by ``django.request``.

Imported by ``logging.config.dictConfig`` while settings load: no Django models here.
"""

from __future__ import annotations

import logging

_AXES_OUTCOMES = ("AXES: Successful login", "AXES: Successful logout")


def _is_refusal(record: logging.LogRecord) -> bool:
    status = getattr(record, "status_code", None)
    return isinstance(status, int) and 400 <= status < 500


class RefusedRequestLevel(logging.Filter):
    """On the ``django.request`` logger: a 404 is INFO, not WARNING. A logger filter, so
    the handlers' level (DJANGO_LOG_LEVEL) still decides whether the line is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 404 and record.levelno > logging.INFO:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        return True


class OneLinePerEvent(logging.Filter):
    """On the console handler: no traceback for a refused request, and only the outcome of
    each log-in attempt from django-axes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("axes.") and record.levelno < logging.WARNING:
            return str(record.msg).startswith(_AXES_OUTCOMES)
        if record.name == "django.request" and getattr(
            getattr(record, "request", None), "axes_locked_out", False
        ):
            return False  # django-axes has just logged the lock-out, naming the account
        if _is_refusal(record):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
