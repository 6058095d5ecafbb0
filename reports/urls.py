from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path(
        "suppliers/<int:pk>/profile.pdf",
        views.supplier_profile_pdf,
        name="supplier-profile-pdf",
    ),
]
