"""The extract stage: one spaCy pipeline per language, loaded once per process and kept, and
the articles of a batch run through `nlp.pipe` into `Extraction` records."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from spacy.language import Language
from tqdm import tqdm

from pipeline.config import Config
from pipeline.extract.convert import doc_to_extraction
from pipeline.extract.pipelines import PipelineInfo, resolve_pipeline
from pipeline.records import Article, Extraction

log = logging.getLogger(__name__)


# --- the stage -------------------------------------------------------------------------------
class Extractor:
    """The spaCy pipelines of a run, one per language, each loaded on first use and kept."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.pipelines: dict[str, Language] = {}
        self.info: dict[str, PipelineInfo] = {}

    def pipeline(self, language: str) -> Language:
        if language not in self.pipelines:
            nlp, info = resolve_pipeline(
                language, self.config.pipelines[language], self.config.component_rules()
            )
            nlp.max_length = max(nlp.max_length, self.config.max_text_chars + 1)
            self.pipelines[language], self.info[language] = nlp, info
            log.info(
                "%s: %s %s (%s)",
                language,
                info.name,
                info.version,
                "rules only" if info.rules_only else info.candidate,
            )
        return self.pipelines[language]

    def extract(self, articles: list[Article]) -> Iterator[Extraction]:
        """Extractions for articles, grouped by language and batched through nlp.pipe."""
        for language in sorted({a.language for a in articles}):
            nlp = self.pipeline(language)
            texts = ((a.text, a) for a in articles if a.language == language)
            for doc, article in nlp.pipe(texts, as_tuples=True, batch_size=self.config.batch_size):
                yield doc_to_extraction(doc, article)


#: Extractors in this process, by the settings they were built from: a worker process (local
#: or Dask) loads each pipeline once and keeps it for every batch it is given.
_EXTRACTORS: dict[str, Extractor] = {}


def extract_batch(batch: tuple[Config, list[Article]]) -> list[Extraction]:
    """Extractions of one batch of articles; the unit of work sent to worker processes."""
    config, articles = batch
    key = json.dumps(
        [
            config.as_dict()["pipelines"],
            config.component_rules(),
            config.batch_size,
            config.max_text_chars,
        ],
        sort_keys=True,
    )
    extractor = _EXTRACTORS.setdefault(key, Extractor(config))
    return list(extractor.extract(articles))


def forget_pipelines() -> None:
    """Let the pipelines this process loaded be freed."""
    _EXTRACTORS.clear()


def run(
    articles: list[Article], config: Config, *, progress: bool = False
) -> tuple[list[Extraction], dict[str, PipelineInfo]]:
    """Extract entities from every article with status ok (each on its own: names found in
    one article are looked for in the others by the link stage, `pipeline.link`)."""
    todo = [a for a in articles if a.status == "ok"]
    extractor = Extractor(config)
    return list(
        tqdm(
            extractor.extract(todo),
            total=len(todo),
            desc="extract",
            unit="article",
            disable=not progress or None,
        )
    ), extractor.info
