"""What the rule components share: cached token views of a document, span helpers, the
language's words, and the named records the components leave on a document."""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain
from typing import NamedTuple

import gender_guesser.detector
from spacy.attrs import ORTH, SPACY
from spacy.tokens import Doc, Span, Token
from wordfreq import zipf_frequency

from pipeline import lang
from pipeline.extract.labels import ORG, PER


class TechMatch(NamedTuple):
    """A technology found in the text (character offsets: a match may sit inside a token,
    as "KI" in "KI-Lösungen")."""

    start: int
    end: int
    tech_id: str


class RoleMatch(NamedTuple):
    """A role phrase and the person holding it, with the organization named beside the role
    ("" and -1 where none is)."""

    role: str
    role_start: int
    role_end: int
    person_start: int
    person_end: int
    affiliation: str
    affiliation_start: int
    affiliation_end: int


Doc.set_extension("technologies", default=None, force=True)  # list[TechMatch]
Doc.set_extension("roles", default=None, force=True)  # list[RoleMatch]


@dataclass(frozen=True)
class Words:
    """The word sets a component reads for an article's language (see `pipeline.lang`)."""

    profile: lang.Profile
    role_words: frozenset[str]
    role_suffixes: tuple[str, ...]
    role_modifiers: frozenset[str]
    honorifics: frozenset[str]
    determiners: frozenset[str]
    affiliation_words: frozenset[str]
    place_prepositions: frozenset[str]
    org_heads: tuple[str, ...]
    org_connectors: frozenset[str]
    name_particles: frozenset[str]
    not_names: frozenset[str]
    department_words: frozenset[str]
    place_roles: tuple[str, ...]
    org_descriptors: tuple[str, ...]


@cache
def words_for(code: str) -> Words:
    def context(name: str) -> frozenset[str]:
        return lang.context_words(code, name)

    profile = lang.profile(code)
    return Words(
        profile=profile,
        role_words=context("role_words"),
        role_suffixes=profile.role_suffixes,
        role_modifiers=context("role_modifiers"),
        honorifics=context("honorifics"),
        determiners=context("determiners"),
        affiliation_words=context("affiliation_words"),
        place_prepositions=context("place_prepositions"),
        org_heads=lang.all_suffixes("org_heads"),
        org_connectors=lang.all_words("org_connectors"),
        name_particles=lang.all_words("name_particles"),
        not_names=lang.all_words("not_names"),
        department_words=context("department_words"),
        place_roles=lang.all_suffixes("place_roles"),
        org_descriptors=lang.all_suffixes("org_descriptors"),
    )


def words(doc: Doc) -> Words:
    """The words of the document's language."""
    return words_for(doc.lang_)


# --- span helpers ----------------------------------------------------------------------------
def doc_text(doc: Doc) -> str:
    """doc.text, built once per document (spaCy makes a Token object of every token and joins
    their texts at each access); from the token texts, which the components share."""
    text = doc.user_data.get("pi_text")
    if text is None:
        texts, spaces = token_texts(doc)
        text = doc.user_data["pi_text"] = "".join(
            chain.from_iterable(zip(texts, spaces, strict=True))
        )
    return str(text)


def tokens_of(doc: Doc) -> list[Token]:
    """The document's tokens, made once per document: `doc[i]` makes a new Token each time."""
    tokens: list[Token] | None = doc.user_data.get("pi_token_objects")
    if tokens is None:
        tokens = doc.user_data["pi_token_objects"] = list(doc)
    return tokens


def token_texts(doc: Doc) -> tuple[list[str], list[str]]:
    """Each token's text and trailing whitespace, made once per document, read from the
    document's arrays (no Token objects): the text is the lexeme's ORTH, the whitespace one
    space where the SPACY flag is set."""
    cached = doc.user_data.get("pi_tokens")
    if cached is None:
        strings = doc.vocab.strings
        if len(doc):
            orths, flags = doc.to_array([ORTH, SPACY]).T.tolist()
        else:
            orths, flags = [], []
        cached = doc.user_data["pi_tokens"] = (
            [strings[orth] for orth in orths],
            [" " if flag else "" for flag in flags],
        )
    texts, spaces = cached
    return texts, spaces


