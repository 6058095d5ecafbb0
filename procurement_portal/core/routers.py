"""The API's router: every app registers its viewsets on one of these.

Ids in paths are whole numbers: routes are written with Django's path converters
(``suppliers/<int:pk>/``), so the OpenAPI schema declares each ``{id}`` an integer and a
generated client takes an ``int``; anything else matches no route (a JSON 404). A viewset
whose lookup is not a number names its converter in ``lookup_value_converter``; an
``@action``'s ``url_path`` uses converters too (``answers/<slug:question_code>``).

There is one API root for all of /api/v1/ (``procurement_portal.api_urls``), so the
routers add only their routes; and no format-suffix variants (``suppliers.json``): the
API answers JSON, and the schema lists each operation once.
"""

from __future__ import annotations

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    include_root_view = False
    include_format_suffixes = False

    def __init__(self, *, trailing_slash: bool = True):
        super().__init__(trailing_slash=trailing_slash, use_regex_path=False)

    def get_lookup_regex(self, viewset, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        converter = getattr(viewset, "lookup_value_converter", None) or "int"
        return f"<{converter}:{lookup_prefix}{lookup_url_kwarg}>"
