"""Forms of the declaration pages: they parse input; the services decide (and name the
field of every refusal, shown at that field through ``core.forms.apply_validation_error``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement_portal.core.forms import Form
from procurement_portal.fiscal import current_fiscal_year, fiscal_year_choices
from suppliers.models import LANGUAGE_CHOICES

from .models import SIGNER_FIELD_MAX_LENGTH, DeclarationKind, DeclarationVersion, VersionStatus


class SignForm(Form):
    supplier = forms.TypedChoiceField(label=_("Company"), coerce=int)
    signer_name = forms.CharField(
        label=_("Full name"),
        max_length=SIGNER_FIELD_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    signer_title = forms.CharField(
        label=_("Job title"),
        max_length=SIGNER_FIELD_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    confirmed = forms.BooleanField(
        label=_(
            "I have read this declaration and I sign it on behalf of my company. "
            "I understand that my typed name is my signature."
        ),
        required=False,  # the service refuses a missing confirmation, naming the field
    )

    def __init__(self, *args, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = [(s.pk, s.display_name) for s in suppliers]
        if len(suppliers) == 1:
            self.fields["supplier"].initial = suppliers[0].pk
            self.fields["supplier"].widget = forms.HiddenInput()


class RevokeForm(Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
    effective_date = forms.DateField(
        label=_("Effective date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The signature stops counting from this day. Today unless it is earlier."),
    )


def _signable_versions():
    return (
        DeclarationVersion.objects.exclude(status=VersionStatus.DRAFT)
        .select_related("kind")
        .order_by("kind__code", "-number")
    )


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DeclarationVersion) -> str:
        return f"{obj.title} (v{obj.number}, {obj.get_status_display()})"


class PaperSignatureForm(Form):
    supplier_code = forms.CharField(label=_("Supplier code"), max_length=40)
    version = VersionChoiceField(
        label=_("Declaration version"), queryset=DeclarationVersion.objects
    )
    signed_on = forms.DateField(
        label=_("Date signed"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date written on the paper; earlier years are fine, the future is not."),
    )
    signer_name = forms.CharField(label=_("Signer's full name"), max_length=SIGNER_FIELD_MAX_LENGTH)
    signer_title = forms.CharField(
        label=_("Signer's job title"), max_length=SIGNER_FIELD_MAX_LENGTH
    )
    language = forms.ChoiceField(label=_("Language of the declaration"), choices=LANGUAGE_CHOICES)
    scan = forms.FileField(
        label=_("Scanned declaration"), help_text=_("PDF, PNG or JPEG, up to 20 MB.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = _signable_versions()


class PaperImportForm(Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (UTF-8) or Excel .xlsx, in the format described below.")
    )


class CoverageForm(Form):
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    kind = forms.ModelChoiceField(
        label=_("Declaration"), queryset=DeclarationKind.objects, to_field_name="code"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = fiscal_year_choices(back=8, ahead=0)
        self.fields["fiscal_year"].initial = current_fiscal_year().year
        self.fields["kind"].queryset = DeclarationKind.objects.order_by("code")
        self.fields["kind"].initial = "env-safety-health"
        self.fields["kind"].label_from_instance = lambda kind: kind.name
