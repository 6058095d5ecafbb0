"""Model fields for what people type: bounded text and dates in a sane range.

The rules live in ``core.text``; these fields carry them as default validators (checked by
``full_clean()`` in services and by model forms such as the admin's), so a model states
only its limit, never copies of the validators. Input through the API and the portal's
forms meets the same rules earlier (``core.parsers``, ``core.serializers``, ``core.forms``).
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property

from .text import NOTE_MAX_LENGTH, validate_date_range, validate_single_line, validate_text


class TextField(models.TextField):
    """Free text with a maximum length (notes, comments, reasons: ``NOTE_MAX_LENGTH``) and
    the portal's text rule, both checked by ``full_clean()`` and carried to model forms."""

    default_validators = [validate_text]

    def __init__(self, *args, max_length: int = NOTE_MAX_LENGTH, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*self.default_validators, *self._validators, MaxLengthValidator(self.max_length)]


class CharField(models.CharField):
    """A single line of text (names, titles) under the portal's text rule."""

    default_validators = [validate_single_line]


class DateField(models.DateField):
    """A date a person enters: between 1900-01-01 and ten years from today."""

    default_validators = [validate_date_range]
