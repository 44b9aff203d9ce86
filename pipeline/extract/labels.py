"""Entity labels inside the extractor's spaCy pipelines, and the entity types they become."""

from __future__ import annotations

from pipeline import entity_types

PER, ORG, LOC, CITY, COUNTRY = "PER", "ORG", "LOC", "CITY", "COUNTRY"
#: Labels kept after the rule components, by the entity type of the tables (each one of the
#: registry's types, `pipeline.entity_types`; technologies come from the taxonomy matcher).
ENTITY_TYPES = {
    label: entity_types.get(name).name
    for label, name in (
        (PER, "person"),
        (ORG, "organization"),
        (CITY, "city"),
        (COUNTRY, "country"),
    )
}
#: Statistical model labels (OntoNotes, WikiNER, GermEval) -> the extractor's labels.
MODEL_LABELS = {"PERSON": PER, "PER": PER, "ORG": ORG, "GPE": LOC, "LOC": LOC}
