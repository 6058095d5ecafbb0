"""Every API route under /api/v1/, collected from the apps' routers."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include("suppliers.api_urls")),
]
