"""The campaign form: what staff fill in to author a draft (parsed here, checked by the
service, whose errors come back onto these fields)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import QuestionnaireVersion, TargetRule, VersionStatus
from procurement_portal.core import forms as portal_forms
from procurement_portal.fiscal import current_fiscal_year, fiscal_year_choices
from procurement_portal.uploads import validate_upload
from suppliers.models import Category
from suppliers.regions import Region

from .services import parse_supplier_codes

CODES_MAX_BYTES = 1024 * 1024
# Service field -> form field, where they differ.
FIELD_OF = {"supplier_codes": "codes_text"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


def _int_list(value: str) -> list[int]:
    items = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        return [int(p) for p in items]
    except ValueError:
        raise ValidationError(
            _("Give whole numbers separated by commas, e.g. 14, 3."), code="invalid"
        ) from None


class CampaignForm(portal_forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    version = forms.ModelChoiceField(
        label=_("Questionnaire"),
        queryset=QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
            "questionnaire"
        ),
    )
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, choices=())
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    target_rule = forms.ChoiceField(
        label=_("Whom to ask"), choices=TargetRule.choices, widget=forms.RadioSelect
    )
    critical_only = forms.BooleanField(
        label=_("Only critical suppliers of the fiscal year"), required=False
    )
    confidential_only = forms.BooleanField(
        label=_("Only suppliers handling confidential information"), required=False
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        choices=Region.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every region."),
    )
    countries = forms.CharField(
        label=_("Countries"),
        required=False,
        max_length=2000,
        help_text=_("ISO codes separated by commas, e.g. JP, VN. Empty: every country."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every category."),
    )
    codes_file = forms.FileField(
        label=_("List of supplier codes (file)"),
        required=False,
        help_text=_("CSV (codes in the first column) or plain text, one code per line."),
    )
    codes_text = forms.CharField(
        label=_("List of supplier codes"),
        required=False,
        max_length=500_000,  # a code per supplier, every supplier of the registry
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Or paste the codes here. Used when the target is a list of codes."),
    )
    reminder_days_before = forms.CharField(
        label=_("Reminders, days before the due date"),
        required=False,
        initial="14, 3",
        max_length=100,
    )
    overdue_every_days = forms.IntegerField(
        label=_("Overdue notice every (days)"),
        initial=7,
        min_value=0,
        max_value=365,
        help_text=_("0 sends no overdue notices."),
    )
    reminder_max = forms.IntegerField(
        label=_("At most this many reminders and notices"), initial=5, min_value=0, max_value=20
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = fiscal_year_choices(back=1, ahead=1)
        if not self.is_bound:
            self.fields["fiscal_year"].initial = current_fiscal_year().year
            self.fields["opens_on"].initial = timezone.localdate()
            self.fields["target_rule"].initial = TargetRule.FILTERS

    def clean_countries(self) -> list[str]:
        raw = self.cleaned_data["countries"]
        return sorted({p.strip().upper() for p in raw.replace(";", ",").split(",") if p.strip()})

    def clean_reminder_days_before(self) -> list[int]:
        return _int_list(self.cleaned_data["reminder_days_before"])

    def clean_codes_file(self):
        upload = self.cleaned_data.get("codes_file")
        if not upload:
            return None
        validate_upload(upload, allowed=("csv", "txt"), max_bytes=CODES_MAX_BYTES)
        data = upload.read()
        for encoding in ("utf-8-sig", "cp932"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("Save the list as UTF-8 or Shift_JIS text."), code="encoding")

    def service_fields(self) -> dict:
        data = self.cleaned_data
        text = data.get("codes_file") or data.get("codes_text") or ""
        return {
            "name": data["name"],
            "version": data["version"],
            "fiscal_year": data["fiscal_year"],
            "opens_on": data["opens_on"],
            "due_date": data["due_date"],
            "target_rule": data["target_rule"],
            "critical_only": data["critical_only"],
            "confidential_only": data["confidential_only"],
            "regions": data["regions"],
            "countries": data["countries"],
            "categories": list(data["categories"]),
            "supplier_codes": parse_supplier_codes(text),
            "reminder_days_before": data["reminder_days_before"],
            "overdue_every_days": data["overdue_every_days"],
            "reminder_max": data["reminder_max"],
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        portal_forms.apply_validation_error(self, exc, field_map=FIELD_OF)

    @classmethod
    def initial_from(cls, campaign) -> dict:
        return {
            "name": campaign.name,
            "version": campaign.version_id,
            "fiscal_year": campaign.fiscal_year,
            "opens_on": campaign.opens_on,
            "due_date": campaign.due_date,
            "target_rule": campaign.target_rule,
            "critical_only": campaign.critical_only,
            "confidential_only": campaign.confidential_only,
            "regions": campaign.regions,
            "countries": ", ".join(campaign.countries),
            "categories": list(campaign.categories.all()),
            "codes_text": "\n".join(campaign.supplier_codes),
            "reminder_days_before": ", ".join(str(d) for d in campaign.reminder_days_before),
            "overdue_every_days": campaign.overdue_every_days,
            "reminder_max": campaign.reminder_max,
        }


class ResendForm(portal_forms.Form):
    """One contact to send the invitation to again: by id (a row's button) or by e-mail
    address (the form on the progress page)."""

    contact_id = forms.IntegerField(min_value=1, required=False)
    email = forms.EmailField(label=_("Contact's e-mail address"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("contact_id") and not data.get("email"):
            raise ValidationError(_("Choose a contact to send the invitation to."))
        return data
