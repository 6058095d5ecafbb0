from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        # The staff supplier page shows a supplier's assessments through the panel
        # registry of the layer below (suppliers must not import assessments).
        from suppliers import panels

        from .supplier_panel import panel

        panels.register("assessments", panel)
