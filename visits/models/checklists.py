"""Checklist templates for on-site visits, and the guidance categories of findings.

A template is versioned data authored as YAML (docs/checklist-format.md), like the
self-assessment questionnaires: a draft until published, frozen once published, so every
visit stays tied to the exact wording its inspector answered. Each visit kind (Supplier
Visit Record, information-security visit) has its own series of versions.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models._text import in_language
from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.core.text import LONG_TEXT_MAX_LENGTH
from suppliers.models import PriorityRisk


class VisitKind(models.TextChoices):
    SVR = "svr", _("Supplier Visit Record")
    INFOSEC = "infosec", _("Information-security visit")


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ChecklistTemplate(TimeStampedModel):
    """One frozen version of the checklist for a visit kind; visits answer a version."""

    shared = True  # reference data: every signed-in user reads it (access.scope_of)

    kind = models.CharField(_("kind"), max_length=16, choices=VisitKind.choices)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    title_en = fields.CharField(_("title (English)"), max_length=200)
    title_ja = fields.CharField(_("title (Japanese)"), max_length=200, blank=True)
    # The YAML it was imported from, kept as authored so an export gives it back unchanged.
    source = models.TextField(_("source (YAML)"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"],
                name="checklist_version_unique",
                violation_error_message=_("This checklist version exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in VisitKind]),
                name="checklist_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in TemplateStatus]),
                name="checklist_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def title(self) -> str:
        return in_language(self.title_en, self.title_ja)


class ChecklistItem(TimeStampedModel):
    """One thing the inspector checks on site, tagged with the priority risk it serves."""

    shared = True

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=60)
    text_en = fields.TextField(_("text (English)"), max_length=LONG_TEXT_MAX_LENGTH)
    text_ja = fields.TextField(_("text (Japanese)"), max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    guidance_en = fields.TextField(
        _("guidance (English)"), max_length=LONG_TEXT_MAX_LENGTH, blank=True
    )
    guidance_ja = fields.TextField(
        _("guidance (Japanese)"), max_length=LONG_TEXT_MAX_LENGTH, blank=True
    )
    risk = models.ForeignKey(PriorityRisk, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["template_id", "position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "code"],
                name="checklist_item_code_unique",
                violation_error_message=_("Each item code appears once in a checklist."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text_en[:50]}"

    @property
    def text(self) -> str:
        return in_language(self.text_en, self.text_ja)

    @property
    def guidance(self) -> str:
        return in_language(self.guidance_en, self.guidance_ja)


class GuidanceCategory(TimeStampedModel):
    """What kind of guidance a finding gives (confidential labelling, working hours...):
    data, in both languages, so the yearly report can count findings per category."""

    shared = True

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = fields.CharField(_("name (English)"), max_length=200)
    name_ja = fields.CharField(_("name (Japanese)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("guidance category")
        verbose_name_plural = _("guidance categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_en, self.name_ja)
