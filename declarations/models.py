"""Declarations: the texts suppliers sign, their signatures and revocations.

A ``DeclarationKind`` (environment and safety-and-health management; responsible
business conduct) has numbered ``DeclarationVersion`` texts in English and Japanese. A
published version is frozen: its text, number, audience and dates never change again
(``clean()`` here and the services refuse it). Only the newest published version of a
kind can be signed; publishing a new one retires the one before.

A ``Signature`` is a tamper-evident record: the exact canonical JSON of what was signed
is stored beside its SHA-256, and every signature also carries the hash of the one
before it (``previous_hash``, ordered by ``sequence``), so a row changed or removed
behind the portal's back breaks the chain (``services.verify_chain``). Rows are never
updated or deleted: database triggers refuse it (migration 0002), whatever the path.
A ``Revocation`` is a separate record, equally immutable, from whose effective date the
signature stops counting.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from procurement_portal.access import ScopedQuerySet
from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.core.text import LONG_TEXT_MAX_LENGTH
from procurement_portal.fiscal import FiscalYear, validate_fiscal_year
from procurement_portal.uploads import get_private_storage
from suppliers.models import LANGUAGE_CHOICES, Supplier

# Declaration texts are long legal prose; a wider bound than the portal's long text.
DECLARATION_TEXT_MAX_LENGTH = 4 * LONG_TEXT_MAX_LENGTH
# What a signer types: a full name and a job title.
SIGNER_FIELD_MAX_LENGTH = 200
ZERO_HASH = "0" * 64


def _in_japanese() -> bool:
    return (get_language() or "en").startswith("ja")


class DeclarationKind(TimeStampedModel):
    """What a declaration is about, and which criteria (environmental, social) it covers."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = fields.CharField(_("name (English)"), max_length=200)
    name_ja = fields.CharField(_("name (Japanese)"), max_length=200)
    covers_environmental = models.BooleanField(_("covers environmental criteria"), default=False)
    covers_social = models.BooleanField(_("covers social criteria"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("declaration kind")
        verbose_name_plural = _("declaration kinds")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ja if _in_japanese() else self.name_en


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Audience(models.TextChoices):
    NEW_SUPPLIERS = "new_suppliers", _("New suppliers of a fiscal year")
    CRITICAL_SUPPLIERS = "critical_suppliers", _("Critical suppliers of a fiscal year")
    ALL_ACTIVE = "all_active", _("All active suppliers")


# The fields of a version that are frozen once it is published (status may still move
# from published to retired).
FROZEN_FIELDS = (
    "kind_id",
    "number",
    "effective_date",
    "title_en",
    "title_ja",
    "text_en",
    "text_ja",
    "audience",
    "audience_fiscal_year",
    "audience_regions",
    "published_at",
)


class DeclarationVersion(TimeStampedModel):
    """One numbered text of a kind, in English and Japanese, with whom it asks to sign."""

    kind = models.ForeignKey(
        DeclarationKind, on_delete=models.PROTECT, related_name="versions", verbose_name=_("kind")
    )
    number = models.PositiveIntegerField(_("version number"))
    effective_date = fields.DateField(_("effective date"))
    title_en = fields.CharField(_("title (English)"), max_length=255)
    title_ja = fields.CharField(_("title (Japanese)"), max_length=255)
    text_en = fields.TextField(_("text (English)"), max_length=DECLARATION_TEXT_MAX_LENGTH)
    text_ja = fields.TextField(_("text (Japanese)"), max_length=DECLARATION_TEXT_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=24, choices=Audience.choices, default=Audience.NEW_SUPPLIERS
    )
    audience_fiscal_year = models.PositiveSmallIntegerField(
        _("audience fiscal year"), null=True, blank=True, validators=[validate_fiscal_year]
    )
    audience_regions = models.JSONField(
        _("audience regions"),
        default=list,
        blank=True,
        help_text=_("Region codes; none means every region."),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind_id", "-number"]
        verbose_name = _("declaration version")
        verbose_name_plural = _("declaration versions")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"],
                name="declaration_version_unique_number",
                violation_error_message=_("This kind already has a version with this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in VersionStatus]),
                name="declaration_version_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(audience__in=[a.value for a in Audience]),
                name="declaration_version_audience_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind.code} v{self.number}"

    @property
    def title(self) -> str:
        return self.title_ja if _in_japanese() else self.title_en

    def text_in(self, language: str) -> str:
        return self.text_ja if language == "ja" else self.text_en

    def title_in(self, language: str) -> str:
        return self.title_ja if language == "ja" else self.title_en

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def audience_label(self) -> str:
        label = str(Audience(self.audience).label)
        if self.audience_fiscal_year and self.audience != Audience.ALL_ACTIVE:
            label = f"{label}: {FiscalYear(self.audience_fiscal_year)}"
        return label

    def clean(self) -> None:
        from suppliers.regions import Region

        errors: dict[str, list] = {}
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values(*FROZEN_FIELDS, "status").first()
            if stored and stored["status"] != VersionStatus.DRAFT:
                changed = [f for f in FROZEN_FIELDS if stored[f] != getattr(self, f)]
                if changed or self.status == VersionStatus.DRAFT:
                    raise ValidationError(
                        _("A published version is frozen: publish a new version instead."),
                        code="frozen",
                    )
        yearly = self.audience in (Audience.NEW_SUPPLIERS, Audience.CRITICAL_SUPPLIERS)
        if yearly and not self.audience_fiscal_year:
            errors.setdefault("audience_fiscal_year", []).append(
                _("Give the fiscal year of this audience.")
            )
        regions = self.audience_regions
        if not isinstance(regions, list) or any(r not in Region.values for r in regions):
            errors.setdefault("audience_regions", []).append(
                _("Use region codes from: %(codes)s.") % {"codes": ", ".join(Region.values)}
            )
        if errors:
            raise ValidationError(errors)


class Channel(models.TextChoices):
    PORTAL = "portal", _("Signed in the portal")
    PAPER = "paper", _("Signed on paper")


class Signature(models.Model):
    """A supplier's signature of one declaration version: never edited, never deleted.

    ``canonical`` is the exact JSON text that was hashed into ``content_hash``; it names
    the previous signature's hash and this row's ``sequence``, which makes the chain.
    """

    supplier_path = "supplier"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("supplier")
    )
    version = models.ForeignKey(
        DeclarationVersion,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("declaration version"),
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.PORTAL
    )
    signed_at = models.DateTimeField(_("signed at"))
    signer_name = fields.CharField(_("full name"), max_length=SIGNER_FIELD_MAX_LENGTH)
    signer_title = fields.CharField(_("job title"), max_length=SIGNER_FIELD_MAX_LENGTH)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    scan = models.FileField(
        _("scanned declaration"), storage=get_private_storage, max_length=200, blank=True
    )
    scan_name = models.CharField(_("scan file name"), max_length=200, blank=True)
    canonical = models.TextField(_("canonical record"))
    content_hash = models.CharField(_("SHA-256"), max_length=64, unique=True)
    previous_hash = models.CharField(_("previous SHA-256"), max_length=64)
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-sequence"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "version"],
                condition=models.Q(channel="portal"),
                name="signature_portal_once_per_version",
                violation_error_message=_("This supplier has already signed this version."),
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=[c.value for c in Channel]),
                name="signature_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(sequence__gt=0), name="signature_sequence_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(content_hash__regex=r"^[0-9a-f]{64}$")
                & models.Q(previous_hash__regex=r"^[0-9a-f]{64}$"),
                name="signature_hashes_hex",
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "version"], name="signature_supplier_version"),
            models.Index(fields=["version", "signed_at"], name="signature_version_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier.code} {self.version} ({self.signed_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        # Only the services create signatures, and nothing updates them (the trigger would
        # refuse it anyway); saying so here gives Python callers a clear message first.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("A signature can never be changed."), code="immutable")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("declarations:signature-detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A signature can never be deleted."), code="immutable")

    @property
    def signed_on(self):
        """The signing date in the portal's time zone (revocations are compared to it)."""
        return timezone.localdate(self.signed_at)


class Revocation(models.Model):
    """Staff's revocation of a signature, from an effective date on; never changed."""

    supplier_path = "signature__supplier"

    signature = models.OneToOneField(
        Signature,
        on_delete=models.PROTECT,
        related_name="revocation",
        verbose_name=_("signature"),
    )
    reason = fields.TextField(_("reason"))
    effective_date = fields.DateField(_("effective date"), default=timezone.localdate)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")

    def __str__(self) -> str:
        return f"{self.signature} revoked from {self.effective_date}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("A revocation can never be changed."), code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A revocation can never be deleted."), code="immutable")
