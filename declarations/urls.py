from django.urls import include, path

from . import staff_views, views

app_name = "declarations"

urlpatterns = [
    path("", views.declaration_home, name="home"),
    path("sign/<int:pk>/", views.sign, name="sign"),
    path("signatures/", staff_views.signature_list, name="signatures"),
    path("signatures/<int:pk>/", views.signature_detail, name="signature-detail"),
    path("signatures/<int:pk>/scan/", views.signature_scan, name="signature-scan"),
    path("signatures/<int:pk>/revoke/", views.signature_revoke, name="signature-revoke"),
    path("versions/", staff_views.version_list, name="versions"),
    path("versions/<int:pk>/", staff_views.version_detail, name="version-detail"),
    path("versions/<int:pk>/publish/", staff_views.version_publish, name="version-publish"),
    path("versions/<int:pk>/remind/", staff_views.version_remind, name="version-remind"),
    path("paper/", staff_views.paper_record, name="paper"),
    path("paper/import/", staff_views.paper_bulk, name="paper-import"),
    path("coverage/", staff_views.coverage, name="coverage"),
    path("coverage/remind/", staff_views.coverage_remind, name="coverage-remind"),
    # The certificate download and the public verification page (declarations.cert_urls).
    path("", include("declarations.cert_urls")),
]
