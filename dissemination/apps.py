from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisseminationConfig(AppConfig):
    name = "dissemination"
    verbose_name = _("Dissemination")

    def ready(self) -> None:
        from procurement_portal import access
        from suppliers import panels

        from .supplier_panel import panel

        # Documents, versions, files and meetings belong to no one supplier: any live user
        # may ask, and their querysets narrow supplier users to what was asked of them.
        for model in ("GuidelineDocument", "GuidelineVersion", "GuidelineFile", "PartnerMeeting"):
            access.declare(f"dissemination.{model}", shared=True)
        # The staff supplier page shows what the supplier was asked and acknowledged, and
        # its meetings, through the panel registry of the layer below.
        panels.register("dissemination", panel)
