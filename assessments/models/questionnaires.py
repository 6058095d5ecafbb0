"""Questionnaires as versioned data: a questionnaire has versions; a version has sections,
sections have questions, choice questions have choices.

A version is a draft until published; once published it is frozen (the services refuse
to change it, and a changed definition becomes a new version), so every answer stays
tied to the exact wording it answered.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.core.text import LONG_TEXT_MAX_LENGTH
from suppliers.models import PriorityRisk

from ._text import in_language


class QuestionnaireKind(models.TextChoices):
    SUSTAINABILITY = "sustainability", _("Sustainability")
    INFORMATION_SECURITY = "information_security", _("Information security")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    SINGLE = "single_choice", _("Single choice")
    MULTIPLE = "multiple_choice", _("Multiple choice")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    TEXT = "text", _("Free text")
    FILE = "file", _("Evidence file")


CHOICE_TYPES = frozenset({QuestionType.YES_NO, QuestionType.SINGLE, QuestionType.MULTIPLE})


class Questionnaire(TimeStampedModel):
    """A questionnaire family (say, the sustainability SAQ), identified by a stable code."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=QuestionnaireKind.choices)
    title_en = fields.CharField(_("title (English)"), max_length=200)
    title_ja = fields.CharField(_("title (Japanese)"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in QuestionnaireKind]),
                name="questionnaire_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.title_en, self.title_ja)


class QuestionnaireVersion(TimeStampedModel):
    """One frozen wording of a questionnaire. Assessments answer a version."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title_en = fields.CharField(_("title (English)"), max_length=200)
    title_ja = fields.CharField(_("title (Japanese)"), max_length=200, blank=True)
    intro_en = fields.TextField(
        _("introduction (English)"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    intro_ja = fields.TextField(
        _("introduction (Japanese)"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Fingerprint of the definition (sha256 of its canonical form as sorted-key JSON):
    # importing the same file again finds this version instead of making a new one.
    checksum = models.CharField(_("checksum"), max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["questionnaire__code", "-number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"],
                name="questionnaire_version_unique_number",
                violation_error_message=_(
                    "This questionnaire already has a version with this number."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in VersionStatus]),
                name="questionnaire_version_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def title(self) -> str:
        return in_language(self.title_en, self.title_ja)

    @property
    def intro(self) -> str:
        return in_language(self.intro_en, self.intro_ja)

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT


class Section(TimeStampedModel):
    """A page of a questionnaire version: questions answered together."""

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections"
    )
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveIntegerField(_("position"), default=0)
    title_en = fields.CharField(_("title (English)"), max_length=200)
    title_ja = fields.CharField(_("title (Japanese)"), max_length=200, blank=True)
    description_en = fields.TextField(
        _("description (English)"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    description_ja = fields.TextField(
        _("description (Japanese)"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )

    class Meta:
        ordering = ["version_id", "position", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="section_unique_code_per_version",
                violation_error_message=_("Two sections of this version have the same code."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.title_en, self.title_ja)

    @property
    def description(self) -> str:
        return in_language(self.description_en, self.description_ja)


class Question(TimeStampedModel):
    """One question. Belongs to one priority risk; scored through its choices and weight.

    ``show_if_question`` / ``show_if_values``: the question is shown (and required) only
    when that earlier question's answer is one of those choice codes.
    """

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveIntegerField(_("position"), default=0)
    risk = models.ForeignKey(
        PriorityRisk, on_delete=models.PROTECT, related_name="questions", verbose_name=_("risk")
    )
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    text_en = fields.TextField(_("question (English)"), max_length=LONG_TEXT_MAX_LENGTH)
    text_ja = fields.TextField(
        _("question (Japanese)"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    help_en = fields.TextField(_("help (English)"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    help_ja = fields.TextField(_("help (Japanese)"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    required = models.BooleanField(_("required"), default=True)
    allow_not_applicable = models.BooleanField(_("not applicable allowed"), default=False)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
        help_text=_("How much this question counts in its risk's score; 0 for unscored."),
    )
    unit_en = fields.CharField(_("unit (English)"), max_length=40, blank=True)
    unit_ja = fields.CharField(_("unit (Japanese)"), max_length=40, blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    show_if_question = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dependent_questions",
        verbose_name=_("shown only if question"),
    )
    show_if_values = models.JSONField(_("shown only if answer is one of"), default=list, blank=True)

    class Meta:
        ordering = ["version_id", "section__position", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="question_unique_code_per_version",
                violation_error_message=_("Two questions of this version have the same code."),
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=[t.value for t in QuestionType]),
                name="question_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(min_value__lte=models.F("max_value")),
                name="question_bounds_ordered",
                violation_error_message=_("The minimum must not be greater than the maximum."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"

    @property
    def text(self) -> str:
        return in_language(self.text_en, self.text_ja)

    @property
    def help(self) -> str:
        return in_language(self.help_en, self.help_ja)

    @property
    def unit(self) -> str:
        return in_language(self.unit_en, self.unit_ja)

    @property
    def has_choices(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def is_scored(self) -> bool:
        return self.has_choices and self.weight > 0


class Choice(TimeStampedModel):
    """One option of a choice question, with the score (0-100) it earns."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    code = models.SlugField(_("code"), max_length=60)
    position = models.PositiveIntegerField(_("position"), default=0)
    label_en = fields.CharField(_("label (English)"), max_length=300)
    label_ja = fields.CharField(_("label (Japanese)"), max_length=300, blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("0 to 100: how well this answer meets the requirement."),
    )

    class Meta:
        ordering = ["question_id", "position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "code"],
                name="choice_unique_code_per_question",
                violation_error_message=_("Two choices of this question have the same code."),
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="choice_score_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_language(self.label_en, self.label_ja)
