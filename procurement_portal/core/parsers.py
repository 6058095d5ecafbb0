"""The API's request parsers: JSON, forms and multipart, each checking what it parsed.

Every API request body goes through one of these (``REST_FRAMEWORK``'s
``DEFAULT_PARSER_CLASSES``), so they are the one place where, for every field of every
operation (choice codes, answer values of any shape, names, notes):

- JSON nested deeper than ``MAX_JSON_DEPTH`` is refused before anything recurses into it
  (the decoder's own recursion limit is caught too, so 100,000 ``[`` answer 400, not 500);
- text with control characters or lone surrogates is refused (``core.text``), naming the
  field, before a serializer could echo it into an error message or the database refuse it.
"""

from __future__ import annotations

import codecs
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils import json

from .text import MAX_JSON_DEPTH, JSONTooDeep, load_json, text_problems

__all__ = ["MAX_JSON_DEPTH", "FormParser", "JSONParser", "MultiPartParser", "check_parsed"]


def check_parsed(data: Any) -> None:
    """Raise a 400 naming the first field whose text is not acceptable."""
    for path, message in text_problems(data):
        raise ValidationError(_error_at(path, message))


def _error_at(path: tuple[str, ...], message: str) -> dict:
    """DRF's error shape: ``{"field": ["msg"]}``, nested for nested fields and items."""
    if not path:
        return {"non_field_errors": [message]}
    detail: Any = [message]
    for key in reversed(path[1:]):
        detail = {key: detail}
    return {path[0]: detail}


def _query_dict_data(data) -> dict[str, list[str]]:
    return {key: values[0] if len(values) == 1 else values for key, values in data.lists()}


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoded = codecs.getreader(encoding)(stream).read()
            parse_constant = json.strict_constant if self.strict else None
            data = load_json(decoded, parse_constant=parse_constant)
        except JSONTooDeep as exc:
            raise ParseError(str(exc)) from None
        except LookupError:
            raise ParseError(self._unknown_charset(encoding)) from None
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        check_parsed(data)
        return data

    @staticmethod
    def _unknown_charset(charset: str) -> str:
        return _("Unknown character set: %(charset)s.") % {"charset": charset}


class _FormParsing:
    """Django's form parsing raises for too many fields, a body too large or an unknown
    character set; each is the client's mistake (400), never a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            result = super().parse(stream, media_type, parser_context)
        except TooManyFieldsSent:
            raise ParseError(_("The request has too many fields.")) from None
        except RequestDataTooBig:
            raise ParseError(_("The request is too large.")) from None
        except LookupError:
            raise ParseError(_("Unknown character set.")) from None
        data = getattr(result, "data", result)
        check_parsed(_query_dict_data(data))
        files = getattr(result, "files", None)
        if files:
            # An uploaded file's name is text a person chose, shown back later.
            check_parsed({key: [f.name for f in items] for key, items in files.lists()})
        return result


class FormParser(_FormParsing, parsers.FormParser):
    pass


class MultiPartParser(_FormParsing, parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        if not result.data and not result.files and self._has_content(media_type, parser_context):
            # Django skips parts it cannot read; a body none of which could be read is not
            # an empty form (that is the closing boundary alone) but a malformed one.
            raise ParseError(_("The multipart body has no part that can be read."))
        return result

    @staticmethod
    def _has_content(media_type, parser_context) -> bool:
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            return False
        boundary = ""
        for param in (media_type or "").split(";")[1:]:
            key, _sep, value = param.strip().partition("=")
            if key.lower() == "boundary":
                boundary = value.strip('"')
        # "--boundary--" and line breaks around it: an empty form
        return length > len(boundary) + 8
