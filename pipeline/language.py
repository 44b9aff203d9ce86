"""Stage 2, language: detect each article's language with langdetect, deterministically.

Input: Article records. Output: the same records with `language`, `language_score` and `status` set.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from pipeline.config import Config
from pipeline.records import Article

log = logging.getLogger(__name__)

UNDETERMINED = "und"
#: Status of an article published before `Config.since` (`--since`): kept, not analysed.
BEFORE_SINCE = "published_before_since"


def run(articles: Iterable[Article], config: Config) -> None:
    """Set language, score and status on each article in place; articles published before
    `config.since` get status published_before_since (undated ones are kept)."""
    for article in articles:
        article.language, article.language_score = (
            (config.language, 1.0) if config.language else detect_language(article.text, config)
        )
        if article.language == UNDETERMINED:
            article.status = "undetermined_language"
        elif article.language not in config.languages:
            article.status = "unsupported_language"
        else:
            article.status = "ok"
        if config.since and article.published and article.published < config.since:
            article.status = BEFORE_SINCE


def detect_language(text: str, config: Config) -> tuple[str, float]:
    """Top language (ISO 639-1) and its probability, or ('und', score) when it cannot be decided."""
    if len(text.split()) < config.language_min_words:
        return UNDETERMINED, 0.0
    DetectorFactory.seed = config.seed  # langdetect is random unless seeded
    try:
        candidates = detect_langs(text[: config.language_sample_chars])
    except LangDetectException:
        return UNDETERMINED, 0.0
    top = candidates[0]
    code = top.lang.split("-")[0]
    score = round(float(top.prob), 4)
    if score < config.language_min_score:
        return UNDETERMINED, score
    return code, score
