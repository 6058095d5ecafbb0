"""URL map: pages per app, the API under /api/v1/, schema and docs."""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.gzip import gzip_page

from procurement_portal.core import views as core_views
from procurement_portal.core.apidocs import DocsView, SchemaView

urlpatterns = [
    path("", include("reports.home_urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("procurement_portal.accounts.urls")),
    path("notifications/", include("procurement_portal.notifications.urls")),
    path("suppliers/", include("suppliers.urls")),
    path("assessments/", include("assessments.urls")),
    path("declarations/", include("declarations.urls")),
    path("dissemination/", include("dissemination.urls")),
    path("visits/", include("visits.urls")),
    path("reports/", include("reports.urls")),
    path("documents/", include("procurement_portal.documents.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("procurement_portal.api_urls")),
    # The schema is the same for everyone and holds no secret, so compressing it is safe
    # (no BREACH); 380 KB of JSON for the docs page become about 20 KB. Pages and API data
    # are not compressed: see README, "Compression".
    path("api/schema/", gzip_page(SchemaView.as_view()), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script. Its
    # React code sets inline styles, so this one page (no user content) allows them.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(DocsView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

# Every answer under /api/ is JSON, errors raised outside DRF's views included.
handler400 = "procurement_portal.core.errors.bad_request"
handler403 = "procurement_portal.core.errors.permission_denied"
handler404 = "procurement_portal.core.errors.page_not_found"
handler500 = "procurement_portal.core.errors.server_error"
