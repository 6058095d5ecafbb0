"""API routes of the visits app, included under /api/v1/."""

from rest_framework.routers import SimpleRouter  # noqa: F401

urlpatterns: list = []
