from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self) -> None:
        # How the registry's models without a supplier_path are scoped (access policy).
        from procurement_portal import access

        access.declare("suppliers.PriorityRisk", shared=True)
        access.declare("suppliers.Category", shared=True)
        access.declare("suppliers.ImportJob", staff_only=True)
