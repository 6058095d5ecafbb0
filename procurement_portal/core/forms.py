"""The base of every form of the portal: the same text and date rules as the API.

Each text field refuses control characters (line breaks too, unless its widget is a text
area) and has a maximum length, its own or ``DEFAULT_MAX_LENGTH``; each date lies between
1900-01-01 and ten years from today. Applied to the form's fields when it is built and
again before it is cleaned (so fields a subclass adds in ``__init__`` get them too).
``tests/test_input_bounds.py`` checks that every form of the portal derives from these.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from .text import DEFAULT_MAX_LENGTH, TextValidator, validate_date_range

_HARDENED = "_portal_hardened"


def harden(field: forms.Field) -> None:
    if getattr(field, _HARDENED, False):
        return
    setattr(field, _HARDENED, True)
    if isinstance(field, forms.CharField):
        multiline = isinstance(field.widget, forms.Textarea)
        field.validators.append(TextValidator(multiline=multiline))
        if field.max_length is None:
            field.max_length = DEFAULT_MAX_LENGTH
            field.validators.append(MaxLengthValidator(DEFAULT_MAX_LENGTH))
            field.widget.attrs.update(field.widget_attrs(field.widget))
    elif isinstance(field, forms.DateField):
        field.validators.append(validate_date_range)


class HardenedFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.harden_fields()

    def harden_fields(self) -> None:
        for field in self.fields.values():
            harden(field)

    def full_clean(self):
        self.harden_fields()
        super().full_clean()


class Form(HardenedFormMixin, forms.Form):
    pass


class ModelForm(HardenedFormMixin, forms.ModelForm):
    pass


def apply_validation_error(
    form: forms.BaseForm, exc: ValidationError, *, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's ``ValidationError`` on the form that fed it: each message at its
    field (``field_map`` renames a service's field to the form's), and messages for fields
    the form does not have, or for no field, at the top of the form. The one mapping of
    domain errors to form errors (the API's is ``core.api.exception_handler``)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        name = (field_map or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)
