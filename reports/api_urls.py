"""The reports' routes under /api/v1/ (included by procurement_portal.api_urls): the annual
figures of a fiscal year and the dashboard's chart data."""

from __future__ import annotations

urlpatterns: list = []
