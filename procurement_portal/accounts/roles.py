"""The roles a portal user acts in (no model imports, so anything may import this)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier user")
    PROCUREMENT = "procurement", _("Procurement staff")
    INFOSEC_ASSESSOR = "infosec_assessor", _("Information-security assessor")
    CSCO = "csco", _("Chief Supply Chain Officer")
    COMPLIANCE = "compliance", _("Compliance officer")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset(
    {Role.PROCUREMENT, Role.INFOSEC_ASSESSOR, Role.CSCO, Role.COMPLIANCE, Role.ADMIN}
)


__all__ = ["STAFF_ROLES", "Role"]
