"""What every dissemination service shares: the capabilities it asks for, the scoped
lookup that answers 404 before any role is checked, and supplier codes to suppliers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from procurement_portal.access import Action
from suppliers.models import Supplier

MANAGE = Action.MANAGE_SUPPLIERS
ACKNOWLEDGE = Action.ANSWER_ASSESSMENTS
# A second reminder round by hand within this long of the last is refused as a double click.
REMINDER_MIN_INTERVAL = dt.timedelta(hours=12)
GUIDELINE_FILE_MAX_BYTES = 20 * 1024 * 1024


def _visible(model: type[Model], user, pk, *, lock: bool = False) -> Model:
    rows: QuerySet = model.objects.visible_to(user)
    if lock:
        rows = model.objects.select_for_update().filter(pk__in=rows.values("pk"))
    try:
        return rows.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _clean(obj: Model, *, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude))


def _suppliers_by_code(codes: Iterable[str], field: str) -> list[Supplier]:
    wanted = {c.strip().upper(): c.strip() for c in codes if c and c.strip()}
    found = {s.code.upper(): s for s in Supplier.objects.filter(code__in=list(wanted.values()))}
    if len(found) < len(wanted):
        # Codes are unique regardless of case: look the rest up case-insensitively.
        for code in set(wanted) - set(found):
            supplier = Supplier.objects.filter(code__iexact=wanted[code]).first()
            if supplier is not None:
                found[code] = supplier
    unknown = [wanted[c] for c in wanted if c not in found]
    if unknown:
        raise ValidationError(
            {field: _("Unknown supplier code: %(codes)s.") % {"codes": ", ".join(unknown[:20])}}
        )
    return list(found.values())
