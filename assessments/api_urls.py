"""The self-assessment's routes under /api/v1/ (included by procurement_portal.api_urls)."""

from django.urls import include, path

urlpatterns = [
    path("", include("assessments.authoring.api_urls")),
    path("", include("assessments.answering.api_urls")),
    path("", include("assessments.review.api_urls")),
    path("", include("assessments.campaigns.api_urls")),
]
