"""Pages of the supplier's side, in the "assessments" namespace (mounted at /assessments/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("assign/", views.assign, name="assign"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/sections/<slug:section_code>/", views.section, name="section"),
    path(
        "<int:pk>/sections/<slug:section_code>/confirm/",
        views.confirm_section,
        name="confirm-section",
    ),
    path("<int:pk>/answers/", views.answers, name="answers"),
    path("<int:pk>/answers.pdf", views.answers_pdf, name="answers-pdf"),
    path("<int:pk>/answers/<slug:question_code>/", views.answer_save_view, name="answer-save"),
    path(
        "<int:pk>/answers/<slug:question_code>/evidence/",
        views.evidence_upload,
        name="evidence-upload",
    ),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("evidence/<int:evidence_pk>/", views.evidence_download, name="evidence-download"),
    path("evidence/<int:evidence_pk>/delete/", views.evidence_delete, name="evidence-delete"),
]
