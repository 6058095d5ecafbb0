"""The visits app's reference rows, for the demo, the command and tests that flushed the
tables: the guidance categories (as migration 0002 seeds them), the first plan policy and
the shipped checklists. Safe to run again."""

from __future__ import annotations

from importlib import import_module

from .authoring import load_shipped_checklists
from .models import GuidanceCategory, VisitPlanPolicy


def ensure_reference_data() -> None:
    seeded = import_module("visits.migrations.0002_guidance_categories")
    for position, (code, en, ja) in enumerate(seeded.CATEGORIES, start=1):
        GuidanceCategory.objects.get_or_create(
            code=code, defaults={"name_en": en, "name_ja": ja, "position": position}
        )
    if not VisitPlanPolicy.objects.exists():
        VisitPlanPolicy.objects.create(version=1, name="Initial weights")
    load_shipped_checklists()
