"""Routes of the improvement-guidance letters, included from ``visits/urls.py``."""

from django.urls import path

from . import letter_views

urlpatterns = [
    path("<int:pk>/letter/", letter_views.visit_letter, name="visit-letter"),
    path("letters/", letter_views.letter_batches, name="letter-batches"),
    path("letters/<int:pk>/", letter_views.letter_batch, name="letter-batch"),
]
