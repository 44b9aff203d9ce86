"""pi_labels: the statistical model's entities, mapped to PER/ORG/LOC and marked as found
by the model; other labels and spans that cannot be names are dropped."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.extract.labels import MODEL_LABELS
from pipeline.extract.spans import (
    make_span,
    words,
)


@Language.component("pi_labels")
def label_model_entities(doc: Doc) -> Doc:
    """Map model labels to PER/ORG/LOC, mark them as found by the model, drop other labels."""
    doc.ents = [
        make_span(doc, e.start, e.end, MODEL_LABELS[e.label_], "model")
        for e in doc.ents
        if e.label_ in MODEL_LABELS and looks_like_a_name(e)
    ]
    return doc


def looks_like_a_name(ent: Span) -> bool:
    """Model entities worth keeping: a capital letter (or one short word: "dpa", "taz"), a word
    beyond articles and numbers ("The 2023" is not), no stray opening quote ("the ‘Inclusive")."""
    determiners = words(ent.doc).determiners
    content = [t for t in ent if any(ch.isalpha() for ch in t.text) and t.lower_ not in determiners]
    return (
        (any(ch.isupper() for ch in ent.text) or (len(ent) == 1 and len(ent.text) <= 6))
        and bool(content)
        and not any(t.text in {"‘", "“", "„", "'", '"'} for t in ent)
    )
