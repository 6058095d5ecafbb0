"""Campaign pages, in the "assessments" namespace (mounted at /assessments/campaigns/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("new/", views.campaign_create, name="campaign-create"),
    path("<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign-edit"),
    path("<int:pk>/launch/", views.campaign_launch, name="campaign-launch"),
    path("<int:pk>/close/", views.campaign_close, name="campaign-close"),
    path("<int:pk>/progress/", views.campaign_progress, name="campaign-progress"),
    path("<int:pk>/suppliers.csv", views.campaign_export, name="campaign-export"),
    path("<int:pk>/resend/", views.campaign_resend, name="campaign-resend"),
]
