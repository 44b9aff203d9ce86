"""pi_propagation: the last rule component. A person or organization recognized once in an
article is recognized at every other occurrence there; lone words the model alone calls
people are dropped."""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

import pycountry
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.components.people import PeopleRules, plausible_person
from pipeline.extract.labels import CITY, LOC, ORG, PER
from pipeline.extract.spans import (
    Entities,
    doc_text,
    first_names,
    is_name_token,
    make_span,
    words,
    zipf,
)

#: ISO 4217 codes: "DKK 23 million" is money, not an organization.
CURRENCY_CODES = frozenset(c.alpha_3 for c in pycountry.currencies)


@dataclass(frozen=True)
class PropagationRules:
    """Thresholds of the propagation component (`Config.propagation_rules`, documented in
    `Config`): its own, and the people component's that say what cannot be a person."""

    lone_word_zipf: float = 1.5
    city_min_population: int = PeopleRules.city_min_population
    genitive_city_min_population: int = PeopleRules.genitive_city_min_population


@Language.factory("pi_propagation", default_config=asdict(PropagationRules()))
def make_propagation(
    nlp: Language,
    name: str,
    lone_word_zipf: float,
    city_min_population: int,
    genitive_city_min_population: int,
) -> Callable[[Doc], Doc]:
    rules = PropagationRules(lone_word_zipf, city_min_population, genitive_city_min_population)
    return lambda doc: propagation_component(doc, rules)


def propagation_component(doc: Doc, rules: PropagationRules) -> Doc:
    """The last rule component: propagate names, then drop the token caches (the tokens refer
    back to the document, a cycle only the garbage collector would break, and a later
    retokenization would make them stale; the text cannot change)."""
    doc = propagate_names(doc, rules)
    doc.user_data.pop("pi_token_objects", None)
    doc.user_data.pop("pi_tokens", None)
    return doc


def propagate_names(doc: Doc, rules: PropagationRules) -> Doc:
    """A person or organization recognized once is recognized at every other occurrence."""
    names = first_names()
    lone_endings = words(doc).profile.lone_person_endings
    ents = [
        e
        for e in doc.ents
        if e.label_ != PER
        or plausible_person(e, names, rules.city_min_population, rules.genitive_city_min_population)
    ]
    # What an organization's name of several words starts with, up to a space: a person
    # named so is the organization ("Hanbit Mobility" in "Hanbit Mobility Co., Ltd.").
    org_heads = {
        e.text[:k]
        for e in ents
        if e.label_ == ORG and len(e) > 1
        for k, ch in enumerate(e.text)
        if ch == " "
    }
    multi_person_tokens = {t.text for e in ents if e.label_ == PER and len(e) > 1 for t in e}
    kept = []
    for e in ents:
        if e.label_ == PER and e.text in org_heads:
            kept.append(make_span(doc, e.start, e.end, ORG, "rule"))  # "Hanbit Mobility Co., Ltd."
        elif (
            e.label_ == PER
            and len(e) == 1
            and e.id_ == "model"
            and e.text not in multi_person_tokens
            and (
                lone_endings is None
                or (  # "Entwürfe", not "Osborne" or "Winstone"
                    e.text.lower().endswith(lone_endings)
                    and zipf(e.text.lower(), doc.lang_) >= rules.lone_word_zipf
                    and zipf(e.text.lower(), doc.lang_) > zipf(e.text.lower(), "en")
                )
            )
            and e.text.lower() not in names
        ):
            # A lone word the model calls a person, never introduced by full name: in English
            # mostly companies ("Ericsson", "Signify"), in German inflected nouns ("Entwürfe",
            # "Dieselbussen"); surnames alone ("Hofmann", "Müller") stay in German text.
            continue
        elif e.label_ == ORG and e.id_ == "model" and e.text in CURRENCY_CODES:
            continue  # "DKK 23 million"
        else:
            kept.append(e)
    known: dict[str, str] = {}
    for ent in kept:
        if ent.label_ == PER:
            known.setdefault(ent.text, PER)
            tail = ent[-1]
            # The surname alone, when the full name is surely a person's.
            if (
                len(ent) > 1
                and is_name_token(tail)
                and len(tail) >= 3
                and (ent[0].lower_ in names or ent.id_ == "rule")
            ):
                known.setdefault(tail.text, PER)
        elif ent.label_ == ORG and (len(ent) > 1 or ent.text.isupper() or len(ent.text) > 3):
            known.setdefault(ent.text, ORG)
    rule_orgs = {e.text for e in kept if e.label_ == ORG and e.id_ == "rule"}
    # "Herr Aydın" after "Kemal Aydın": a surname is that person, not the city or company.
    entities = Entities(
        doc,
        [
            make_span(doc, e.start, e.end, PER, e.id_ or "model")
            if e.label_ in (ORG, CITY, LOC) and known.get(e.text) == PER and e.text not in rule_orgs
            else e
            for e in kept
        ],
    )
    found = []
    for start, end, name in occurrences(doc_text(doc), known):
        span = doc.char_span(start, end)
        if span is not None:
            found.append(make_span(doc, span.start, span.end, known[name], "propagation"))
    entities.add(found, never_replaced)
    entities.write()
    return doc


def never_replaced(old: Span, new: Span) -> bool:
    """Overlap rule of propagated names: an entity already there stays."""
    return False


#: A run of word characters: what the names are looked up by.
WORD_RUN = re.compile(r"\w+")
#: Where a name may start: a word that follows no word character and no hyphen.
WORD_START = re.compile(r"(?<![\w-])\w+")
#: What may not follow a name.
WORD_OR_HYPHEN = re.compile(r"[\w-]")


def occurrences(text: str, names: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    r"""Where the names occur in the text as whole words, left to right and without overlaps:
    at each place the longest name that is neither inside a word nor joined to one by a
    hyphen. This is what the regular expression `(?<![\w-])(name|name|…)(?![\w-])` with the
    longest names first would find, without its cost: such a pattern tries every name at
    every word, and a long article has many of both. A name that begins with a word can
    only start where the text's word is that very word (the next character of the name, if
    any, is no word character), so the names are looked up by their first word; the few
    that begin with another character, by that character."""
    by_word: dict[str, list[str]] = {}
    by_char: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        if not name:
            continue
        first = WORD_RUN.match(name)
        if first is not None:
            by_word.setdefault(first.group(), []).append(name)
        else:
            by_char.setdefault(name[0], []).append(name)
    starts: Iterator[tuple[int, list[str]]] = (
        (m.start(), found) for m in WORD_START.finditer(text) if (found := by_word.get(m.group()))
    )
    if by_char:
        others = re.compile(r"(?<![\w-])[" + "".join(re.escape(c) for c in by_char) + "]")
        starts = heapq.merge(
            starts, ((m.start(), by_char[m.group()]) for m in others.finditer(text))
        )
    resume = 0
    for start, candidates in starts:
        if start < resume:
            continue
        for name in candidates:
            end = start + len(name)
            if text.startswith(name, start) and not WORD_OR_HYPHEN.match(text, end):
                resume = end
                yield start, end, name
                break
