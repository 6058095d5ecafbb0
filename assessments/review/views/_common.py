"""What the review pages share: refusing non-staff, and running a service with its
refusals turned into messages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from procurement_portal.access import require_staff  # noqa: F401  (the pages' guard)

from ...models import (
    Assessment,
    AssessmentStatus,
    InformationSecurityLevel,
)
from ...workflow import TransitionConflict

PAGE_SIZE = 50


def error_text(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


def run_service(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Call a service; turn its refusals into messages. True when it succeeded."""
    try:
        action()
    except ValidationError as exc:
        for text in error_text(exc):
            messages.error(request, text)
        return False
    except TransitionConflict as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def level_of(assessment: Assessment) -> InformationSecurityLevel | None:
    if assessment.status != AssessmentStatus.ACCEPTED:
        return None
    return InformationSecurityLevel.objects.filter(
        supplier_id=assessment.supplier_id, fiscal_year=assessment.fiscal_year
    ).first()
