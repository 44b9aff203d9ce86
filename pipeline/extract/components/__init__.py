"""The project's rule and gazetteer components, one module each, registered with spaCy on
import. They run after the statistical `ner`, in `RULE_COMPONENTS` order."""

from __future__ import annotations

from pipeline.extract.components import (
    known_organizations,
    model_labels,
    organizations,
    people,
    places,
    propagation,
    technologies,
)

#: Component names in pipeline order (after the statistical ones).
RULE_COMPONENTS = (
    "pi_labels",
    "pi_technologies",
    "pi_places",
    "pi_known_organizations",
    "pi_organizations",
    "pi_people",
    "pi_propagation",
)

__all__ = [
    "RULE_COMPONENTS",
    "known_organizations",
    "model_labels",
    "organizations",
    "people",
    "places",
    "propagation",
    "technologies",
]
