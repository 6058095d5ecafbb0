from django.urls import include, path

from . import cdp_views, views

app_name = "suppliers"

urlpatterns = [
    path("", views.supplier_list, name="list"),
    path("<int:pk>/", views.supplier_detail, name="detail"),
    path("<int:pk>/terminate/", cdp_views.supplier_terminate, name="terminate"),
    path("cdp/", cdp_views.cdp_list, name="cdp"),
    path("import/", include("suppliers.imports.urls")),
]
