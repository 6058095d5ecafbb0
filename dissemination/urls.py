"""Pages of dissemination, under /dissemination/."""

from django.urls import path

from . import meeting_views, views

app_name = "dissemination"

urlpatterns = [
    path("", views.library, name="library"),
    path("documents/new/", views.document_create, name="document-create"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/versions/new/", views.version_create, name="version-create"),
    path("versions/<int:pk>/", views.version_detail, name="version-detail"),
    path("versions/<int:pk>/files/", views.version_file_upload, name="version-file-upload"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version-publish"),
    path("versions/<int:pk>/retire/", views.version_retire, name="version-retire"),
    path("versions/<int:pk>/remind/", views.version_remind, name="version-remind"),
    path("versions/<int:pk>/acknowledge/", views.version_acknowledge, name="version-acknowledge"),
    path("files/<int:pk>/", views.file_download, name="file-download"),
    path("meetings/", meeting_views.meetings, name="meetings"),
    path("meetings/new/", meeting_views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/invite/", meeting_views.meeting_invite, name="meeting-invite"),
    path(
        "meetings/<int:pk>/attendance/<int:supplier_id>/",
        meeting_views.attendance_record,
        name="attendance-record",
    ),
    path("meetings/<int:pk>/awards/", meeting_views.award_create, name="award-create"),
    path("awards/<int:pk>/delete/", meeting_views.award_delete, name="award-delete"),
]
