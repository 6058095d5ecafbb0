"""Checklist templates authored as YAML (docs/checklist-format.md).

The same strict reader and the same path-and-line messages as the questionnaires
(``assessments.authoring``: YAML 1.2 booleans, no duplicate keys, no aliases, every
problem listed at once), so an author learns one way of writing. A published version is
frozen: importing a changed definition makes the next version; importing an unchanged one
changes nothing, so the command and the demo are safe to run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.authoring.checker import Checker, quote
from assessments.authoring.yaml_io import Lines, checksum, load_yaml
from procurement_portal import access
from procurement_portal.access import Action
from suppliers.models import PriorityRisk

from .models import ChecklistItem, ChecklistTemplate, TemplateStatus, VisitKind

SHIPPED_DIR = Path(__file__).resolve().parent / "checklists"
SHIPPED_FILES = ("svr.yaml", "infosec.yaml")
TOP_KEYS = ("kind", "title", "items")
ITEM_KEYS = ("code", "risk", "text", "guidance")
TITLE_MAX = 200
MAX_ITEMS = 300


@dataclass
class ChecklistImport:
    template: ChecklistTemplate
    created: bool


def parse_checklist(text: str) -> dict:
    """The canonical definition of a checklist written as YAML, or ValidationError listing
    every problem as ``path: reason (line N)``."""
    data, lines = load_yaml(text)
    return validate_checklist(data, lines)


def validate_checklist(data: Any, lines: Lines | None = None) -> dict:
    check = Checker(lines or Lines())
    top = check.mapping(data, "", TOP_KEYS, TOP_KEYS)
    if top is None:
        raise ValidationError(check.errors)
    kinds = [k.value for k in VisitKind]
    kind = top.get("kind")
    if kind is not None and kind not in kinds:
        check.error(
            "kind",
            _("%(value)s is not one of %(allowed)s")
            % {"value": quote(kind), "allowed": ", ".join(kinds)},
            top,
            "kind",
        )
    risks = set(PriorityRisk.objects.values_list("code", flat=True))
    definition = {
        "kind": kind if kind in kinds else "",
        "title": check.text(top, "title", "title", max_length=TITLE_MAX),
        "items": [],
    }
    seen: dict[str, str] = {}
    raw_items = check.items(top.get("items"), "items", top, "items")
    if len(raw_items) > MAX_ITEMS:
        check.error("items", _("at most %(n)s items") % {"n": MAX_ITEMS}, top, "items")
    for index, raw in enumerate(raw_items):
        path = f"items[{index}]"
        item = check.mapping(raw, path, ITEM_KEYS, ("code", "risk", "text"))
        if item is None:
            continue
        code = check.code(item, f"{path}.code")
        if code and code in seen:
            check.error(
                f"{path}.code",
                _("%(code)s is already the code of %(other)s")
                % {"code": quote(code), "other": seen[code]},
                item,
                "code",
            )
        seen.setdefault(code, path)
        risk = item.get("risk")
        if risk is not None and risk not in risks:
            check.error(
                f"{path}.risk",
                _("%(value)s is not one of %(allowed)s")
                % {"value": quote(risk), "allowed": ", ".join(sorted(risks))},
                item,
                "risk",
            )
        definition["items"].append(
            {
                "code": code,
                "risk": risk,
                "text": check.text(item, "text", f"{path}.text"),
                "guidance": check.text(item, "guidance", f"{path}.guidance"),
            }
        )
    if check.errors:
        raise ValidationError(check.errors)
    return definition


def _require_author(actor) -> None:
    # Called without an actor by the command and the demo (the operator of the machine).
    if actor is not None and not access.can(actor, Action.MANAGE_QUESTIONNAIRES):
        raise PermissionDenied(_("Only administrators import checklists."))


@transaction.atomic
def checklist_import(*, text: str, actor=None, publish: bool = True) -> ChecklistImport:
    """Import a checklist; a new version of its kind unless the latest has the same
    definition (then nothing changes, or a draft is published). A draft is replaced."""
    _require_author(actor)
    definition = parse_checklist(text)
    digest = checksum(definition)
    latest = (
        ChecklistTemplate.objects.select_for_update()
        .filter(kind=definition["kind"])
        .order_by("-version")
        .first()
    )
    if latest is not None and checksum(_definition_of(latest)) == digest:
        if publish and latest.status == TemplateStatus.DRAFT:
            _publish(latest)
        return ChecklistImport(template=latest, created=False)
    if latest is not None and latest.status == TemplateStatus.DRAFT:
        template = latest
        template.items.all().delete()
    else:
        template = ChecklistTemplate(
            kind=definition["kind"], version=(latest.version + 1) if latest else 1
        )
    template.title_en = definition["title"]["en"]
    template.title_ja = definition["title"]["ja"]
    template.source = text
    template.save()
    risks = dict(PriorityRisk.objects.values_list("code", "pk"))
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            template=template,
            code=item["code"],
            risk_id=risks[item["risk"]],
            text_en=item["text"]["en"],
            text_ja=item["text"]["ja"],
            guidance_en=item["guidance"]["en"],
            guidance_ja=item["guidance"]["ja"],
            position=position,
        )
        for position, item in enumerate(definition["items"], start=1)
    )
    if publish:
        _publish(template)
    return ChecklistImport(template=template, created=True)


def _publish(template: ChecklistTemplate) -> None:
    template.status = TemplateStatus.PUBLISHED
    template.published_at = timezone.now()
    template.save(update_fields=["status", "published_at", "updated_at"])


def _definition_of(template: ChecklistTemplate) -> dict:
    """The canonical definition a stored version was made from (for the checksum)."""
    return {
        "kind": template.kind,
        "title": {"en": template.title_en, "ja": template.title_ja},
        "items": [
            {
                "code": item.code,
                "risk": item.risk.code,
                "text": {"en": item.text_en, "ja": item.text_ja},
                "guidance": {"en": item.guidance_en, "ja": item.guidance_ja},
            }
            for item in template.items.select_related("risk").order_by("position", "id")
        ],
    }


def load_shipped_checklists() -> list[ChecklistTemplate]:
    """Import (and publish) the checklists shipped in visits/checklists/; safe to rerun."""
    return [
        checklist_import(text=(SHIPPED_DIR / name).read_text(encoding="utf-8")).template
        for name in SHIPPED_FILES
    ]


def published_template(kind: str) -> ChecklistTemplate | None:
    """The newest published checklist of a kind (what a new visit answers)."""
    return (
        ChecklistTemplate.objects.filter(kind=kind, status=TemplateStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )
