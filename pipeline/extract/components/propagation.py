"""pi_propagation: the last rule component. A person or organization recognized once in an
article is recognized at every other occurrence there; lone words the model alone calls
people are dropped."""

from __future__ import annotations

import re

import pycountry
from spacy.language import Language
from spacy.tokens import Doc
from wordfreq import zipf_frequency

from pipeline.extract.components.people import plausible_person
from pipeline.extract.labels import CITY, LOC, ORG, PER
from pipeline.extract.spans import (
    doc_text,
    first_names,
    is_name_token,
    make_span,
    set_ents,
    words,
)

#: Zipf frequency from which a lone capitalized word with an inflection ending is a word of
#: the language rather than a surname.
LONE_WORD_ZIPF = 1.5
#: ISO 4217 codes: "DKK 23 million" is money, not an organization.
CURRENCY_CODES = frozenset(c.alpha_3 for c in pycountry.currencies)


@Language.component("pi_propagation")
def propagation_component(doc: Doc) -> Doc:
    """The last rule component: propagate names, then drop the token caches (the tokens refer
    back to the document, a cycle only the garbage collector would break, and a later
    retokenization would make them stale; the text cannot change)."""
    doc = propagate_names(doc)
    doc.user_data.pop("pi_token_objects", None)
    doc.user_data.pop("pi_tokens", None)
    return doc


def propagate_names(doc: Doc) -> Doc:
    """A person or organization recognized once is recognized at every other occurrence."""
    names = first_names()
    lone_endings = words(doc).profile.lone_person_endings
    ents = [e for e in doc.ents if e.label_ != PER or plausible_person(e, names)]
    org_names = [e.text for e in ents if e.label_ == ORG and len(e) > 1]
    multi_person_tokens = {t.text for e in ents if e.label_ == PER and len(e) > 1 for t in e}
    kept = []
    for e in ents:
        if e.label_ == PER and any(o.startswith(e.text + " ") for o in org_names):
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
                    and zipf_frequency(e.text.lower(), doc.lang_) >= LONE_WORD_ZIPF
                    and zipf_frequency(e.text.lower(), doc.lang_)
                    > zipf_frequency(e.text.lower(), "en")
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
    doc.ents = [
        make_span(doc, e.start, e.end, PER, e.id_ or "model")
        if e.label_ in (ORG, CITY, LOC) and known.get(e.text) == PER and e.text not in rule_orgs
        else e
        for e in kept
    ]
    if not known:
        return doc
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(k) for k in sorted(known, key=len, reverse=True))
        + r")(?![\w-])"
    )
    found = []
    for match in pattern.finditer(doc_text(doc)):
        span = doc.char_span(match.start(), match.end())
        if span is not None:
            found.append(make_span(doc, span.start, span.end, known[match.group(1)], "propagation"))
    set_ents(doc, found, lambda old, new: False)
    return doc
