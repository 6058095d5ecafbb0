"""The supplier registry: suppliers, their sites and contacts, spend and designations."""

from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from procurement_portal.access import ScopedQuerySet
from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.fiscal import FiscalYear, validate_fiscal_year

from .regions import Region, region_expression

LANGUAGE_CHOICES = [("en", "English"), ("ja", "日本語")]

supplier_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
    _("Use 1-40 letters, digits, dots, dashes or underscores, starting with a letter or digit."),
)
_CURRENCY_FORMAT = RegexValidator(
    r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 currency code such as JPY or USD.")
)


def currency_validator(value: str) -> None:
    """Three capital letters that name a real currency (ISO 4217, from Babel's data)."""
    from babel.numbers import list_currencies
    from django.core.exceptions import ValidationError

    _CURRENCY_FORMAT(value)
    if value not in list_currencies():
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code, such as JPY or USD."),
            code="unknown_currency",
            params={"value": value},
        )


class PriorityRisk(TimeStampedModel):
    """One of the six priority risks every requirement and finding is tagged with."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = fields.CharField(_("name (English)"), max_length=120)
    name_ja = fields.CharField(_("name (Japanese)"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("priority risk")
        verbose_name_plural = _("priority risks")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ja if (get_language() or "en").startswith("ja") else self.name_en


class Category(TimeStampedModel):
    """What a supplier supplies: hardware, software, services, components, logistics."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = fields.CharField(_("name (English)"), max_length=120)
    name_ja = fields.CharField(_("name (Japanese)"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ja if (get_language() or "en").startswith("ja") else self.name_en


class SupplierStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ONBOARDING = "onboarding", _("Onboarding")
    SUSPENDED = "suspended", _("Suspended")
    INACTIVE = "inactive", _("Inactive")
    # The relationship ended, with a date and a reason (GRI 308-2 / 414-2 count suppliers
    # whose relationship was terminated after significant negative impacts).
    TERMINATED = "terminated", _("Terminated")


class Supplier(TimeStampedModel):
    """A company the manufacturer buys from, identified by a stable external code."""

    supplier_path = ""

    code = models.CharField(
        _("supplier code"),
        max_length=40,
        unique=True,
        validators=[supplier_code_validator],
        help_text=_("Stable external code from the purchasing system."),
    )
    legal_name = fields.CharField(_("legal name"), max_length=255)
    local_name = fields.CharField(
        _("name in local script"), max_length=255, blank=True, help_text=_("e.g. 株式会社…")
    )
    country = CountryField(_("country"))
    region = models.GeneratedField(
        expression=region_expression("country"),
        output_field=models.CharField(max_length=16, choices=Region.choices),
        db_persist=True,
        verbose_name=_("region"),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    categories = models.ManyToManyField(
        Category, related_name="suppliers", blank=True, verbose_name=_("categories")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SupplierStatus.choices, default=SupplierStatus.ACTIVE
    )
    transactions_started_on = fields.DateField(_("transactions started on"), null=True, blank=True)
    is_strategic_partner = models.BooleanField(_("strategic supply-chain partner"), default=False)
    handles_confidential_info = models.BooleanField(
        _("handles confidential information"), default=False
    )
    terminated_on = fields.DateField(_("relationship terminated on"), null=True, blank=True)
    termination_reason = fields.TextField(_("reason for the termination"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        indexes = [
            models.Index(fields=["region", "code"], name="supplier_region_code"),
            models.Index(fields=["country", "code"], name="supplier_country_code"),
            models.Index(fields=["status", "code"], name="supplier_status_code"),
            models.Index(Upper("legal_name"), name="supplier_legal_name_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in SupplierStatus]),
                name="supplier_status_valid",
                violation_error_message=_("Unknown supplier status."),
            ),
            # A terminated relationship always says when and why (the annual figures
            # count terminations by their date). A supplier taken back keeps the old date
            # and reason as history; only the status says the relationship is over.
            models.CheckConstraint(
                condition=~models.Q(status=SupplierStatus.TERMINATED)
                | (models.Q(terminated_on__isnull=False) & ~models.Q(termination_reason="")),
                name="supplier_termination_complete",
                violation_error_message=_(
                    "A terminated supplier needs the date and the reason of the termination."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.legal_name}"

    @property
    def region_label(self) -> str:
        # A generated column gets no get_region_display(); the pages need the name.
        return Region(self.region).label if self.region else ""

    @property
    def display_name(self) -> str:
        if self.local_name and (get_language() or "en").startswith("ja"):
            return self.local_name
        return self.legal_name


class Site(TimeStampedModel):
    """An operation site of a supplier (factory, office, warehouse)."""

    supplier_path = "supplier"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="sites")
    name = fields.CharField(_("site name"), max_length=255)
    address = fields.TextField(_("address"), blank=True)
    city = fields.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["supplier_id", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "name"],
                name="site_unique_name_per_supplier",
                violation_error_message=_("This supplier already has a site with this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})"


class Contact(TimeStampedModel):
    """A person at a supplier the company writes to. Holds personal data: keep it lean."""

    supplier_path = "supplier"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = fields.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = fields.CharField(_("phone"), max_length=40, blank=True)
    job_title = fields.CharField(_("job title"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    is_primary = models.BooleanField(_("primary contact"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["supplier_id", "-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "email"],
                name="contact_unique_email_per_supplier",
                violation_error_message=_("This supplier already has a contact with this e-mail."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class SupplierSpend(TimeStampedModel):
    """Procurement amount with one supplier in one fiscal year."""

    supplier_path = "supplier"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="spend")
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[validate_fiscal_year]
    )
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="JPY", validators=[currency_validator]
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["supplier_id", "-fiscal_year"]
        verbose_name = _("procurement spend")
        verbose_name_plural = _("procurement spend")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "fiscal_year"],
                name="spend_unique_per_year",
                violation_error_message=_("Spend for this supplier and fiscal year exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="spend_amount_not_negative",
                violation_error_message=_("Amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier.code} {FiscalYear(self.fiscal_year)}: {self.amount} {self.currency}"


class CriticalDesignation(TimeStampedModel):
    """A supplier designated critical for one fiscal year, with the reasons why."""

    supplier_path = "supplier"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="critical_designations"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[validate_fiscal_year]
    )
    large_procurement_amount = models.BooleanField(_("large procurement amount"), default=False)
    rare_product = models.BooleanField(_("supplier of rare products"), default=False)
    hard_to_replace = models.BooleanField(_("cannot easily be replaced"), default=False)
    note = fields.TextField(_("note"), blank=True)
    designated_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("designated by"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "supplier_id"]
        verbose_name = _("critical-supplier designation")
        verbose_name_plural = _("critical-supplier designations")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "fiscal_year"],
                name="designation_unique_per_year",
                violation_error_message=_("This supplier is already designated for that year."),
            ),
            models.CheckConstraint(
                condition=models.Q(large_procurement_amount=True)
                | models.Q(rare_product=True)
                | models.Q(hard_to_replace=True),
                name="designation_has_reason",
                violation_error_message=_("Give at least one reason for the designation."),
            ),
        ]
        indexes = [models.Index(fields=["fiscal_year", "supplier"], name="designation_year")]

    def __str__(self) -> str:
        return f"{self.supplier.code} critical in {FiscalYear(self.fiscal_year)}"

    @property
    def reasons(self) -> list[str]:
        labels = []
        for field in ("large_procurement_amount", "rare_product", "hard_to_replace"):
            if getattr(self, field):
                labels.append(str(self._meta.get_field(field).verbose_name))
        return labels


class CdpParticipation(TimeStampedModel):
    """A supplier taking part in the CDP Supply Chain programme in one fiscal year (the
    document check's climate questionnaire, answered on CDP's own platform)."""

    supplier_path = "supplier"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="cdp_participations"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[validate_fiscal_year]
    )
    responded = models.BooleanField(
        _("responded"),
        default=True,
        help_text=_("The supplier answered CDP's questionnaire that year."),
    )
    note = fields.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "supplier_id"]
        verbose_name = _("CDP Supply Chain participation")
        verbose_name_plural = _("CDP Supply Chain participations")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "fiscal_year"],
                name="cdp_participation_unique_per_year",
                violation_error_message=_(
                    "This supplier is already recorded in the CDP programme for that year."
                ),
            )
        ]
        indexes = [models.Index(fields=["fiscal_year", "supplier"], name="cdp_year_supplier")]

    def __str__(self) -> str:
        return f"{self.supplier.code} CDP {FiscalYear(self.fiscal_year)}"


class CurrencyRate(TimeStampedModel):
    """How many units of the reporting currency one unit of ``currency`` was worth in a
    fiscal year: the annual figures convert spend with it. Rates are data (kept per year,
    so last year's report stays what it was); the reporting currency is the setting
    ``REPORTING_CURRENCY``, whose own rate is 1 without a row."""

    shared = True  # reference data every signed-in user may read

    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[validate_fiscal_year]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    rate = models.DecimalField(
        _("rate to the reporting currency"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["-fiscal_year", "currency"]
        verbose_name = _("currency rate")
        verbose_name_plural = _("currency rates")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "currency"],
                name="currency_rate_unique_per_year",
                violation_error_message=_("This currency already has a rate for that year."),
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0),
                name="currency_rate_positive",
                violation_error_message=_("A rate must be above zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {FiscalYear(self.fiscal_year)}: {self.rate}"


from suppliers.imports.models import ImportJob  # noqa: E402,F401
