from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_upload, name="import"),
    path("templates/<slug:kind>.csv", views.import_template, name="import_template"),
    path("examples/<slug:kind>.csv", views.import_example, name="import_example"),
    path("jobs/<int:pk>/", views.import_job, name="import_job"),
    path("jobs/<int:pk>/errors.csv", views.import_job_errors, name="import_job_errors"),
]
