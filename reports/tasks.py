"""Background work of the reports: keeping the dashboard's precomputed figures fresh."""

from __future__ import annotations

from celery import shared_task
from django.utils import translation

from procurement_portal.fiscal import current_fiscal_year


@shared_task(ignore_result=True)
def dashboard_refresh() -> None:
    """Recompute the dashboard of the current and the previous fiscal year in each
    language, so a reader never waits for the computation (schedule it more often than
    ``REPORTS_DASHBOARD_CACHE_SECONDS``)."""
    from django.conf import settings

    from .figures.dashboard import dashboard_data

    year = current_fiscal_year().year
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for fiscal_year in (year, year - 1):
                dashboard_data(fiscal_year, refresh=True)
