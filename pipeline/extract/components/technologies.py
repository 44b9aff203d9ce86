"""pi_technologies: technologies from the shipped taxonomy (case rules, inflection, German
compounds); an entity made of technology names only ("AR/VR") is no organization."""

from __future__ import annotations

import bisect

from spacy.language import Language
from spacy.tokens import Doc, Span

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
    if not matches:
        doc._.technologies = []
        return doc
    ents = list(doc.ents)
    # Matches and entities are each sorted and free of overlaps: a match meets the entities
    # from the first one that ends after its start.
    ent_ends = [e.end_char for e in ents]
    match_starts = [start for start, _, _ in matches]
    only_tech: dict[int, bool] = {}
    keep = []
    drop_ents = set()
    for start, end, tech_id in matches:
        blocked = False
        k = bisect.bisect_right(ent_ends, start)
        while k < len(ents) and ents[k].start_char < end:
            ent = ents[k]
            if k not in only_tech:
                only_tech[k] = made_of_technologies(ent, matches, match_starts)
            # An entity made of technology names only ("AR/VR") is no organization.
            if ent.label_ in (PER, ORG) and not only_tech[k]:
                blocked = True
            else:
                drop_ents.add(ent)
            k += 1
        if not blocked:
            keep.append(TechMatch(start, end, tech_id))
    if drop_ents:
        doc.ents = [e for e in ents if e not in drop_ents]
    doc._.technologies = keep
    return doc


def made_of_technologies(
    ent: Span, matches: list[tuple[int, int, str]], match_starts: list[int]
) -> bool:
    """Whether every word of the entity lies inside a match (matches sorted, no overlaps: the
    one that can contain a token is the last that starts at or before it)."""
    for t in ent:
        if t.is_alpha or t.like_num or any(ch.isalnum() for ch in t.text):
            k = bisect.bisect_right(match_starts, t.idx) - 1
            if k < 0 or matches[k][1] < t.idx + len(t):
                return False
    return True
