"""One row per generated document, keyed like the outbox.

The key names what the document is: its kind, its subject (a row by content type and id,
or a string subject key), who it was printed for (``audience``: staff copies may carry
internal notes), its language and the hash of its content. The same content asked for
again is the same row and the same stored file; changed content is a new version.
Rendering claims the row (``rendering``, claimed at, by which worker, a claim token),
renders, stores the file under a name derived from the key (so a second render of one key
overwrites the same file, never adds one) and then confirms ``ready``. A claim older than
``DOCUMENTS_CLAIM_TIMEOUT_SECONDS`` belongs to a dead worker and is taken again.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _


def documents_storage():
    """The storage generated documents live in (``STORAGES["documents"]``)."""
    return storages["documents"]


class Document(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be prepared")
        RENDERING = "rendering", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    INTERNAL = "internal"

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=60)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject_key = models.CharField(max_length=120, blank=True)
    audience = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=10)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64)
    filename = models.CharField(max_length=200)
    html = models.TextField()
    base_url = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    file = models.FileField(storage=documents_storage, max_length=300, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "claimed_at"], name="document_state_claim"),
            models.Index(
                fields=["kind", "content_type", "object_id", "language"], name="document_subject"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="ready") | ~models.Q(file=""),
                name="document_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version} ({self.language})"


def documents_visible(user, queryset: models.QuerySet) -> models.QuerySet:
    """The documents among ``queryset`` the user may read: those whose subject the user
    sees (``visible_to`` of the subject's model), staff copies only for staff. Documents
    keyed by a subject string have no row to be scoped by and are read only by the code
    that made them. (The access policy calls this: ``access.declare(..., follows=...)``.)"""
    from procurement_portal import access

    queryset = queryset.exclude(content_type=None)
    if access.sees_all_suppliers(user):
        return queryset
    queryset = queryset.exclude(audience=Document.INTERNAL)
    visible = models.Q(pk__in=[])
    kinds = queryset.order_by().values_list("content_type", flat=True).distinct()
    for content_type in ContentType.objects.filter(pk__in=list(kinds)):
        model = content_type.model_class()
        try:
            subjects = access.visible_to(user, model).values("pk")
        except (TypeError, AttributeError):  # no model, or one without a declared scope
            continue
        visible |= models.Q(content_type=content_type, object_id__in=subjects)
    return queryset.filter(visible)
