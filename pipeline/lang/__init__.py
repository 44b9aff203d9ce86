"""Language profiles: everything the extractor knows about one language, in one module each.

A component never branches on a language code; it asks the article's profile
(`profile(doc.lang_)`). Adding a language means one module here (copy `fr.py`), its names in
the taxonomy (`pipeline/data/technologies.json`), and its spaCy pipelines in the profile.

Names keep their language inside any article ("Technische Universität Dortmund" in an English
text), so name-internal words (organization heads, connectors, name particles) are read from
every profile at once (`all_words`). Context words (roles, honorifics, determiners, place
prepositions) come from the article's own profile plus English, the lingua franca of press
releases ("CEO", "Chief Technology Officer of …" in German and French releases alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipeline.errors import ConfigError

#: Marker for a model shipped inside the package (pipeline/models/NAME).
PROJECT_MODEL_PREFIX = "project:"


@dataclass(frozen=True)
class Profile:
    """One language's words and rules; every word set is lower case."""

    code: str
    #: Ordered candidate spaCy pipelines: official ones first, then what `make setup` installs.
    pipelines: tuple[str, ...]
    #: Words that are a role ("mayor", "ceo") and the endings of role compounds
    #: ("…bürgermeisterin"; only capitalized words count).
    role_words: frozenset[str] = frozenset()
    role_suffixes: tuple[str, ...] = ()
    #: Words that stand before a role and belong to it ("deputy", "stellvertretende").
    role_modifiers: frozenset[str] = frozenset()
    #: Forms of address before a name ("mr", "frau", "mme"); not part of the name.
    honorifics: frozenset[str] = frozenset()
    #: Articles and determiners, never part of a name; leading ones are cut from names.
    determiners: frozenset[str] = frozenset()
    leading_articles: frozenset[str] = frozenset()
    #: Words between a role and its organization ("of", "bei", "chez").
    affiliation_words: frozenset[str] = frozenset()
    #: Endings of a word that makes a capitalized run an institution ("universität").
    org_heads: tuple[str, ...] = ()
    #: Small words inside organization names ("of", "für", "de").
    org_connectors: frozenset[str] = frozenset()
    #: Lower-case words inside people's names ("von", "van", "de").
    name_particles: frozenset[str] = frozenset()
    #: Capitalized words that are never a given name here ("mai", "will").
    not_names: frozenset[str] = frozenset()
    #: Words before a place ("in", "aus", "à"); not contracted forms that precede common
    #: nouns ("im Keller").
    place_prepositions: frozenset[str] = frozenset()
    #: Words that announce a place name before it ("Stadt Essen", "City of Split").
    place_cues: frozenset[str] = frozenset()
    #: Words of portfolios and departments: a span made of them alone is no organization
    #: ("Finance", "Digital Transformation", "Citizen Participation").
    department_words: frozenset[str] = frozenset()
    #: Endings of a word that describes the organization named after it, not part of its
    #: name ("Bauunternehmen Implenia", "Digitalverbands Bitkom").
    org_descriptors: tuple[str, ...] = ()
    #: Endings of roles held in a place rather than an organization ("mayor of Dunedin",
    #: "Bürgermeisterin von Halle"): a name after them stays a place.
    place_roles: tuple[str, ...] = ()
    #: Titles that may stand before a name inside a mention ("Mayor Tan").
    titles: frozenset[str] = frozenset()
    #: Every noun is capitalized (German): a capitalized neighbour says nothing about a name.
    capitalizes_nouns: bool = False
    #: Genitive -s on names ("Hamburgs"): tried when a name is not found as written.
    genitive_s: bool = False
    #: A known given name followed by name words is a person (where the model misses many).
    first_name_rule: bool = False
    #: Endings of inflected nouns and adjectives that the model takes for names ("Entwürfe",
    #: "Neuen …"); empty where capitalization already tells.
    inflection_endings: tuple[str, ...] = ()
    #: A lone capitalized word that only the model calls a person, never introduced by a full
    #: name, is dropped when it ends so (None: whatever it ends with).
    lone_person_endings: tuple[str, ...] | None = None
    #: pycountry locale for country names ("de"), None for English.
    country_locale: str | None = None


@cache
def profiles() -> dict[str, Profile]:
    from pipeline.lang import de, en, fr

    return {p.code: p for p in (en.PROFILE, de.PROFILE, fr.PROFILE)}


def supported() -> tuple[str, ...]:
    """Language codes the extractor can analyse, in a stable order."""
    return tuple(profiles())


def profile(code: str) -> Profile:
    """The profile of a language; a ConfigError names the supported ones."""
    try:
        return profiles()[code]
    except KeyError:
        raise ConfigError(
            f"language {code!r} is not supported; supported: {', '.join(supported())}"
        ) from None


@cache
def context_words(code: str, name: str) -> frozenset[str]:
    """A context word set of a language together with English's."""
    own: frozenset[str] = getattr(profile(code), name)
    english: frozenset[str] = getattr(profiles()["en"], name)
    return own | english


@cache
def all_words(name: str) -> frozenset[str]:
    """A word set across every profile (for words that belong to names, in any article)."""
    return frozenset(w for p in profiles().values() for w in getattr(p, name))


@cache
def all_suffixes(name: str) -> tuple[str, ...]:
    """A tuple of endings across every profile, in profile order without repeats."""
    return tuple(dict.fromkeys(s for p in profiles().values() for s in getattr(p, name)))
