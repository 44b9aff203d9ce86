"""pi_organizations: organizations by legal form (GmbH, Co., Ltd.), institutional head
("Universität", "Agency") or an acronym introduced in parentheses."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import gazetteer
from pipeline.extract.labels import ORG, PER
from pipeline.extract.spans import (
    contained,
    first_names,
    is_name_token,
    make_span,
    name_run_start,
    set_ents,
    starts_person,
    token_texts,
    tokens_of,
    words,
)
from pipeline.lexicon import LEGAL_FORMS

#: Legal forms written before the name: "UAB Ledgerline", "SIA Baltic Grid".
LEGAL_PREFIXES = {"UAB", "SIA", "AS", "OOO", "ZAO", "PT", "JSC"}
#: Legal forms without trailing periods, by their first word, longest first.
LEGAL_FORMS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _form in LEGAL_FORMS:
    LEGAL_FORMS_BY_FIRST.setdefault(_form[0].rstrip("."), []).append(
        tuple(part.rstrip(".") for part in _form)
    )
#: An acronym introduced in parentheses: "CAICT", "DfT", "TU/e".
ACRONYM = re.compile(r"(?=(?:.*[A-Z]){2})[A-Z][A-Za-z0-9&/.\-]{1,11}")


@Language.component("pi_organizations")
def find_organizations(doc: Doc) -> Doc:
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
    set_ents(
        doc,
        filter_spans(found),
        lambda old, new: (
            (contained(old, new) and old.label_ != PER)
            or (old.label_ == PER and old.id_ == "model" and old[0].lower_ not in first_names())
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
    for ent in doc.ents:
        end = ent.end
        if (
            ent.label_ == ORG
            and end + 2 < len(doc)
            and tok[end].text == "("
            and tok[end + 2].text == ")"
            and ACRONYM.fullmatch(tok[end + 1].text)
        ):
            found.append(make_span(doc, end + 1, end + 2, ORG, "rule"))
    set_ents(
        doc,
        found,
        lambda old, new: (old.label_ != PER or old.id_ == "model") and contained(old, new),
    )
    return doc
