"""The start page's route, included by the project's URL map by name (a string), so the
ground floor's urls.py imports no app."""

from django.urls import path

from .home import home

urlpatterns = [path("", home, name="home")]
