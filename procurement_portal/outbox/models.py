"""Outgoing e-mail, one row per message."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement_portal.core.models import TimeStampedModel


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    # Claimed by a worker that is talking to the SMTP server now; a claim older than
    # OUTBOX_CLAIM_TIMEOUT_SECONDS belongs to a dead worker and is "unconfirmed".
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(TimeStampedModel):
    """An e-mail the portal has decided to send, with what became of it.

    Delivery claims the row (``sending``, attempt counted, ``claimed_at`` / ``claimed_by``)
    and commits that before it talks SMTP, then commits ``sent``. A worker that dies in
    between leaves the claim behind: after the claim timeout the message is sent again and
    ``unconfirmed_attempts`` counts it, because the first copy may have been accepted too.
    ``history`` keeps every step (claimed, sent, retry, unconfirmed, failed, resent).
    """

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
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        default=timezone.now,
        help_text=_("A queued message is not sent before this time (retry backoff)."),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=200, blank=True)
    unconfirmed_attempts = models.PositiveSmallIntegerField(
        _("sent again after an unconfirmed attempt"),
        default=0,
        help_text=_(
            "How many times a worker died between handing the message to the mail server and "
            "recording the answer, so that it was sent again: the recipient may have two "
            "copies (with the same Message-ID)."
        ),
    )
    history = models.JSONField(_("history"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_status_created"),
            models.Index(fields=["group", "status"], name="outbox_group_status"),
            # The delivery queue: due messages in order, and stale claims (both small sets).
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="queued"),
                name="outbox_due",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(status="sending"),
                name="outbox_claims",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in MessageStatus]),
                name="outbox_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to} ({self.status})"
