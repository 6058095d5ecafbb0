"""Forms of the dissemination pages: they parse, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement_portal.core.forms import Form
from procurement_portal.fiscal import fiscal_year_choices
from suppliers.regions import Region

from .models import MANAGERS_MAX, Audience, AwardCategory, DocumentCategory, FileLanguage


class DocumentForm(Form):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Short stable name, e.g. green-proc.")
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=DocumentCategory.choices)


class VersionForm(Form):
    number = forms.CharField(label=_("Version"), max_length=20, help_text=_("e.g. 3.0 or 2026-04"))
    changes_en = forms.CharField(
        label=_("Summary of changes (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    changes_ja = forms.CharField(
        label=_("Summary of changes (Japanese)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    audience_fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year of the critical suppliers"),
        choices=[("", "—")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    audience_regions = forms.MultipleChoiceField(
        label=_("Regions"),
        choices=Region.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_codes = forms.CharField(
        label=_("Supplier codes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
        help_text=_("One per line, or separated by commas."),
    )
    reminder_every_days = forms.IntegerField(
        label=_("Remind the missing every (days)"),
        min_value=0,
        max_value=365,
        initial=0,
        help_text=_("0 sends no scheduled reminders."),
    )

    def clean_audience_codes(self) -> list[str]:
        raw = self.cleaned_data.get("audience_codes") or ""
        return [c.strip() for c in raw.replace(",", "\n").splitlines() if c.strip()]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience_fiscal_year"].choices = [("", "—"), *fiscal_year_choices()]


class FileForm(Form):
    language = forms.ChoiceField(label=_("Language"), choices=FileLanguage.choices)
    file = forms.FileField(label=_("PDF file"))


class MeetingForm(Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class InviteForm(Form):
    supplier_codes = forms.CharField(
        label=_("Supplier codes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
        help_text=_("One per line, or separated by commas."),
    )
    strategic_partners = forms.BooleanField(
        label=_("Every active strategic supply-chain partner"), required=False
    )

    def codes(self) -> list[str]:
        raw = self.cleaned_data.get("supplier_codes") or ""
        return [c.strip() for c in raw.replace(",", "\n").splitlines() if c.strip()]


class AttendanceForm(Form):
    managers_attended = forms.IntegerField(
        label=_("Managers attended"), min_value=0, max_value=MANAGERS_MAX, required=False
    )


class AwardForm(Form):
    supplier_code = forms.CharField(label=_("Supplier code"), max_length=40)
    category = forms.ChoiceField(label=_("Award"), choices=AwardCategory.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
