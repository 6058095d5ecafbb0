"""The API's schema and docs page, each with its own limit for anonymous clients.

Both are read by people and tools before they hold a token: with the API's general
anonymous limit shared with the token endpoint, reading the docs locked a newcomer out of
getting a token for most of an hour. ``API_THROTTLE_SCHEMA`` and ``API_THROTTLE_DOCS``
(settings) set their limits per client address; signed-in users have their own.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SchemaView(SpectacularAPIView):
    anon_throttle_scope = "api_schema"


class DocsView(SpectacularSwaggerSplitView):
    anon_throttle_scope = "api_docs"
