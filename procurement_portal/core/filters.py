"""Query-string filters shared by the API's filter sets."""

from __future__ import annotations

import django_filters
from django import forms


class IntegerFilter(django_filters.NumberFilter):
    """A whole number, such as an id or a fiscal year.

    django-filter's ``NumberFilter`` reads a decimal, so ``?supplier=0.5`` was accepted and
    matched nothing; here it is refused (400 naming the parameter), as the schema says.
    """

    field_class = forms.IntegerField
