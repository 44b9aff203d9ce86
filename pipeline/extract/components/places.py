"""pi_places: places linked to GeoNames cities and countries; gazetteer cities the model
missed."""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import gazetteer
from pipeline.extract.labels import CITY, COUNTRY, LOC, ORG, PER
from pipeline.extract.spans import (
    is_name_token,
    make_span,
    name_ngrams,
    set_ents,
    tokens_of,
    words,
)


@Language.factory("pi_places", default_config={"min_population": 100_000})
def make_place_finder(nlp: Language, name: str, min_population: int) -> Callable[[Doc], Doc]:
    return lambda doc: find_places(doc, min_population)


def find_places(doc: Doc, min_population: int) -> Doc:
    """Link places to GeoNames cities and countries; find gazetteer cities the model missed."""
    tok = tokens_of(doc)
    profile = words(doc).profile
    genitive = profile.genitive_s
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
    context = frozenset(countries.values())
    relabeled: list[Span] = []
    for ent in ents:
        if (ent.start, ent.end) in countries and ent.label_ in (LOC, ORG, PER):
            code = countries[(ent.start, ent.end)]
            city = gazetteer.resolve_city(ent.text, context, genitive=genitive)
            if city is not None and code in gazetteer.CITY_STATES:
                relabeled.append(
                    make_span(doc, ent.start, ent.end, CITY, "model", str(city.geonames_id))
                )
            else:
                relabeled.append(make_span(doc, ent.start, ent.end, COUNTRY, "model", code))
            continue
        if ent.label_ in (LOC, ORG, PER):
            city = gazetteer.resolve_city(
                re.sub(r"['’]s$", "", ent.text), context, genitive=genitive
            )
            plausible = ent.label_ == LOC or (
                city is not None
                and city.population >= 100_000
                and len(ent) <= 2
                and ent.text not in person_tails
                and gazetteer.is_plain_name(ent.text, city)  # not "Google" (Topeka)
            )
            if city is not None and plausible:
                relabeled.append(
                    make_span(doc, ent.start, ent.end, CITY, "model", str(city.geonames_id))
                )
                continue
        relabeled.append(ent)
    doc.ents = relabeled
    found: list[Span] = []
    for (start, end), code in countries.items():
        if not any(e.start < end and start < e.end for e in relabeled):
            span_text = doc[start:end].text
            city = gazetteer.resolve_city(span_text, context, genitive=genitive)
            if city is not None and code in gazetteer.CITY_STATES:
                found.append(make_span(doc, start, end, CITY, "gazetteer", str(city.geonames_id)))
            else:
                found.append(make_span(doc, start, end, COUNTRY, "gazetteer", code))
    set_ents(doc, found, lambda old, new: False)
    found = []
    for start, end, text in ngrams:
        start_char = tok[start].idx
        end_char = start_char + len(text)
        if any(start_char < e and s < end_char for s, e in tech_chars):
            continue
        # In English, a capitalized neighbour means a longer name ("Wasu Media", "Hong Kong
        # Trade"); German capitalizes every noun, so there it means nothing.
        inside_name = not profile.capitalizes_nouns and (
            (start > 0 and not tok[start].is_sent_start and is_name_token(tok[start - 1]))
            or (end < len(doc) and is_name_token(tok[end]) and not tok[end].is_sent_start)
        )
        city = None if inside_name else gazetteer.resolve_city(text, context, genitive=genitive)
        if city is None:
            continue
        after_preposition = start > 0 and tok[start - 1].lower_ in words(doc).place_prepositions
        if not (gazetteer.is_plain_name(text, city) or city.population >= 1_000_000):
            continue  # an odd alternate name ("SLM" for Jerusalem), not "Wien" or "Peking"
        if city.population >= min_population or (after_preposition and city.population >= 15_000):
            found.append(make_span(doc, start, end, CITY, "gazetteer", str(city.geonames_id)))
    set_ents(doc, filter_spans(found), lambda old, new: False)
    return doc
