"""A user's notice preferences, and the entries waiting for a staff member's daily digest."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement_portal.core.models import TimeStampedModel


class NotificationPreferences(TimeStampedModel):
    """Which notices one user turned off, and whether (staff) they get a daily digest.

    No row means the defaults: every notice, one e-mail per event. Kinds the programme
    requires are sent whatever this says (``kinds.NoticeKind.required``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    disabled_kinds = models.JSONField(_("notices turned off"), default=list, blank=True)
    digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("One e-mail a day listing the notices instead of one e-mail per event."),
    )

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("notice preferences")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: digest={self.digest} off={self.disabled_kinds}"


class DigestEntry(TimeStampedModel):
    """One notice waiting for its recipient's daily digest (sent_at set once it is in one).

    ``key`` is the notice's own key (kind, event, recipient): a retried event adds nothing.
    ``context`` is what the notice's subject line needs, as JSON.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_entries"
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=200, unique=True)
    context = models.JSONField(_("context"), default=dict, encoder=DjangoJSONEncoder)
    path = models.CharField(_("link"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["user_id", "created_at", "id"]
        verbose_name = _("digest entry")
        verbose_name_plural = _("digest entries")
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                name="digest_pending",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.key}"
