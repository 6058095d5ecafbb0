from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The supplier page links the profile PDF through the panel registry of the layer
        # below (suppliers must not import reports).
        from suppliers import panels

        from .supplier_panel import supplier_profile_link, supplier_timeline_link

        panels.register("reports.profile_pdf", supplier_profile_link)
        panels.register("reports.timeline", supplier_timeline_link)
