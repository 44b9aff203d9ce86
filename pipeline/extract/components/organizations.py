"""pi_organizations: organizations by legal form (GmbH, Co., Ltd.), institutional head
("Universität", "Agency") or an acronym introduced in parentheses."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import gazetteer, known_organizations
from pipeline.extract.labels import CITY, ORG, PER
from pipeline.extract.spans import (
    Entities,
    Words,
    after_affiliation,
    contained,
    first_names,
    is_name_token,
    make_span,
    name_run_start,
    starts_person,
    token_texts,
    tokens_of,
    words,
    zipf,
)
from pipeline.lexicon import LEGAL_FORM_TOKENS, LEGAL_FORMS

#: Legal forms written before the name: "UAB Ledgerline", "SIA Baltic Grid".
LEGAL_PREFIXES = {"UAB", "SIA", "AS", "OOO", "ZAO", "PT", "JSC"}
#: Legal forms without trailing periods, by their first word, longest first.
LEGAL_FORMS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _form in LEGAL_FORMS:
    LEGAL_FORMS_BY_FIRST.setdefault(_form[0].rstrip("."), []).append(
        tuple(part.rstrip(".") for part in _form)
    )
#: Joiners of two names.
COORDINATORS = frozenset({"and", "und", "et"})
#: Units of power and energy (and their names), which the model takes for organizations.
UNIT = re.compile(
    r"(?:[kMGT]Wh?|[kMG]Wp|(?:Kilo|Mega|Giga|Tera)watt(?:stunden?|s|hours?)?|MWel|MWth)",
    re.IGNORECASE,
)
#: Road numbers: "A61", "B 27", "M62", "A65 Kirkstall Road".
ROAD = re.compile(r"[ABEM] ?\d{1,4}\b")
#: Chemical formulas: "CO2", "NOx", "H2", "CH4".
FORMULA = re.compile(r"(?:CO2|CO₂|NOx|NO2|N2O|CH4|H2|H2O|SO2|O3|PM10|PM2[.,]5)")
#: An acronym introduced in parentheses: "CAICT", "DfT", "TU/e".
ACRONYM = re.compile(r"(?=(?:.*[A-Z]){2})[A-Z][A-Za-z0-9&/.\-]{1,11}")


@dataclass(frozen=True)
class OrganizationRules:
    """Thresholds of the organizations component (`Config.organization_rules`, documented in
    `Config`)."""

    generic_zipf: float = 4.0


@Language.factory("pi_organizations", default_config=asdict(OrganizationRules()))
def make_organization_finder(nlp: Language, name: str, generic_zipf: float) -> Callable[[Doc], Doc]:
    rules = OrganizationRules(generic_zipf)
    return lambda doc: find_organizations(doc, rules)


def find_organizations(doc: Doc, rules: OrganizationRules) -> Doc:
    """Organizations by legal form (GmbH, Co., Ltd.), institutional head or introduced acronym."""
    tok = tokens_of(doc)
    w = words(doc)
    found: list[Span] = []
    person_starts = {e.start for e in doc.ents if e.label_ == PER}
    tokens = [text.rstrip(".") for text in token_texts(doc)[0]]
    for i in range(len(doc)):
        if tokens[i] in LEGAL_PREFIXES and i + 1 < len(doc) and is_name_token(tok[i + 1]):
            end = i + 1
            while end < len(doc) and end - i <= 3 and is_name_token(tok[end]):
                end += 1
            found.append(make_span(doc, i, end, ORG, "rule"))
        for form in LEGAL_FORMS_BY_FIRST.get(tokens[i], ()):
            if tuple(tokens[i : i + len(form)]) == form:
                # "Lusopark Tecnologias, Lda.": a comma may stand before the legal form.
                comma = i > 1 and tokens[i - 1] == "," and is_name_token(tok[i - 2])
                start = name_run_start(doc, i - 1 if comma else i)
                if start < i - comma:
                    found.append(make_span(doc, start, i + len(form), ORG, "rule"))
                break
    for i, token in enumerate(tok):
        lower = token.lower_
        if token.text[:1].isupper() and lower.endswith(w.org_heads):
            start = name_run_start(doc, i)
            end = i + 1
            # "Universität Stuttgart", "Universität Erlangen-Nürnberg", "Bundesamt für
            # Sicherheit in der Informationstechnik"
            if (
                end < len(doc)
                and is_name_token(tok[end])
                and gazetteer.city_candidates(tok[end].text.split("-")[0])
            ):
                end += 1
            in_phrase = False  # "and" joins names only inside an "of …"/"für …" phrase
            while True:
                gap = end
                while (
                    gap < len(doc)
                    and gap - end < 2
                    and (
                        tok[gap].lower_ in w.org_connectors or (in_phrase and tok[gap].text == ",")
                    )
                ):
                    gap += 1
                joined = {t.lower_ for t in doc[end:gap]}
                if (
                    gap == end
                    or gap >= len(doc)
                    or not is_name_token(tok[gap])
                    or (joined & {"and", "und", "&"} and not in_phrase)
                    or starts_person(doc, gap, person_starts)
                ):
                    break
                in_phrase = in_phrase or bool(joined - {"and", "und", "&"})
                end = gap
                while (
                    end < len(doc)
                    and is_name_token(tok[end])
                    and not starts_person(doc, end, person_starts)
                ):
                    end += 1
            # One word is enough for a compound head: "Friedrich-Alexander-Universität".
            if end - start >= 2 or (end - start == 1 and token.text.count("-") >= 1):
                found.append(make_span(doc, start, end, ORG, "rule"))
    entities = Entities(doc)
    entities.add(
        filter_spans(found),
        lambda old, new: (
            # a known name stays whole, unless its legal form follows ("naturstrom AG"), not
            # "Digitalverband Bitkom"
            (
                contained(old, new)
                and old.label_ != PER
                and (old.label_ != ORG or old.id_ != "gazetteer" or ends_with_legal_form(new))
            )
            or (old.label_ == PER and old.id_ == "model" and old[0].lower_ not in first_names())
            # "Robert Bosch GmbH": a person's name with a legal form is a company.
            or (old.label_ == PER and contained(old, new) and ends_with_legal_form(new))
            # "… Trade Development Council Margaret Fong": the model ran on into a person.
            or (
                old.label_ == ORG
                and old.id_ == "model"
                and old.end > new.end
                and starts_person(doc, new.end, person_starts)
            )
        ),
    )
    # An acronym in parentheses right after an organization: "… Technology (CAICT)".
    found = []
    for ent in entities.spans():
        end = ent.end
        if (
            ent.label_ == ORG
            and end + 2 < len(doc)
            and tok[end].text == "("
            and tok[end + 2].text == ")"
            and ACRONYM.fullmatch(tok[end + 1].text)
        ):
            found.append(make_span(doc, end + 1, end + 2, ORG, "rule"))
    entities.add(
        found,
        lambda old, new: (old.label_ != PER or old.id_ == "model") and contained(old, new),
    )
    doc.ents = [
        without_trailing_place(e) if e.label_ == ORG else e
        for e in split_coordinations(doc, entities.spans())
        if e.label_ != ORG
        or (not_an_organization(e) is None and not is_generic(e, rules.generic_zipf))
    ]
    return doc


def without_trailing_place(ent: Span) -> Span:
    """ "Royal Jubilee Hospital in Victoria" is the hospital, then its city: an organization
    name ends before "in" when a place name ends it ("… in der Hauptstadt Belgrad", "… in
    Cambridgeshire")."""
    doc = ent.doc
    last = doc[ent.end - 1].text
    place = (
        gazetteer.resolve_city(last) is not None
        or gazetteer.find_country(last) is not None
        or gazetteer.name_key(last) in gazetteer.subdivisions_by_key()
    )
    if not place:
        return ent
    for k in range(ent.end - 2, max(ent.start, ent.end - 6), -1):
        if doc[k].lower_ in {"in", "im"}:
            return make_span(doc, ent.start, k, ORG, ent.id_ or "model", ent.kb_id_)
    return ent


def is_generic(ent: Span, generic_zipf: float) -> bool:
    """A name the rules built of common words only ("Schule für Kinder", "Military College",
    "Ermittlungsbehörde"): no place, given name, acronym or legal form among them."""
    if ent.id_ != "rule" or ends_with_legal_form(ent):
        return False
    names = first_names()
    content = [t for t in ent if t.is_alpha and not t.is_stop]
    for t in content:
        lower = t.lower_
        if t.is_upper or lower in names or gazetteer.city_candidates(t.text):
            return False
        if max(zipf(lower, ent.doc.lang_), zipf(lower, "en")) < generic_zipf:
            return False
    return bool(content)


def ends_with_legal_form(span: Span) -> bool:
    return span[-1].text.lower().rstrip(".") in LEGAL_FORM_TOKENS


def has_head(span: Span) -> bool:
    """Whether an institutional head stands in the span ("… Association of America")."""
    heads = words(span.doc).org_heads
    return any(t.lower_.endswith(heads) for t in span)


def looks_complete(span: Span) -> bool:
    """An organization name that ends as one: a legal form or an institutional head."""
    last = span[-1].lower_.rstrip(".")
    return last in LEGAL_FORM_TOKENS or last.endswith(words(span.doc).org_heads)


def split_coordinations(doc: Doc, ents: list[Span]) -> list[Span]:
    """Two names joined by "and"/"und" are two: "Leeds City Council and Siemens Mobility Ltd",
    "Austin and Cisco Systems, Inc." (a city, then a company). Names with the joiner inside
    ("Department for Energy Security and Net Zero", "Johnson & Johnson") stay whole: the
    left part must end as a name does, or be a city, and the right part must be a name."""
    split: list[Span] = []
    for ent in ents:
        parts = split_at_joiner(doc, ent) if ent.label_ == ORG else None
        split.extend(parts or [ent])
    return filter_spans(split)


def split_at_joiner(doc: Doc, ent: Span) -> list[Span] | None:
    w = words(doc)
    known = known_organizations.safe_forms()
    for k in range(ent.start + 1, ent.end - 1):
        if doc[k].lower_ not in COORDINATORS:
            continue
        after = k + 1 + (doc[k + 1].lower_ in w.determiners and k + 2 < ent.end)
        left, right = doc[ent.start : k], doc[after : ent.end]
        if not (is_name_token(right[0]) and (looks_complete(right) or len(right) >= 2)):
            continue
        if (
            looks_complete(left)
            or (has_head(left) and has_head(right))
            or left.text in known
            or right.text in known
        ):
            label = ORG
        elif len(left) <= 2 and gazetteer.resolve_city(left.text) is not None:
            label = CITY
        else:
            continue
        city = gazetteer.resolve_city(left.text) if label == CITY else None
        key = str(city.geonames_id) if city is not None else ""
        return [
            make_span(doc, left.start, left.end, label, ent.id_ or "model", key),
            make_span(doc, right.start, right.end, ORG, ent.id_ or "model"),
        ]
    return None


def not_an_organization(ent: Span) -> str | None:
    """Why a span is no organization, or None: a unit ("MW", "Megawatt"), a road number
    ("A61"), a chemical formula ("CO2."), or department words alone ("Finance", "Digital
    Transformation", "Citizen Participation")."""
    text = ent.text.rstrip(".")
    if UNIT.fullmatch(text):
        return "unit"
    if all(t.lower_.rstrip(".") in LEGAL_FORM_TOKENS for t in ent):  # "SAS", "GmbH"
        return "legal form"
    if ROAD.match(text):
        return "road"
    if FORMULA.fullmatch(text):
        return "formula"
    w = words(ent.doc)
    department = w.department_words
    content = [t.lower_ for t in ent if t.is_alpha and t.lower_ not in COORDINATORS]
    if content and all(word in department for word in content) and not looks_complete(ent):
        return "department"
    if ent[0].lower_ in department and not looks_complete(ent) and names_its_parent(ent, w):
        return "part of an organization"  # "Niederlassung Süd der Autobahn GmbH"
    return None


def names_its_parent(ent: Span, w: Words) -> bool:
    """Whether a name is followed by the organization it belongs to: "… der Autobahn GmbH"."""
    doc = ent.doc
    k = after_affiliation(doc, ent.end, w)
    return k is not None and k < len(doc) and (is_name_token(doc[k]) or doc[k].is_upper)
