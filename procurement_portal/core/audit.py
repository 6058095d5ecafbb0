"""Audit trail glue: django-auditlog records who changed what, when and from where.

Every model of the portal is tracked (AUDITLOG_INCLUDE_ALL_MODELS), so a model added later
is audited from its first migration; the few that are not are listed in settings with a
reason. Views of personal data are recorded with ``log_access``.
"""

from __future__ import annotations

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware

from .net import client_ip


class AuditlogMiddleware(_AuditlogMiddleware):
    """auditlog's middleware, reading the client address the portal's one way."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    def __call__(self, request):
        # auditlog sets its context variable and never resets it, so the last request's
        # user stayed the "actor" of whatever the same thread did next outside a request
        # (a task, a command): restore the value from before the request when it ends.
        token = auditlog_value.set({})
        try:
            return super().__call__(request)
        finally:
            auditlog_value.reset(token)


def log_access(objects) -> None:
    """Record that the current request's user saw these objects (personal data), one
    audit entry per object, written in one statement however many there are."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    items = [obj for obj in objects if obj.pk is not None]
    if not items:
        return
    try:
        context = auditlog_value.get()
    except LookupError:
        context = {}
    actor = context.get("actor")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    content_type = ContentType.objects.get_for_model(items[0].__class__)
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj)[:200],
                action=LogEntry.Action.ACCESS,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                remote_addr=context.get("remote_addr"),
                changes={},
            )
            for obj in items
        ]
    )


def note_actor(user) -> None:
    """The API authenticates inside the view, after the middleware has run: tell the
    request's audit context who the actor is, so API changes are attributed too."""
    try:
        data = auditlog_value.get()
    except LookupError:
        return
    if data.get("actor") is None:
        data["actor"] = user
