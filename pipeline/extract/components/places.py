"""pi_places: places linked to GeoNames cities and countries; gazetteer cities the model
missed."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import NamedTuple

import wordfreq
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import gazetteer
from pipeline.extract.labels import CITY, COUNTRY, LOC, ORG, PER
from pipeline.extract.spans import (
    Entities,
    doc_text,
    is_name_token,
    make_span,
    name_ngrams,
    token_texts,
    tokens_of,
    words,
)


@dataclass(frozen=True)
class PlaceRules:
    """Thresholds of the places component (`Config.place_rules`, documented in `Config`)."""

    min_population: int = 100_000
    evidence_min_population: int = 15_000
    known_city_population: int = 1_000_000
    common_word_zipf: float = 4.0


@Language.factory("pi_places", default_config=asdict(PlaceRules()))
def make_place_finder(
    nlp: Language,
    name: str,
    min_population: int,
    evidence_min_population: int,
    known_city_population: int,
    common_word_zipf: float,
) -> Callable[[Doc], Doc]:
    rules = PlaceRules(
        min_population, evidence_min_population, known_city_population, common_word_zipf
    )
    return lambda doc: find_places(doc, rules)


@lru_cache(maxsize=65536)
def is_common_word(text: str, language: str, zipf: float) -> bool:
    """Whether a name is also a frequent word of the language (wordfreq): "Gerät", "Nice"."""
    return bool(wordfreq.zipf_frequency(text.lower(), language) >= zipf)


#: Words that join the items of a list of places.
LIST_JOINERS = frozenset({",", "und", "and", "et", "sowie", "&", "oder", "or", "ou"})
#: What may follow a dateline's place: "Essen, 5. Mai", "VICTORIA, B.C. –".
DATELINE_FOLLOWERS = frozenset({",", "(", "–", "—", "-", "/"})


def place_evidence(doc: Doc, start: int, end: int, cues: frozenset[str]) -> str:
    """What the sentence says about a place name at tokens [start, end): "dateline" (first on
    its line, then a comma or dash), "cue" ("Stadt Essen", "City of Split", "ville de Lyon"),
    "preposition" ("in Nice", "aus Hof"), or "" for nothing."""
    tok = tokens_of(doc)
    text = doc_text(doc)
    if start == 0:
        line_start = True
    else:
        gap = text[tok[start - 1].idx + len(tok[start - 1]) : tok[start].idx]
        line_start = "\n" in gap or (tok[start - 1].text.isspace() and "\n" in tok[start - 1].text)
    if line_start and end < len(doc) and tok[end].text in DATELINE_FOLLOWERS:
        return "dateline"
    if start == 0:
        return ""
    prev = tok[start - 1].lower_
    if prev in cues or (
        start > 1 and prev in {"of", "de", "von"} and tok[start - 2].lower_ in cues
    ):
        return "cue"
    if prev in words(doc).place_prepositions:
        return "preposition"
    return ""


class Brackets(NamedTuple):
    """Token positions of the opening and closing parentheses of a document, in order."""

    opening: list[int]
    closing: list[int]

    @classmethod
    def of(cls, doc: Doc) -> Brackets:
        texts = token_texts(doc)[0]
        return cls(
            [i for i, t in enumerate(texts) if t == "("],
            [i for i, t in enumerate(texts) if t == ")"],
        )

    def opening_before(self, i: int) -> int:
        """The last "(" at token i or before it (not the first token), or 0."""
        k = bisect.bisect_right(self.opening, i) - 1
        return self.opening[k] if k >= 0 and self.opening[k] > 0 else 0

    def closing_after(self, i: int, default: int) -> int:
        """The first ")" at token i or after it, or `default`."""
        k = bisect.bisect_left(self.closing, i)
        return self.closing[k] if k < len(self.closing) else default


def list_neighbours(doc: Doc, start: int, end: int, brackets: Brackets) -> tuple[int, int]:
    """Where a neighbouring item of a list of places would end (the token before) and start
    (the token after), across a joiner and a parenthesized addition such as "(Saale)"; -2
    where no joiner stands there."""
    tok = tokens_of(doc)
    before = -2
    if start > 0 and tok[start - 1].lower_ in LIST_JOINERS:
        k = start - 1
        if k > 0 and tok[k - 1].text == ")":
            k = brackets.opening_before(k - 1)
        before = k - 1
    after = end
    if after < len(doc) and tok[after].text == "(":
        after = brackets.closing_after(after, len(doc)) + 1
    after = after + 1 if after < len(doc) and tok[after].lower_ in LIST_JOINERS else -2
    return before, after


def find_places(doc: Doc, rules: PlaceRules) -> Doc:
    """Link places to GeoNames cities and countries; find gazetteer cities the model missed,
    where the sentence gives evidence of a place (see `place_evidence`)."""
    tok = tokens_of(doc)
    profile = words(doc).profile
    genitive = profile.genitive_s
    region = gazetteer.language_region(profile.code)
    countries: dict[tuple[int, int], str] = {}
    ents = list(doc.ents)
    person_tails = {e[-1].text for e in ents if e.label_ == PER and len(e) > 1}
    for ent in ents:
        code = gazetteer.find_country(ent.text)
        if code is not None and ent.label_ in (LOC, ORG, PER):
            countries[(ent.start, ent.end)] = code
    # Country names the model did not tag, as context for ambiguous cities.
    tech_chars = [(s, e) for s, e, _ in doc._.technologies or []]
    ngrams = name_ngrams(doc, max_len=3)
    for start, end, text in ngrams:
        code = gazetteer.find_country(text)
        if code is not None:
            countries.setdefault((start, end), code)
    context = set(countries.values())
    relabeled: list[Span] = []
    for ent in ents:
        if (ent.start, ent.end) in countries and ent.label_ in (LOC, ORG, PER):
            code = countries[(ent.start, ent.end)]
            city = gazetteer.resolve_city(ent.text, context, genitive=genitive, region=region)
            if city is not None and code in gazetteer.CITY_STATES:
                relabeled.append(
                    make_span(doc, ent.start, ent.end, CITY, "model", str(city.geonames_id))
                )
            else:
                relabeled.append(make_span(doc, ent.start, ent.end, COUNTRY, "model", code))
            continue
        if ent.label_ == LOC:
            ent = cut_place_cue(doc, ent, profile.place_cues)
        if ent.label_ in (LOC, ORG, PER) and not before_state_word(doc, ent):
            city = gazetteer.resolve_city(
                re.sub(r"['’]s$", "", ent.text), context, genitive=genitive, region=region
            )
            plausible = ent.label_ == LOC or (
                city is not None
                and city.population >= rules.min_population
                and len(ent) <= 2
                and ent.text not in person_tails
                and gazetteer.is_plain_name(ent.text, city)  # not "Google" (Topeka)
                and (  # "Sale" the company, unless the sentence says place
                    not is_common_word(ent.text, profile.code, rules.common_word_zipf)
                    or bool(place_evidence(doc, ent.start, ent.end, profile.place_cues))
                )
            )
            if city is not None and plausible:
                relabeled.append(
                    make_span(doc, ent.start, ent.end, CITY, "model", str(city.geonames_id))
                )
                continue
        relabeled.append(ent)
    entities = Entities(doc, relabeled)
    # Countries of the cities found so far decide between namesakes ("Sale" beside Bath).
    context |= {
        gazetteer.cities_by_id()[int(e.kb_id_)].country_code
        for e in relabeled
        if e.label_ == CITY and e.kb_id_.isdigit()
    }
    found: list[Span] = []
    for (start, end), code in countries.items():
        if not entities.overlapping(start, end):
            span_text = doc[start:end].text
            city = gazetteer.resolve_city(span_text, context, genitive=genitive, region=region)
            if city is not None and code in gazetteer.CITY_STATES:
                found.append(make_span(doc, start, end, CITY, "gazetteer", str(city.geonames_id)))
            else:
                found.append(make_span(doc, start, end, COUNTRY, "gazetteer", code))
    entities.add(found, keep_existing)
    candidates: list[tuple[int, int, gazetteer.City, str]] = []
    for start, end, text in ngrams:
        if not gazetteer.city_candidates(text, genitive=genitive):
            continue  # most capitalized words: no city is called so (resolve_city would say)
        start_char = tok[start].idx
        if overlaps_technology(start_char, start_char + len(text), tech_chars):
            continue
        # In English, a capitalized neighbour means a longer name ("Wasu Media", "Hong Kong
        # Trade"); German capitalizes every noun, so there it means nothing.
        inside_name = not profile.capitalizes_nouns and (
            (start > 0 and not tok[start].is_sent_start and is_name_token(tok[start - 1]))
            or (end < len(doc) and is_name_token(tok[end]) and not tok[end].is_sent_start)
        )
        if inside_name or (end - start == 1 and tok[start].is_stop):  # "Dabei", "Dort", "Man"
            continue
        city = gazetteer.resolve_city(text, context, genitive=genitive, region=region)
        if city is None:
            continue
        if not (
            gazetteer.is_plain_name(text, city) or city.population >= rules.known_city_population
        ):
            continue  # an odd alternate name ("SLM" for Jerusalem), not "Wien" or "Peking"
        candidates.append((start, end, city, place_evidence(doc, start, end, profile.place_cues)))
    found = accept_cities(doc, entities.spans(), candidates, rules)
    entities.add(filter_spans(found), keep_existing)
    with_states(doc, entities)
    entities.write()
    return doc


def with_states(doc: Doc, entities: Entities) -> None:
    """A state or province written after a city and a comma is the city's: not a second city
    ("Melbourne, Victoria", "Portland, Oregon"), and it decides which namesake the city is
    ("Victoria, British Columbia" is in Canada)."""
    tok = tokens_of(doc)
    for ent in entities.spans():
        if ent.label_ != CITY or ent.end + 1 >= len(doc) or tok[ent.end].text != ",":
            continue
        state = entities.covering(ent.end + 1, ent.end + 2)
        if state is None or state.start != ent.end + 1 or state.label_ not in (CITY, LOC):
            continue
        countries = gazetteer.subdivisions_by_key().get(gazetteer.name_key(state.text))
        if not countries:
            continue
        city = gazetteer.resolve_city(ent.text, countries)
        if city is None or city.country_code not in countries:
            continue
        if ent.kb_id_ != str(city.geonames_id):
            entities.remove(ent)
            entities.put(make_span(doc, ent.start, ent.end, CITY, ent.id_, str(city.geonames_id)))
        namesakes = gazetteer.city_candidates(state.text)
        if state.label_ == CITY and not any(  # "Bremen, Hamburg": a list of cities
            c.country_code == city.country_code and c.population >= 100_000 for c in namesakes
        ):
            entities.remove(state)


def overlaps_technology(start: int, end: int, tech_chars: list[tuple[int, int]]) -> bool:
    """Whether characters [start, end) overlap a technology match (`tech_chars` sorted and
    free of overlaps: only the last match that starts before `end` can)."""
    k = bisect.bisect_left(tech_chars, (end,)) - 1
    return k >= 0 and tech_chars[k][1] > start


def accept_cities(
    doc: Doc,
    ents: list[Span],
    candidates: list[tuple[int, int, gazetteer.City, str]],
    rules: PlaceRules,
) -> list[Span]:
    """Gazetteer cities that the sentence supports: with evidence (or as an item of a list of
    cities) from `evidence_min_population` on; without, only large cities that are no known
    ambiguous word, called by their own name (Hamburg) or by a name that is no common word
    of the language (Wien, Kopenhagen). List items are accepted from the known ones
    outwards."""
    city_ends = {e.end for e in ents if e.label_ == CITY}
    city_starts = {e.start for e in ents if e.label_ == CITY}
    brackets = Brackets.of(doc)
    # What does not change from pass to pass: the neighbours' positions, whether the city is
    # large enough with evidence, and whether it is without.
    judged = []
    for start, end, city, evidence in candidates:
        text = doc[start:end].text
        with_evidence = city.population >= rules.evidence_min_population
        without = (
            city.population >= rules.known_city_population
            and gazetteer.name_key(text) not in gazetteer.AMBIGUOUS_NAMES
            and (
                gazetteer.name_key(text) == gazetteer.name_key(city.name)
                or not is_common_word(text, doc.lang_, rules.common_word_zipf)
            )
        )
        before, after = list_neighbours(doc, start, end, brackets)
        judged.append((start, end, city, bool(evidence), with_evidence, without, before, after))
    accepted: dict[tuple[int, int], gazetteer.City] = {}
    changed = True
    while changed:
        changed = False
        for start, end, city, has_evidence, with_evidence, without, before, after in judged:
            if (start, end) in accepted:
                continue
            listed = before + 1 in city_ends or after in city_starts
            ok = with_evidence if has_evidence or listed else without
            if ok:
                accepted[(start, end)] = city
                city_ends.add(end)
                city_starts.add(start)
                changed = True
    return [
        make_span(doc, start, end, CITY, "gazetteer", str(city.geonames_id))
        for (start, end), city in accepted.items()
    ]


#: Words after a place name that make it a state: "Washington state".
STATE_WORDS = frozenset({"state", "staat", "province", "provinz", "county"})


def before_state_word(doc: Doc, ent: Span) -> bool:
    """Whether a state word follows the name: "Washington state" is no city."""
    return ent.end < len(doc) and tokens_of(doc)[ent.end].lower_ in STATE_WORDS


def cut_place_cue(doc: Doc, ent: Span, cues: frozenset[str]) -> Span:
    """A model place that starts with a cue ("The City of Split", "Stadt Essen"), cut to the
    name after it, which is what the gazetteer knows."""
    tok = tokens_of(doc)
    i = ent.start
    words_seen = 0
    while i < ent.end - 1 and words_seen < 3:
        lower = tok[i].lower_
        if lower in cues:
            j = i + 1
            if j < ent.end - 1 and tok[j].lower_ in {"of", "de", "von"}:
                j += 1
            return make_span(doc, j, ent.end, ent.label_, ent.id_ or "model")
        if lower not in words(doc).determiners:
            break
        i += 1
        words_seen += 1
    return ent


def keep_existing(old: Span, new: Span) -> bool:
    """Overlap rule: an entity already there stays, the new span is dropped."""
    return False
