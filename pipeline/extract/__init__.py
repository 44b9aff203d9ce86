"""Stage 3, extract: people, organizations, cities, countries and technologies, with spaCy.

Input: Article records with a supported language. Output: one `Extraction` (mentions and roles)
per article. One spaCy pipeline per language, resolved from the language profile's candidate
list (`pipelines`); the statistical `ner` is followed by the project's rule and gazetteer
components (`components/`, one module each), whose contribution is visible in each mention's
`source`. Language knowledge comes from `pipeline.lang`. Names found in one article are looked
for in the others by the next stage, `pipeline.link`.

Layout:
- `pipelines.py`: pipeline resolution, tokenizer special cases, the extraction fingerprint;
- `components/`: the `pi_*` spaCy components;
- `spans.py`: what the components share (token caches, span helpers, `Words`, named records);
- `convert.py`: a processed document into an `Extraction`;
- `stage.py`: `Extractor`, the per-process pipeline cache and `run`.
"""

from __future__ import annotations

from pipeline.extract.components import RULE_COMPONENTS
from pipeline.extract.convert import doc_to_extraction
from pipeline.extract.labels import ENTITY_TYPES
from pipeline.extract.pipelines import (
    PipelineInfo,
    fingerprint,
    installed_candidate,
    load_candidate,
    project_model_path,
    resolve_pipeline,
)
from pipeline.extract.stage import Extractor, extract_batch, forget_pipelines, run

__all__ = [
    "ENTITY_TYPES",
    "RULE_COMPONENTS",
    "Extractor",
    "PipelineInfo",
    "doc_to_extraction",
    "extract_batch",
    "fingerprint",
    "forget_pipelines",
    "installed_candidate",
    "load_candidate",
    "project_model_path",
    "resolve_pipeline",
    "run",
]
