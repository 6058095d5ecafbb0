"""Outgoing e-mail, one row per message."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement_portal.core.models import TimeStampedModel


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(TimeStampedModel):
    """An e-mail the portal has decided to send, with what became of it."""

    key = models.CharField(
        _("key"),
        max_length=200,
        unique=True,
        help_text=_("What the message is about, to whom and which kind; never sent twice."),
    )
    group = models.CharField(
        _("group"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("What many messages belong to, e.g. campaign:12 (progress counts by it)."),
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("plain-text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_status_created"),
            models.Index(fields=["group", "status"], name="outbox_group_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in MessageStatus]),
                name="outbox_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to} ({self.status})"
