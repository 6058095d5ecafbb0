"""Stage 2, dissemination: the programme's documents with versions and acknowledgements,
and the strategic supply chain partners meetings with attendance and awards.

Why an app of its own: DESIGN.md first put guideline documents, acknowledgements and
partner meetings into ``declarations/``. DOMAIN.md's stage 2 ("Dissemination") is a step
of the programme apart from stage 1's basic contract: a declaration is a signed,
tamper-evident legal record of one supplier, while a guideline is company reference
material every supplier in an audience is asked to read, and a partners meeting is an
event the company holds. They share no model, no rule and no page with signatures, and
building both stages side by side is easier when neither edits the other's files. So
dissemination sits in the layer order just above declarations
(suppliers < assessments < declarations < dissemination < visits < reports).

Visibility: documents, versions, files and meetings belong to no single supplier, and a
supplier user sees only the ones their company was asked to read or invited to. The
access policy's ``shared`` scope says "any live user" and its querysets here narrow it
for supplier users (``visible_to`` below): the rows asked of them, through the
supplier-scoped ``AcknowledgementRequest`` and ``MeetingAttendance`` rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from procurement_portal import access
from procurement_portal.access import ScopedQuerySet
from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.fiscal import FiscalYear, fiscal_year_of, validate_fiscal_year
from procurement_portal.uploads import get_private_storage

MANAGERS_MAX = 200  # more managers than this from one supplier at one meeting is a typo


def _japanese() -> bool:
    return (get_language() or "en").startswith("ja")


class DocumentCategory(models.TextChoices):
    PROCUREMENT_POLICY = "procurement_policy", _("Procurement policy")
    SUPPLY_CHAIN_GUIDELINES = "supply_chain_guidelines", _("Supply-chain guidelines")
    GREEN_PROCUREMENT = "green_procurement", _("Green procurement guidelines")
    CHEMICAL_SUBSTANCES = "chemical_substances", _("Chemical-substance specifications")
    INFORMATION_SECURITY = "information_security", _("Information-security rules for outsourcers")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Audience(models.TextChoices):
    ALL_ACTIVE = "all_active", _("All active suppliers")
    CRITICAL = "critical", _("Critical suppliers of a fiscal year")
    REGIONS = "regions", _("Active suppliers in chosen regions")
    LISTED = "listed", _("Listed suppliers (by code)")


class FileLanguage(models.TextChoices):
    EN = "en", "English"
    JA = "ja", "日本語"


class AwardCategory(models.TextChoices):
    ENVIRONMENT = "environment", _("Environmental contribution")
    QUALITY = "quality", _("Quality")
    TECHNOLOGY = "technology", _("Technology and innovation")
    SOCIAL = "social", _("Social contribution")
    PARTNERSHIP = "partnership", _("Partnership")


def _asked_version_ids(user) -> models.QuerySet:
    return AcknowledgementRequest.objects.visible_to(user).values("version_id")


class GuidelineDocumentQuerySet(ScopedQuerySet):
    def visible_to(self, user, action=access.VIEW):
        rows = super().visible_to(user, action)
        if access.sees_all_suppliers(user):
            return rows
        return rows.filter(pk__in=GuidelineVersion.objects.visible_to(user).values("document_id"))


class GuidelineDocument(TimeStampedModel):
    """One document of the programme (the procurement policy, say), in two languages.
    Its text lives in its versions' files; the document is what suppliers recognise."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short stable name, e.g. green-proc.")
    )
    title_en = fields.CharField(_("title (English)"), max_length=200)
    title_ja = fields.CharField(_("title (Japanese)"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=32, choices=DocumentCategory.choices)

    objects = GuidelineDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("guideline document")
        verbose_name_plural = _("guideline documents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=[c.value for c in DocumentCategory]),
                name="guideline_document_category_valid",
                violation_error_message=_("Unknown document category."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def title(self) -> str:
        return self.title_ja if _japanese() and self.title_ja else self.title_en


class GuidelineVersionQuerySet(ScopedQuerySet):
    def visible_to(self, user, action=access.VIEW):
        rows = super().visible_to(user, action)
        if access.sees_all_suppliers(user):
            return rows
        return rows.filter(pk__in=_asked_version_ids(user))


class GuidelineVersion(TimeStampedModel):
    """A version of a document. A draft is edited and given files; publishing freezes it
    and asks every supplier in its audience (fixed then, as ``AcknowledgementRequest``
    rows) to read and acknowledge it; publishing a newer version retires this one."""

    document = models.ForeignKey(
        GuidelineDocument,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("document"),
    )
    number = fields.CharField(_("version"), max_length=20, help_text=_("e.g. 3.0 or 2026-04"))
    published_on = models.DateField(_("published on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    changes_en = fields.TextField(_("summary of changes (English)"), blank=True)
    changes_ja = fields.TextField(_("summary of changes (Japanese)"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.ALL_ACTIVE
    )
    audience_fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year of the critical suppliers"),
        null=True,
        blank=True,
        validators=[validate_fiscal_year],
    )
    audience_regions = models.JSONField(_("regions"), default=list, blank=True)
    audience_codes = models.JSONField(_("supplier codes"), default=list, blank=True)
    reminder_every_days = models.PositiveSmallIntegerField(
        _("remind the missing every (days)"),
        default=0,
        validators=[MaxValueValidator(365)],
        help_text=_("0 sends no scheduled reminders."),
    )
    reminder_round = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    asked_count = models.PositiveIntegerField(_("suppliers asked"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = GuidelineVersionQuerySet.as_manager()

    class Meta:
        ordering = ["document_id", "-published_on", "-id"]
        verbose_name = _("guideline version")
        verbose_name_plural = _("guideline versions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="guideline_version_unique_number",
                violation_error_message=_("This document already has a version with this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in VersionStatus]),
                name="guideline_version_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(audience__in=[a.value for a in Audience]),
                name="guideline_version_audience_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_on__isnull=False),
                name="guideline_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.code} {self.number}"

    @property
    def changes(self) -> str:
        return self.changes_ja if _japanese() and self.changes_ja else self.changes_en

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class GuidelineFileQuerySet(ScopedQuerySet):
    def visible_to(self, user, action=access.VIEW):
        rows = super().visible_to(user, action)
        if access.sees_all_suppliers(user):
            return rows
        return rows.filter(version_id__in=_asked_version_ids(user))


class GuidelineFile(TimeStampedModel):
    """The PDF of a version in one language (at most one per language)."""

    version = models.ForeignKey(
        GuidelineVersion, on_delete=models.CASCADE, related_name="files", verbose_name=_("version")
    )
    language = models.CharField(_("language"), max_length=2, choices=FileLanguage.choices)
    file = models.FileField(_("file"), storage=get_private_storage, upload_to="guidelines/")
    original_name = fields.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"), default=0)

    objects = GuidelineFileQuerySet.as_manager()

    class Meta:
        ordering = ["version_id", "language"]
        verbose_name = _("guideline file")
        verbose_name_plural = _("guideline files")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"],
                name="guideline_file_one_per_language",
                violation_error_message=_("This version already has a file in this language."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} [{self.language}] {self.original_name}"


class AcknowledgementRequest(TimeStampedModel):
    """A supplier asked to read a published version: the audience fixed at publication,
    so coverage counts against the suppliers actually asked."""

    supplier_path = "supplier"

    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="requests")
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="guideline_requests"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["version_id", "supplier_id"]
        verbose_name = _("acknowledgement request")
        verbose_name_plural = _("acknowledgement requests")
        constraints = [
            models.UniqueConstraint(fields=["version", "supplier"], name="guideline_request_unique")
        ]
        indexes = [models.Index(fields=["supplier", "version"], name="guideline_request_supplier")]

    def __str__(self) -> str:
        return f"{self.version} → {self.supplier_id}"


class Acknowledgement(TimeStampedModel):
    """A supplier user's statement that their company has read a version."""

    supplier_path = "supplier"

    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.CASCADE,
        related_name="guideline_acknowledgements",
        verbose_name=_("supplier"),
    )
    version = models.ForeignKey(
        GuidelineVersion,
        on_delete=models.PROTECT,
        related_name="acknowledgements",
        verbose_name=_("version"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "version"],
                name="guideline_ack_unique",
                violation_error_message=_("This version is already acknowledged."),
            )
        ]
        indexes = [
            models.Index(fields=["version", "supplier"], name="guideline_ack_version"),
            # The coverage's latest acknowledgements without sorting all of them.
            models.Index(fields=["version", "-acknowledged_at"], name="guideline_ack_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} read {self.version_id}"


class PartnerMeetingQuerySet(ScopedQuerySet):
    def visible_to(self, user, action=access.VIEW):
        rows = super().visible_to(user, action)
        if access.sees_all_suppliers(user):
            return rows
        invited = MeetingAttendance.objects.visible_to(user).values("meeting_id")
        return rows.filter(pk__in=invited)

    def in_fiscal_year(self, fiscal_year: int | FiscalYear):
        year = fiscal_year if isinstance(fiscal_year, FiscalYear) else FiscalYear(fiscal_year)
        return self.filter(date__range=(year.start, year.end))


class PartnerMeeting(TimeStampedModel):
    """A strategic supply chain partners meeting the company holds."""

    date = fields.DateField(_("date"))
    title = fields.CharField(_("title"), max_length=200)
    place = fields.CharField(_("place"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = PartnerMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("partners meeting")
        verbose_name_plural = _("partners meetings")

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    @property
    def fiscal_year(self) -> FiscalYear:
        return fiscal_year_of(self.date)


class MeetingAttendance(TimeStampedModel):
    """A supplier at a meeting: invited or not, and how many of its managers came
    (unknown until recorded)."""

    supplier_path = "supplier"

    meeting = models.ForeignKey(
        PartnerMeeting, on_delete=models.CASCADE, related_name="attendances"
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.CASCADE,
        related_name="meeting_attendances",
        verbose_name=_("supplier"),
    )
    invited = models.BooleanField(_("invited"), default=True)
    managers_attended = models.PositiveSmallIntegerField(
        _("managers attended"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MANAGERS_MAX)],
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_id", "supplier__code"]
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "supplier"],
                name="meeting_attendance_unique",
                violation_error_message=_("This supplier is already on the meeting's list."),
            ),
            models.CheckConstraint(
                condition=models.Q(managers_attended__isnull=True)
                | models.Q(managers_attended__gte=0, managers_attended__lte=MANAGERS_MAX),
                name="meeting_attendance_managers_bounds",
                violation_error_message=_("Managers attended must be from 0 to 200."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} {self.supplier_id}: {self.managers_attended}"


class Award(TimeStampedModel):
    """An award given to a supplier at a meeting."""

    supplier_path = "supplier"

    meeting = models.ForeignKey(PartnerMeeting, on_delete=models.CASCADE, related_name="awards")
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.CASCADE,
        related_name="awards",
        verbose_name=_("supplier"),
    )
    category = models.CharField(_("category"), max_length=16, choices=AwardCategory.choices)
    note = fields.TextField(_("note"), blank=True, max_length=2000)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_id", "category", "id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=[c.value for c in AwardCategory]),
                name="award_category_valid",
                violation_error_message=_("Unknown award category."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.get_category_display()} {self.supplier_id}"