def make_span(doc: Doc, start: int, end: int, label: str, source: str, key: str = "") -> Span:
    return Span(doc, start, end, label=label, kb_id=key, span_id=source)


class Entities:
    """A document's entities while a component works on them, written to `doc.ents` once (by
    `write`): each read or write of `doc.ents` walks the whole document, and overlap is looked
    up through the entity that covers each token instead of by comparing spans pairwise, so a
    component's cost grows with the article's length, not with its square.

    The spans must not overlap one another and must carry a label and a source (`make_span`):
    then `spans()` is what `doc.ents` would read back after `write()`."""

    def __init__(self, doc: Doc, ents: Iterable[Span] | None = None) -> None:
        self.doc = doc
        self.owner: list[Span | None] = [None] * len(doc)
        self.by_start: dict[int, Span] = {}
        for ent in doc.ents if ents is None else ents:
            self.put(ent)

    def put(self, span: Span) -> None:
        if span.end <= span.start:
            return  # spaCy sets no entity for an empty span
        self.by_start[span.start] = span
        for i in range(span.start, span.end):
            self.owner[i] = span

    def remove(self, span: Span) -> None:
        del self.by_start[span.start]
        for i in range(span.start, span.end):
            self.owner[i] = None

    def overlapping(self, start: int, end: int) -> list[Span]:
        """The entities that share a token with [start, end), in token order."""
        found: list[Span] = []
        for i in range(max(start, 0), min(end, len(self.owner))):
            ent = self.owner[i]
            if ent is not None and (not found or found[-1] is not ent):
                found.append(ent)
        return found

    def covering(self, start: int, end: int) -> Span | None:
        """The entity that contains [start, end), if one does."""
        ent = self.owner[start] if 0 <= start < len(self.owner) else None
        return ent if ent is not None and end <= ent.end else None

    def add(self, new: Iterable[Span], replaceable: Callable[[Span, Span], bool]) -> None:
        """Add spans in turn; an overlapping entity (one already there or a span added before)
        goes only where `replaceable(old, new)`, otherwise the new span is dropped."""
        for span in new:
            overlapping = self.overlapping(span.start, span.end)
            if all(replaceable(e, span) for e in overlapping):
                for e in overlapping:
                    self.remove(e)
                self.put(span)

    def spans(self) -> list[Span]:
        """The entities in token order."""
        return [self.by_start[start] for start in sorted(self.by_start)]

    def write(self) -> None:
        self.doc.ents = self.spans()


def after_affiliation(doc: Doc, i: int, w: Words, starts: Container[int] = ()) -> int | None:
    """Where the name after an affiliation word at token i begins ("of the …", "der …", "au
    …"): past the determiners, unless an entity in `starts` begins at one; None when token i
    is no affiliation word."""
    tok = tokens_of(doc)
    if i >= len(doc) or tok[i].lower_ not in w.affiliation_words:
        return None
    k = i + 1
    while k < len(doc) and k not in starts and tok[k].lower_ in w.determiners:
        k += 1
    return k


def contained(old: Span, new: Span) -> bool:
    return new.start <= old.start and old.end <= new.end


def is_name_token(token: Token) -> bool:
    text = token.text
    if re.fullmatch(r"[A-ZÄÖÜ]\.", text):
        return True
    if len(text) > 1 and text.isupper():
        return False
    # "Bosch.IO" (a dotted name the tokenizer keeps whole) counts too.
    return bool(text[:1].isupper() and re.fullmatch(r"[^\W\d_]+(?:[-'’.][^\W\d_]+)*", text))


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Given names from gender-guesser's dictionary; names it calls androgynous are left out."""
    detector = gender_guesser.detector.Detector(case_sensitive=False)
    not_names = lang.all_words("not_names")
    keep = {"male", "female", "mostly_male", "mostly_female"}
    return frozenset(
        name
        for name in detector.names
        if len(name) >= 3 and name not in not_names and detector.get_gender(name) in keep
    )


