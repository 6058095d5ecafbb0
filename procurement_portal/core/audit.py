"""Audit trail glue: django-auditlog records who changed what, when and from where.

Every model of the portal is tracked (AUDITLOG_INCLUDE_ALL_MODELS), so a model added later
is audited from its first migration; the few that are not are listed in settings with a
reason. Views of personal data are recorded with ``log_access``.
"""

from __future__ import annotations

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from auditlog.signals import accessed

from .net import client_ip


class AuditlogMiddleware(_AuditlogMiddleware):
    """auditlog's middleware, reading the client address the portal's one way."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


def log_access(*objects) -> None:
    """Record that the current request's user saw these objects (personal data)."""
    for obj in objects:
        accessed.send(sender=obj.__class__, instance=obj)


def note_actor(user) -> None:
    """The API authenticates inside the view, after the middleware has run: tell the
    request's audit context who the actor is, so API changes are attributed too."""
    try:
        data = auditlog_value.get()
    except LookupError:
        return
    if data.get("actor") is None:
        data["actor"] = user
