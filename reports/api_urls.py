"""The reports' routes under /api/v1/ (included by procurement_portal.api_urls): the annual
figures of a fiscal year."""

from __future__ import annotations

from django.urls import path

from .api import AnnualFiguresView

urlpatterns = [
    path("reports/annual-figures/", AnnualFiguresView.as_view(), name="annual-figures"),
]
