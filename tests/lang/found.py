"""What the per-language tests read from an extraction."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.records import Extraction


@dataclass
class Found:
    extraction: Extraction

    def texts(self, entity_type: str) -> set[str]:
        return {m.text for m in self.extraction.mentions if m.entity_type == entity_type}

    def keys(self, entity_type: str) -> set[str]:
        return {m.key for m in self.extraction.mentions if m.entity_type == entity_type}
