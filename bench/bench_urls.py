"""The portal's URLs plus /bench/floor/: the cheapest Django JSON answer, as a floor."""

from django.http import JsonResponse
from django.urls import include, path


def floor(request):
    """No database, no template: what Django and gunicorn cost by themselves."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("procurement_portal.urls")),
]