@lru_cache(maxsize=262_144)
def zipf(word: str, language: str) -> float:
    """wordfreq's Zipf frequency of a word in a language, remembered: the components ask for
    the same words again and again."""
    return float(zipf_frequency(word, language))


def is_role_token(token: Token, w: Words) -> bool:
    lower = token.lower_
    if lower in w.role_words:
        return True
    return bool(w.role_suffixes) and token.text[:1].isupper() and lower.endswith(w.role_suffixes)


def name_ngrams(doc: Doc, max_len: int) -> list[tuple[int, int, str]]:
    """Capitalized token sequences (longest first at each position), as lookup candidates."""
    texts, spaces = token_texts(doc)
    upper = [text[:1].isupper() for text in texts]
    joins = [u or text in {"-", "of"} for u, text in zip(upper, texts, strict=True)]
    found = []
    for i in range(len(texts)):
        if not upper[i]:
            continue
        for n in range(min(max_len, len(texts) - i), 0, -1):
            last = i + n - 1
            if upper[last] and all(joins[i:last]):
                text = "".join(texts[k] + spaces[k] for k in range(i, last)) + texts[last]
                found.append((i, i + n, text))
    return found


def person_after(
    doc: Doc, ents: Entities, j: int, names: frozenset[str], reach: int = 6
) -> tuple[int, int]:
    """The person named within a few tokens after j: a PER entity, a first name and surname,
    or, right after a separator ("…, Ltd.--Yang Ruikai,"), two or three name words."""
    tok = tokens_of(doc)
    w = words(doc)
    start = j
    while start < len(doc) and tok[start].text in {",", "--", "–", "—", "-", ":"}:
        start += 1
    end = start
    while end < len(doc) and end - start < 3 and is_name_token(tok[end]):
        end += 1
    if (
        start > j
        and end - start >= 2
        and (end == len(doc) or tok[end].is_punct)
        and (end + 1 >= len(doc) or not is_name_token(tok[end + 1]))  # not a list of names
        and not any(
            not (e.label_ in (PER, ORG) and e.id_ == "model") for e in ents.overlapping(start, end)
        )
    ):
        return start, end
    for k in range(j, min(j + reach, len(doc))):
        ent = ents.by_start.get(k)
        if ent is not None and ent.label_ == PER:
            return ent.start, ent.end
        if tok[k].lower_ in names and is_name_token(tok[k]):
            end = k + 1
            while end < len(doc) and end - k < 4 and is_name_token(tok[end]):
                end += 1
            return (k, end) if end - k >= 2 else (j, j)
        if not (
            is_name_token(tok[k])
            or tok[k].text in {",", "--", "–", "—", "-"}
            or tok[k].lower_ in w.org_connectors
            or tok[k].is_upper
        ):
            break
    return j, j


def starts_person(doc: Doc, i: int, person_starts: set[int]) -> bool:
    """Whether a person's name starts at token i: a PER entity or a given name and a surname."""
    tok = tokens_of(doc)
    w = words(doc)
    if i in person_starts:
        return True
    return (
        tok[i].lower_ in first_names()
        and i + 1 < len(doc)
        and is_name_token(tok[i + 1])
        and not tok[i + 1].lower_.endswith(w.org_heads)
    )


def name_run_start(doc: Doc, i: int) -> int:
    """Start of the capitalized run that ends just before token i (determiners excluded)."""
    tok = tokens_of(doc)
    w = words(doc)
    start = i
    while start > 0:
        prev = tok[start - 1]
        if prev.is_sent_end or prev.lower_ in w.determiners:
            break
        if (
            (is_name_token(prev) or (prev.is_upper and len(prev) > 1 and prev.text[0].isalpha()))
            and not is_role_token(prev, w)
        ) or (prev.text in {"&", "and"} and start - 2 >= 0 and is_name_token(tok[start - 2])):
            start -= 1
            if prev.is_sent_start:
                break
        else:
            break
    while start < i and (tok[start].lower_ in w.org_connectors or tok[start].is_stop):
        start += 1  # "Laut Canadian Blood Services", "Ihrer High School"
    return start
