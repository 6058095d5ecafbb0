"""Stage 4, on-site assessment: Supplier Visit Records and information-security visits."""

from django.urls import include, path

from . import plan_views, views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_new, name="new"),
    path("plan/", plan_views.plan, name="plan"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/details/", views.header_save, name="header"),
    path("<int:pk>/answers/<slug:item_code>/", views.answer_save, name="answer"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/photos/", views.photo_upload, name="photo-upload"),
    path("<int:pk>/follow-ups/", views.follow_up, name="follow-up"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("photos/<int:photo_pk>/", views.photo_file, name="photo"),
    path("", include("visits.letter_urls")),
]
