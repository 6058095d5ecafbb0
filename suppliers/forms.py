"""Forms of the supplier pages: the list's filters, validated from the query string."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from procurement_portal.core import forms as portal_forms
from procurement_portal.fiscal import fiscal_year_choices

from . import selectors
from .models import SupplierStatus
from .regions import Region

PAGE_SIZES = (25, 50, 100)
MAX_PAGE_SIZE = PAGE_SIZES[-1]

SORT_CHOICES = [
    ("code", _("Code (A-Z)")),
    ("-code", _("Code (Z-A)")),
    ("name", _("Name (A-Z)")),
    ("-name", _("Name (Z-A)")),
    ("country", _("Country (A-Z)")),
    ("-country", _("Country (Z-A)")),
]

INVALID_CHOICE = _("“%(value)s” is not one of the available choices.")


# Country names sorted in each language, worked out once per process: translating and
# sorting ~250 names on every list page was a visible part of its server time.
_COUNTRIES_BY_LANGUAGE: dict[str, list[tuple[str, str]]] = {}


def _countries_sorted() -> list[tuple[str, str]]:
    language = get_language() or ""
    every = _COUNTRIES_BY_LANGUAGE.get(language)
    if every is None:
        every = _COUNTRIES_BY_LANGUAGE[language] = [(c.code, str(c.name)) for c in countries]
    return every


def _country_choices(in_use: frozenset[str] = frozenset()) -> list[tuple[Any, Any]]:
    """All countries, those of the user's suppliers first (a group of their own).

    Country names follow the active language and sort by it.
    """
    every = _countries_sorted()
    if not in_use:
        return [("", _("All countries")), (_("Countries"), every)]
    used = [(code, name) for code, name in every if code in in_use]
    others = [(code, name) for code, name in every if code not in in_use]
    return [
        ("", _("All countries")),
        (_("Countries of your suppliers"), used),
        (_("Other countries"), others),
    ]


def _fiscal_year_choices() -> list[tuple[Any, str]]:
    return [("", _("Any year")), *fiscal_year_choices()]


class CountryChoiceField(forms.ChoiceField):
    """A country code in either case (shared links are typed by hand)."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value).strip().upper()


class SupplierFilterForm(portal_forms.Form):
    """The list page's search, filters, sorting and page size, all optional.

    The form is always bound to the query string. A bad value in one field is reported
    by name and ignored; the valid fields still filter the list.
    """

    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[("", _("All regions")), *Region.choices],
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    country = CountryChoiceField(
        label=_("Country"),
        required=False,
        choices=_country_choices,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *SupplierStatus.choices],
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    critical_in = forms.TypedChoiceField(
        label=_("Critical in fiscal year"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_fiscal_year_choices,
        error_messages={"invalid_choice": _("“%(value)s” is not a fiscal year in the list.")},
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    per_page = forms.IntegerField(
        label=_("Rows per page"),
        required=False,
        min_value=1,
        error_messages={"invalid": _("Enter a whole number such as 25, 50 or 100.")},
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["country"].choices = _country_choices(selectors.countries_in_use(user=user))
        self.fields["category"].choices = [
            ("", _("All categories")),
            *selectors.category_choices(),
        ]

    def clean_per_page(self) -> int:
        # Any size up to the largest offered is fine (a shared link may carry one);
        # larger asks are capped rather than refused.
        value = self.cleaned_data.get("per_page") or PAGE_SIZES[0]
        return min(value, MAX_PAGE_SIZE)

    # --- What the view needs, from the fields that validated ----------------------------

    def value(self, name: str, default: Any = None) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def selector_filters(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.supplier_list`` (valid fields only)."""
        return {
            "search": self.value("q", ""),
            "region": self.value("region", ""),
            "country": self.value("country", ""),
            "category": self.value("category", ""),
            "status": self.value("status", ""),
            "critical_in": self.value("critical_in"),
            "sort": self.current_sort,
        }

    @property
    def current_sort(self) -> str:
        return self.value("sort", selectors.DEFAULT_SUPPLIER_SORT)

    @property
    def page_size(self) -> int:
        return self.value("per_page", PAGE_SIZES[0])

    @property
    def page_size_choices(self) -> list[int]:
        sizes = set(PAGE_SIZES)
        sizes.add(self.page_size)
        return sorted(sizes)

    def error_list(self) -> list[str]:
        """Every problem as one line that names the filter, e.g. "Region: … ."."""
        return [
            _("%(field)s: %(error)s") % {"field": self.fields[name].label, "error": error}
            for name, errors in self.errors.items()
            for error in errors
        ]
