from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "procurement_portal.documents"
    label = "documents"
    verbose_name = _("Documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from procurement_portal import access

        from .models import documents_visible

        # A document is visible to whoever sees its subject; a staff copy only to staff.
        access.declare("documents.Document", follows=documents_visible)
