"""A processed spaCy document into the `Extraction` record the store keeps: mentions with
offsets and sentences, roles, sentence bounds and unknown technology-like phrases."""

from __future__ import annotations

import bisect

from spacy.tokens import Doc

from pipeline import taxonomy
from pipeline.extract.labels import ENTITY_TYPES
from pipeline.extract.spans import doc_text
from pipeline.records import Article, Extraction, Mention, Role, sentence_at


def doc_to_extraction(doc: Doc, article: Article) -> Extraction:
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    text = doc_text(doc)

    def sentence_of(char: int) -> str:
        return sentence_at(text, sentences, char)

    mentions = [
        Mention(
            article_id=article.article_id,
            start=ent.start_char,
            end=ent.end_char,
            text=ent.text,
            entity_type=ENTITY_TYPES[ent.label_],
            source=ent.id_ or "model",
            sentence=sentence_of(ent.start_char),
            key=ent.kb_id_,
            language=article.language,
        )
        for ent in doc.ents
        if ent.label_ in ENTITY_TYPES
    ]
    for start, end, tech_id in doc._.technologies or []:
        mentions.append(
            Mention(
                article.article_id,
                start,
                end,
                text[start:end],
                "technology",
                "taxonomy",
                sentence_of(start),
                tech_id,
                article.language,
            )
        )
    roles = [
        Role(
            article.article_id,
            r.person_start,
            r.person_end,
            r.role,
            r.role_start,
            r.role_end,
            r.affiliation,
            r.affiliation_start,
            r.affiliation_end,
        )
        for r in doc._.roles or []
    ]
    mentions.sort(key=lambda m: (m.start, m.end, m.entity_type))
    # Organizations and people, sorted and free of overlaps (they are entities of the document):
    # only the last one that starts before a candidate ends can overlap it.
    taken = [(m.start, m.end) for m in mentions if m.entity_type in ("organization", "person")]
    candidates = [
        (start, end, term, sentence_of(start))
        for start, end, term in taxonomy.find_candidates(text, taxonomy.load())
        if not overlaps(taken, start, end)  # "Hikvision Digital Technology"
    ]
    return Extraction(article.article_id, mentions, roles, sentences, candidates)


def overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of `spans` (sorted, free of overlaps)."""
    k = bisect.bisect_left(spans, (end,)) - 1
    return k >= 0 and spans[k][1] > start
