"""The base of every API serializer: one place that bounds text and dates.

``Serializer`` and ``ModelSerializer`` here are DRF's, with each writable field hardened
when the serializer builds its fields, so no field declaration has to repeat the rules:

- a text field (``CharField`` and its kinds) takes only a JSON string: DRF's own turns
  ``5`` into ``"5"``, which let a number through as a reason;
- it refuses control characters and lone surrogates (``core.text``), and has a maximum
  length: its own, or ``DEFAULT_MAX_LENGTH``;
- a date lies between 1900-01-01 and ten years from today.

``tests/test_input_bounds.py`` checks that every serializer of the portal derives from
these, so a new one cannot miss the rules.
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .text import DEFAULT_MAX_LENGTH, validate_date_range, validate_text


def _strict_text(field: serializers.CharField) -> None:
    """Refuse anything but a string (DRF's CharField stringifies numbers)."""
    to_internal_value = field.to_internal_value

    def strict(data):
        if not isinstance(data, str):
            field.fail("invalid")
        return to_internal_value(data)

    field.to_internal_value = strict


def harden(field: serializers.Field) -> None:
    """Apply the portal's text and date rules to one writable field (and its items)."""
    if field.read_only:
        return
    if isinstance(field, serializers.ListField | serializers.DictField):
        harden(field.child)
    elif isinstance(field, serializers.CharField):
        _strict_text(field)
        field.validators.append(validate_text)
        if field.max_length is None:
            field.max_length = DEFAULT_MAX_LENGTH
            message = field.error_messages["max_length"].format(max_length=DEFAULT_MAX_LENGTH)
            field.validators.append(MaxLengthValidator(DEFAULT_MAX_LENGTH, message=message))
    elif isinstance(field, serializers.DateField):
        field.validators.append(validate_date_range)


class HardenedFieldsMixin:
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            harden(field)
        return fields


class Serializer(HardenedFieldsMixin, serializers.Serializer):
    pass


class ModelSerializer(HardenedFieldsMixin, serializers.ModelSerializer):
    pass


@extend_schema_field(OpenApiTypes.INT)
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """An id looked up among the rows of ``model`` the requesting user may see
    (``visible_to``), so an id they cannot see is answered like one that does not exist.
    ``VisibleRelatedField(Supplier)`` for a supplier id."""

    def __init__(self, model: type[models.Model], **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].user)
