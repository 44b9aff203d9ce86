"""pi_technologies: technologies from the shipped taxonomy (case rules, inflection, German
compounds); an entity made of technology names only ("AR/VR") is no organization."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline import taxonomy
from pipeline.extract.labels import ORG, PER
from pipeline.extract.spans import (
    TechMatch,
    doc_text,
)


@Language.component("pi_technologies")
def find_technologies(doc: Doc) -> Doc:
    """Technologies from the shipped taxonomy (case rules, inflection, German compounds)."""
    matches = taxonomy.load().find(doc_text(doc))
    ents = list(doc.ents)
    keep = []
    drop_ents = set()
    for start, end, tech_id in matches:
        blocked = False
        for ent in ents:
            if ent.start_char < end and start < ent.end_char:
                # An entity made of technology names only ("AR/VR") is no organization.
                only_tech = all(
                    any(s <= t.idx and t.idx + len(t) <= e for s, e, _ in matches)
                    for t in ent
                    if t.is_alpha or t.like_num or any(ch.isalnum() for ch in t.text)
                )
                if ent.label_ in (PER, ORG) and not only_tech:
                    blocked = True
                else:
                    drop_ents.add(ent)
        if not blocked:
            keep.append(TechMatch(start, end, tech_id))
    if drop_ents:
        doc.ents = [e for e in doc.ents if e not in drop_ents]
    doc._.technologies = keep
    return doc
