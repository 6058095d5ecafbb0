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

        # Object rules and scopes with the access policy (procurement_portal.access).
        from procurement_portal import access

        from . import items  # noqa: F401  (follow-up rule of improvement items)
        from .review import services  # noqa: F401  (review rule of assessments)

        access.declare("assessments.Campaign", staff_only=True)
        access.declare("assessments.ScoringPolicy", shared=True)
        for model in ("Questionnaire", "QuestionnaireVersion", "Section", "Question", "Choice"):
            access.declare(f"assessments.{model}", shared=True)
