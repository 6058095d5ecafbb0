from django.urls import path

from . import dashboard_views, timeline_views, views

app_name = "reports"

urlpatterns = [
    path(
        "suppliers/<int:pk>/profile.pdf",
        views.supplier_profile_pdf,
        name="supplier-profile-pdf",
    ),
    path("suppliers/<int:pk>/timeline/", timeline_views.supplier_timeline, name="timeline"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/charts/<slug:chart>.json", dashboard_views.chart_data, name="chart-data"),
    path("dashboard/records/<slug:name>/", dashboard_views.records, name="records"),
    path("dashboard/records/<slug:name>.csv", dashboard_views.records_csv, name="records-csv"),
    path(
        "annual-figures/download/",
        dashboard_views.annual_figures_download,
        name="annual-figures-download",
    ),
]
