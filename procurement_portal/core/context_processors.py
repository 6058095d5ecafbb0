"""Template context shared by every page."""

from procurement_portal import access
from procurement_portal.fiscal import current_fiscal_year


def portal(request):
    user = getattr(request, "user", None)
    return {
        "current_fiscal_year": current_fiscal_year(),
        "is_portal_staff": access.sees_all_suppliers(user),
        "can_import": access.can(user, access.Action.IMPORT_DATA),
        "can_manage_suppliers": access.can(user, access.Action.MANAGE_SUPPLIERS),
        "can_assign": access.can(user, access.Action.ASSIGN_ASSESSMENTS),
        "can_view_dashboard": access.can(user, access.Action.VIEW_DASHBOARD),
    }
