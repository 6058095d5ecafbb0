"""Every API route under /api/v1/, collected from the apps' routers, and the one API root.

The apps' routers each have their own root view; the registry's used to answer /api/v1/,
so the root listed the 7 registry endpoints and none of the others. The root here is read
from the URL patterns themselves, so a new router or view appears in it without anyone
remembering to add it: every route of every viewset and API view, a route with parameters
written as a URI template the way the schema writes it (``reviews/{id}/accept/``).
"""

from __future__ import annotations

import re
from functools import cache

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from procurement_portal.accounts.api import ObtainTokenView, OwnTokenListView, OwnTokenView


class ApiRootView(APIView):
    """Every endpoint of /api/v1/: its route (without the final slash) and its URL, a URI
    template where it takes parameters. The schema (/api/schema/) describes each."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        root = reverse("api-v1-root", request=request)
        return Response({name: root + route for name, route in api_routes()})


def _route_text(pattern) -> str:
    """A route as a URI template: ``^reviews/(?P<pk>\\d+)/$`` and ``reviews/<int:pk>/`` both
    become ``reviews/{id}/`` (``pk`` is ``id``, as drf-spectacular names it)."""
    text = str(pattern).removeprefix("^").removesuffix("$").removesuffix("\\Z")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.replace("{pk}", "{id}")


@cache
def api_routes() -> list[tuple[str, str]]:
    """``(name, route)`` for every route below /api/v1/, sorted by route. Format-suffix
    variants (``suppliers.json``) and the routers' own root views are left out."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = prefix + _route_text(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif (
                isinstance(entry, URLPattern)
                and route
                and "{format}" not in route
                and not re.search(r"[<>()\\\[?*+|]", route)
            ):
                found.setdefault(route.rstrip("/"), route)

    walk(urlpatterns, "")
    return sorted(found.items(), key=lambda item: item[1])


urlpatterns = [
    path("", ApiRootView.as_view(), name="api-v1-root"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/tokens/", OwnTokenListView.as_view(), name="api-own-tokens"),
    path("auth/tokens/<int:pk>/", OwnTokenView.as_view(), name="api-own-token"),
    path("", include("suppliers.api_urls")),
    path("", include("assessments.api_urls")),
    path("", include("declarations.api_urls")),
    path("", include("dissemination.api_urls")),
    path("", include("visits.api_urls")),
    path("", include("reports.api_urls")),
]
