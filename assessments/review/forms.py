"""Forms of the review pages: filters from the query string, and the small write forms.

Write forms only parse; the services decide what is valid and report it by field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement_portal.core import forms as portal_forms
from procurement_portal.fiscal import fiscal_year_choices
from suppliers.models import PriorityRisk
from suppliers.regions import Region

from ..models import AssessmentStatus, ImprovementSource, ImprovementStatus, QuestionnaireKind

TEXTAREA = {"rows": 3, "maxlength": 4000}


def _years() -> list[tuple[Any, str]]:
    return [("", _("Any year")), *fiscal_year_choices()]


class _FilterForm(portal_forms.Form):
    """Always bound to the query string; a bad field is reported and ignored."""

    def cleaned(self) -> dict[str, Any]:
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}

    def error_list(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {e}" for name, errs in self.errors.items() for e in errs
        ]


def _risk_choices() -> list[tuple[str, str]]:
    return [("", _("All risks")), *((r.code, r.name) for r in PriorityRisk.objects.all())]


class _SupplierRiskFilters(_FilterForm):
    supplier = forms.CharField(
        label=_("Supplier (code or name)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    risk = forms.ChoiceField(label=_("Risk"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].choices = _risk_choices()


class QueueFilterForm(_SupplierRiskFilters):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Waiting for review")),
            (AssessmentStatus.RETURNED, AssessmentStatus.RETURNED.label),
            (AssessmentStatus.ACCEPTED, AssessmentStatus.ACCEPTED.label),
        ],
    )
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=[
            ("", _("All sources")),
            ("campaign", _("Survey campaign")),
            ("assigned", _("Assigned by hand")),
        ],
    )
    overdue = forms.BooleanField(label=_("Late only"), required=False)
    kind = forms.ChoiceField(
        label=_("Questionnaire kind"),
        required=False,
        choices=[("", _("All kinds")), *QuestionnaireKind.choices],
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), required=False, coerce=int, empty_value=None, choices=_years
    )


class ItemFilterForm(_SupplierRiskFilters):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All states")), *ImprovementStatus.choices],
    )
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=[("", _("All sources")), *ImprovementSource.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, with_supplier: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_supplier:
            del self.fields["supplier"]


class LevelFilterForm(_FilterForm):
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), required=False, coerce=int, empty_value=None, choices=_years
    )
    min_level = forms.TypedChoiceField(
        label=_("At least level"), required=False, coerce=int, empty_value=None
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )

    def __init__(self, *args, levels: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_level"].choices = [("", _("Any level")), *((n, str(n)) for n in levels)]


class CommentForm(portal_forms.Form):
    body = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


class ReturnForm(portal_forms.Form):
    note = forms.CharField(
        label=_("Note to the supplier"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What needs clarification. Not needed if you commented on answers."),
    )


class AcceptForm(portal_forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


class ActionPlanForm(portal_forms.Form):
    action_plan = forms.CharField(
        label=_("Your action plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        help_text=_("What you will do, who is responsible, and by when."),
    )


class ItemNoteForm(portal_forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


class OverrideForm(portal_forms.Form):
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), coerce=int, choices=fiscal_year_choices
    )
    level = forms.TypedChoiceField(label=_("Level"), coerce=int)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("Give a reason for the override.")},
    )

    def __init__(self, *args, levels: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(n, str(n)) for n in levels]
