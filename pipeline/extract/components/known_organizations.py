"""pi_known_organizations: well-known organizations found by name (see
`pipeline.known_organizations`), where the statistical model missed them or took them for
something else ("Waymo", "xAI", "Bitkom", "naturstrom")."""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline import known_organizations
from pipeline.extract.labels import ORG, PER
from pipeline.extract.spans import Entities, contained, make_span, words


@Language.factory("pi_known_organizations")
def make_known_organizations(nlp: Language, name: str) -> KnownOrganizations:
    return KnownOrganizations(nlp)


class KnownOrganizations:
    """A case-sensitive phrase matcher over the names and aliases, whole tokens only."""

    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        patterns: dict[str, list[Doc]] = {}
        for form, org_id in known_organizations.safe_forms().items():
            patterns.setdefault(org_id, []).append(nlp.make_doc(form))
        for org_id, docs in patterns.items():
            self.matcher.add(org_id, docs)

    def __call__(self, doc: Doc) -> Doc:
        found = [
            make_span(doc, span.start, with_acronym(doc, span.end), ORG, "gazetteer")
            for span in self.matcher(doc, as_spans=True)
        ]
        entities = Entities(doc)
        entities.add(filter_spans(found), replaceable_by_known)
        entities.write()
        return doc


def with_acronym(doc: Doc, end: int) -> int:
    """The end of a known name, with the acronym of a unit that follows it: "Fraunhofer IEE",
    an institute of its own."""
    if end < len(doc) and doc[end].is_upper and doc[end].is_alpha and 2 <= len(doc[end]) <= 6:
        return end + 1
    return end


def replaceable_by_known(old: Span, new: Span) -> bool:
    """A known organization replaces what it contains (the model's "Nvidia" as a place, its
    "Deutsche" of "Deutsche Telekom"), except a person a rule found, and a name the model
    began with a word that only describes it ("Bauunternehmen Implenia"); a longer name the
    model found around it stays ("Siemens Mobility Ltd")."""
    if contained(old, new):
        return old.label_ != PER or old.id_ == "model"
    return (
        old.label_ == ORG
        and old.end == new.end
        and new.start - old.start == 1
        and old[0].lower_.endswith(words(old.doc).org_descriptors)
    )
