"""Records passed from stage to stage. Plain dataclasses: easy to pickle, compare and serialize."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass
class Problem:
    """A file or article that was skipped or failed, with the stage and a specific reason."""

    source_path: str
    stage: str
    reason: str
    detail: str = ""


@dataclass
class Article:
    """One distinct article: extracted text plus metadata, keyed by a content-derived id."""

    article_id: str
    source_paths: list[str]
    text: str
    title: str = ""
    published: str = ""
    author: str = ""
    site_name: str = ""
    url: str = ""
    description: str = ""
    source_format: str = ""  # html, txt, md
    encoding: str = ""
    language: str = ""
    language_score: float = 0.0
    status: str = "ok"  # ok, unsupported_language, undetermined_language, no_text
    duplicate_of: str = ""  # article_id of the article this one nearly duplicates
    n_words: int = 0


@dataclass
class Mention:
    """One occurrence of an entity in an article's text, as found by one component."""

    article_id: str
    start: int
    end: int
    text: str
    entity_type: str  # person, organization, city, country, technology
    source: str  # model, rule, gazetteer, taxonomy, propagation
    sentence: str = ""
    key: str = ""  # linked identifier where known: GeoNames id, ISO country code, taxonomy id
    language: str = ""


@dataclass
class Role:
    """A role stated for a person in an article: "Mayor of Seville", "Geschäftsführerin des …"."""

    article_id: str
    person_start: int
    person_end: int
    role: str
    start: int
    end: int
    affiliation: str = ""
    affiliation_start: int = -1
    affiliation_end: int = -1


@dataclass
class Extraction:
    """What the extract stage found in one article."""

    article_id: str
    mentions: list[Mention] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)  # character spans
    #: Technology-like phrases not in the taxonomy: (start, end, term, sentence).
    candidates: list[tuple[int, int, str, str]] = field(default_factory=list)


def sentence_at(text: str, sentences: list[tuple[int, int]], char: int) -> str:
    """The sentence around a character offset, from an `Extraction`'s sentence spans (sorted
    by start): what a mention's `sentence` holds, for the extract and link stages alike."""
    if not sentences:
        return ""
    index = max(0, bisect.bisect_right(sentences, (char, len(text) + 1)) - 1)
    start, end = sentences[index]
    # A sentence never runs across a line break (headings, datelines, list items).
    line_start = text.rfind("\n", start, char) + 1 if "\n" in text[start:char] else start
    line_end = text.find("\n", char, end)
    return text[line_start : end if line_end < 0 else line_end].strip()
