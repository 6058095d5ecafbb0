"""Every API route under /api/v1/, collected from the apps' routers."""

from django.urls import include, path

from procurement_portal.accounts.api import ObtainTokenView, OwnTokenListView, OwnTokenView

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/tokens/", OwnTokenListView.as_view(), name="api-own-tokens"),
    path("auth/tokens/<int:pk>/", OwnTokenView.as_view(), name="api-own-token"),
    path("", include("suppliers.api_urls")),
    path("", include("assessments.api_urls")),
]
