"""Regions follow from a supplier's country (ISO 3166-1 alpha-2).

The company reports procurement by five regions. Japan is its own region; the United
States, Canada and their North-Atlantic neighbours are North America; Mexico, Central
America, the Caribbean and South America are Central and South America; Asia and
Oceania are Asia; everything else (Europe, the Middle East, Africa) is EMEA.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    JAPAN = "japan", _("Japan")
    ASIA = "asia", _("Asia")
    NORTH_AMERICA = "north_america", _("North America")
    EMEA = "emea", _("EMEA")
    LATAM = "latam", _("Central and South America")


NORTH_AMERICA = frozenset({"US", "CA", "BM", "GL", "PM", "UM"})

LATAM = frozenset(
    [
        "MX",
        "GT",
        "BZ",
        "SV",
        "HN",
        "NI",
        "CR",
        "PA",
        "CU",
        "DO",
        "HT",
        "JM",
        "BS",
        "BB",
        "TT",
        "AG",
        "DM",
        "GD",
        "KN",
        "LC",
        "VC",
        "AI",
        "AW",
        "BQ",
        "CW",
        "SX",
        "KY",
        "MS",
        "PR",
        "TC",
        "VG",
        "VI",
        "BL",
        "MF",
        "GP",
        "MQ",
        "CO",
        "VE",
        "GY",
        "SR",
        "GF",
        "EC",
        "PE",
        "BO",
        "BR",
        "PY",
        "UY",
        "AR",
        "CL",
        "FK",
        "GS",
    ]
)

ASIA = frozenset(
    [
        "CN",
        "HK",
        "MO",
        "TW",
        "KR",
        "KP",
        "MN",
        "SG",
        "MY",
        "TH",
        "VN",
        "PH",
        "ID",
        "BN",
        "KH",
        "LA",
        "MM",
        "TL",
        "IN",
        "PK",
        "BD",
        "LK",
        "NP",
        "BT",
        "MV",
        "AF",
        "KZ",
        "KG",
        "TJ",
        "TM",
        "UZ",
        "AU",
        "NZ",
        "PG",
        "FJ",
        "SB",
        "VU",
        "NC",
        "PF",
        "WS",
        "TO",
        "KI",
        "TV",
        "NR",
        "FM",
        "MH",
        "PW",
        "CK",
        "NU",
        "TK",
        "WF",
        "AS",
        "GU",
        "MP",
        "PN",
        "NF",
        "CX",
        "CC",
        "HM",
        "IO",
    ]
)


def region_for_country(country: str) -> str:
    code = (country or "").upper()
    if code == "JP":
        return Region.JAPAN
    if code in ASIA:
        return Region.ASIA
    if code in NORTH_AMERICA:
        return Region.NORTH_AMERICA
    if code in LATAM:
        return Region.LATAM
    return Region.EMEA


def region_expression(field: str = "country") -> models.Case:
    """The same rule as a database expression, for the generated ``region`` column."""
    return models.Case(
        models.When(**{field: "JP"}, then=models.Value(Region.JAPAN.value)),
        models.When(**{f"{field}__in": sorted(ASIA)}, then=models.Value(Region.ASIA.value)),
        models.When(
            **{f"{field}__in": sorted(NORTH_AMERICA)},
            then=models.Value(Region.NORTH_AMERICA.value),
        ),
        models.When(**{f"{field}__in": sorted(LATAM)}, then=models.Value(Region.LATAM.value)),
        default=models.Value(Region.EMEA.value),
        output_field=models.CharField(max_length=16),
    )
