from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Declarations")

    def ready(self) -> None:
        from procurement_portal import access
        from suppliers import panels

        from . import imports
        from .supplier_panel import panel

        # Kinds and versions are texts every live user reads (supplier users are shown
        # only published versions: selectors.versions_visible_to narrows drafts away).
        # Signatures and revocations are scoped through their supplier (supplier_path).
        access.declare("declarations.DeclarationKind", shared=True)
        access.declare("declarations.DeclarationVersion", shared=True)
        # The supplier page and the import service live below this app: they learn of
        # the declarations panel and the paper-declarations format from here.
        panels.register("declarations", panel)
        imports.register()
