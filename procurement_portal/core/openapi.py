"""How the API documents itself: the schema class every viewset uses and the error shapes.

Every app's API answers errors the same way (``core.api.exception_handler``), so the
shapes are documented once, here, next to the schema class that adds them to each
operation: 400 (``VALIDATION_ERROR_SCHEMA``), 403 / 404 / 429 (``ErrorOutputSerializer``)
and 409 (``ConflictOutputSerializer``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import serializers as portal


class ErrorOutputSerializer(portal.Serializer):
    """How the API answers a refused request other than invalid input (403, 404, 429)."""

    detail = serializers.CharField()


@extend_schema_field(OpenApiTypes.OBJECT)
class _AnyObjectField(serializers.JSONField):
    pass


class ConflictOutputSerializer(portal.Serializer):
    """409, the one shape of every conflict: the object is not in a state that allows the
    step, or it changed since the client read it; nothing was changed."""

    detail = serializers.CharField(help_text=_("What stands in the way, for people."))
    code = serializers.CharField(
        help_text=_(
            "What kind of conflict, for programs: 'state' (the object's status forbids "
            "the step) or 'stale' (it changed since it was read)."
        )
    )
    status = serializers.CharField(
        allow_null=True, help_text=_("The object's status now, when it has one.")
    )
    current = _AnyObjectField(
        allow_null=True, help_text=_("The object as it is now, when it changed meanwhile.")
    )


# Invalid input (400): each field name, or non_field_errors, with its messages; a list
# field's messages are keyed by the item's position, and a request that cannot be parsed
# at all gets a single "detail" message.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}


class PortalSchema(AutoSchema):
    """Tags each operation with its resource (``suppliers``, ``sites``...) and documents
    the error answers next to the successful one, so clients (and the schema tests) know
    every status code an operation can give."""

    def get_tags(self) -> list[str]:
        return [self.path.removeprefix("/api/v1/").split("/")[0]]

    def _get_response_bodies(self, direction="response"):
        # drf-spectacular documents only the success code; there is no public hook that
        # adds to @extend_schema(responses=...) rather than replacing it.
        responses = super()._get_response_bodies(direction)
        errors = {"403": ErrorOutputSerializer, "429": ErrorOutputSerializer}
        # A list's filters and page size can be refused, as can a request body.
        checked_list = self._is_list_view() and (
            bool(self.view.filter_backends) or getattr(self.view, "paginator", None) is not None
        )
        if checked_list or self.method in {"POST", "PUT", "PATCH"}:
            errors["400"] = VALIDATION_ERROR_SCHEMA  # a filter, the page size or the body
        if self._is_list_view() or "{" in self.path:
            errors["404"] = ErrorOutputSerializer  # no such object, or no such page
        for code, body in sorted(errors.items()):
            responses.setdefault(code, self._get_response_for_code(body, code, direction=direction))
        return responses
