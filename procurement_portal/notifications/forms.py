from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement_portal.core import forms as portal_forms

from .kinds import STAFF, kinds_for


class PreferencesForm(portal_forms.Form):
    """The optional notices of the user's side as checkboxes; staff also choose how."""

    enabled_kinds = forms.MultipleChoiceField(
        label=_("E-mail me when"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    digest = forms.TypedChoiceField(
        label=_("How"),
        choices=[
            ("0", _("One e-mail for each event")),
            ("1", _("One daily digest listing the day's events")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
    )

    def __init__(self, *args, audience: str, **kwargs):
        super().__init__(*args, **kwargs)
        optional = [k for k in kinds_for(audience) if not k.required]
        self.fields["enabled_kinds"].choices = [(k.code, k.label) for k in optional]
        if audience != STAFF:
            del self.fields["digest"]
