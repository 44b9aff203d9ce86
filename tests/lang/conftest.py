"""Per-language tests: each file checks one profile of `pipeline.lang` through the real
extractor (the language's installed spaCy pipeline, or the project's model)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from found import Found
from spacy.language import Language

from pipeline import extract
from pipeline.config import DEFAULT_PIPELINES
from pipeline.records import Article


@pytest.fixture(scope="session")
def pipelines() -> dict[str, Language]:
    return {
        code: extract.resolve_pipeline(code, DEFAULT_PIPELINES[code])[0]
        for code in ("en", "de", "fr")
    }


@pytest.fixture(scope="session")
def extract_text(pipelines: dict[str, Language]) -> Callable[[str, str], Found]:
    """Run the real extractor of a language over a text."""

    def run(language: str, text: str) -> Found:
        article = Article(article_id="t", source_paths=["t"], text=text, language=language)
        return Found(extract.doc_to_extraction(pipelines[language](text), article))

    return run
