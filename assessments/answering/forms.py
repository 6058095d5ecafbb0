"""Forms of the supplier's side: staff assigning a questionnaire by hand."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import QuestionnaireVersion, VersionStatus
from procurement_portal.core import forms as portal_forms
from procurement_portal.fiscal import current_fiscal_year, fiscal_year_choices
from suppliers.models import Supplier


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: QuestionnaireVersion) -> str:
        return f"{obj.questionnaire.title} · v{obj.number}"


class AssignForm(portal_forms.Form):
    """Supplier (by code), published version, fiscal year, due date, carry-over."""

    supplier_code = forms.CharField(
        label=_("Supplier code"),
        max_length=40,
        help_text=_("As shown in the supplier list, for example ACME-001."),
    )
    version = VersionChoiceField(
        label=_("Questionnaire version"),
        queryset=QuestionnaireVersion.objects.none(),
        empty_label=_("Choose a published questionnaire"),
    )
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    carry_over = forms.BooleanField(
        label=_("Pre-fill from last year's answers"),
        required=False,
        initial=True,
        help_text=_("The supplier confirms each carried-over answer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = (
            QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .select_related("questionnaire")
            .order_by("questionnaire__code", "-number")
        )
        self.fields["fiscal_year"].choices = fiscal_year_choices(back=2, ahead=1)
        self.fields["fiscal_year"].initial = current_fiscal_year().year

    def clean_supplier_code(self) -> Supplier:
        code = self.cleaned_data["supplier_code"].strip()
        supplier = Supplier.objects.filter(code__iexact=code).first()
        if supplier is None:
            raise forms.ValidationError(
                _("No supplier has the code “%(code)s”."), params={"code": code}, code="unknown"
            )
        return supplier
