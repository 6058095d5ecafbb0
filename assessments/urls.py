"""Pages of the self-assessment: the supplier's answering pages and the staff review."""

from django.urls import include, path

app_name = "assessments"

urlpatterns = [
    path("", include("assessments.answering.urls")),
    path("review/", include("assessments.review.urls")),
    path("campaigns/", include("assessments.campaigns.urls")),
]
