"""Forms of the visit pages (parsing only: the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement_portal.core.forms import Form
from procurement_portal.fiscal import fiscal_year_choices

from .models import Outcome, VisitKind, VisitMethod, VisitStatus


class SupplierPickForm(Form):
    """Step one of logging a visit: which supplier (by its code, as staff know them)."""

    code = forms.CharField(label=_("Supplier code"), max_length=40)


class VisitForm(Form):
    """The visit's header: where, when, how, who was there."""

    kind = forms.ChoiceField(label=_("Kind of visit"), choices=VisitKind.choices)
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, choices=())
    visit_date = forms.DateField(
        label=_("Visit date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods"),
        choices=VisitMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    supplier_attendees = forms.CharField(
        label=_("Supplier attendees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names and roles of the supplier's people who took part."),
    )

    def __init__(self, *args, sites=(), kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("Choose a site"))] + [
            (site.pk, f"{site.name} ({site.city})" if site.city else site.name) for site in sites
        ]
        if kinds is not None:
            self.fields["kind"].choices = [c for c in VisitKind.choices if c[0] in kinds]


class VisitFilterForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *VisitKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *list(VisitStatus.choices)], required=False
    )
    year = forms.TypedChoiceField(
        label=_("Fiscal year"), coerce=int, choices=(), required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *fiscal_year_choices(back=8)]


class AmendForm(Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 3})
    )
    item = forms.ChoiceField(label=_("Checklist item"), choices=(), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Outcome.choices[1:]], required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    guidance_category = forms.ChoiceField(label=_("Guidance category"), choices=(), required=False)
    required_action = forms.CharField(
        label=_("Required action"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    supplier_attendees = forms.CharField(
        label=_("Supplier attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, answers=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("No item changes"))] + [
            (a.item.code, f"{a.item.position}. {a.item.text[:80]}") for a in answers
        ]
        self.fields["guidance_category"].choices = [("", "—")] + [
            (c.code, c.name) for c in categories
        ]


class PlanForm(Form):
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=VisitKind.choices)
    suppliers = forms.TypedMultipleChoiceField(
        label=_("Suppliers"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, supplier_ids=(), kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suppliers"].choices = [(pk, str(pk)) for pk in supplier_ids]
        if kinds is not None:
            self.fields["kind"].choices = [c for c in VisitKind.choices if c[0] in kinds]
