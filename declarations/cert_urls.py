"""Certificate routes, in the "declarations" namespace (included by declarations.urls):
the download of a signature's certificate, and the public verification page."""

from django.urls import path

from . import cert_views

urlpatterns = [
    path(
        "signatures/<int:pk>/certificate.pdf",
        cert_views.certificate_download,
        name="signature-certificate",
    ),
    path("verify/", cert_views.verify, name="verify"),
]
