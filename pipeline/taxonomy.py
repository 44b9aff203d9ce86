"""The curated technology taxonomy shipped in the package, and the matcher built from it.

Shared by the extract stage (recognition) and the normalize stage (canonical names, categories).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from pipeline.errors import ConfigError

TAXONOMY_FILE = "technologies.json"
#: Languages every entry names itself in; other languages (fr) are optional.
REQUIRED_LANGUAGES = ("en", "de")
#: Words of a term or a text: letters and digits, with inner periods ("4.0") kept.
WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")
#: What may stand between the words of one term in a text.
JOINER = re.compile(r"[\s\-/,&]+")
#: Inflections tried on a term's last word when the word as written is not known.
SUFFIXES = ("es", "en", "s", "e", "n")
#: A hyphenated compound tail after a term: "KI-Lösungen", "5G-Netz".
COMPOUND_TAIL = re.compile(r"(?:-[^\W_][\w]*)+")
#: Words either side of an ambiguous term searched for its context.
DEFAULT_CONTEXT_WINDOW = 8
#: German adjective endings: "erneuerbare Energien", "erneuerbarer/erneuerbaren Energien".
GERMAN_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
#: Short German words that end like adjectives but are not ("der", "über", "oder").
GERMAN_NOT_ADJECTIVES = frozenset(
    "der die das des den dem ein eine einer einem einen eines und oder aber über unter hinter"
    " wieder immer außer per".split()
)
#: French words that end a term's head noun phrase: "pompe à chaleur", "centre de données".
FRENCH_PREPOSITIONS = frozenset(
    "à au aux de d du des en pour par sur sans avec l la le les".split()
)


@dataclass(frozen=True)
class ContextRule:
    """When an ambiguous term ("cloud", "hydrogen") names the technology.

    A neighbour word within `window` words matches a listed word when it starts with it
    (casefolded): "services" matches "service". A hyphenated compound ("Cloud-Strategie")
    counts as context of its own."""

    requires: tuple[str, ...]  # one of these must be near (empty: no requirement)
    excludes: tuple[str, ...]  # none of these may be near ("clouds of gas")
    window: int

    def allows(self, folded: list[str], start: int, end: int, compound: bool) -> bool:
        near = [*folded[max(0, start - self.window) : start], *folded[end : end + self.window]]
        if self.excludes and any(word.startswith(self.excludes) for word in near):
            return False
        return compound or not self.requires or any(w.startswith(self.requires) for w in near)


@dataclass(frozen=True)
class Technology:
    tech_id: str
    names: dict[str, str]  # ISO language code -> canonical name
    synonyms: dict[str, tuple[str, ...]]  # ISO language code -> other names as written
    category: str
    wikidata_id: str
    terms: tuple[str, ...]  # matched case-insensitively
    exact_terms: tuple[str, ...]  # matched in this exact case (abbreviations such as AI, KI)
    context_terms: tuple[str, ...] = ()  # matched case-insensitively, only in context
    context: ContextRule | None = None

    @property
    def name_en(self) -> str:
        return self.names["en"]

    @property
    def name_de(self) -> str:
        return self.names["de"]

    def name(self, language: str) -> str:
        """The name in `language`, or the English name where the entry has none."""
        return self.names.get(language) or self.names["en"]


def words_of(term: str) -> tuple[str, ...]:
    return tuple(WORD.findall(term))


def german_forms(term: str) -> list[str]:
    """The term with its adjectives declined: "erneuerbare Energien" -> "erneuerbarer Energien".

    An adjective is a lower-case word of five letters or more before a capitalized word."""
    parts = term.split(" ")
    options: list[list[str]] = []
    for k, part in enumerate(parts):
        follows = parts[k + 1] if k + 1 < len(parts) else ""
        if (
            len(part) >= 5
            and part.isalpha()
            and part.islower()
            and follows[:1].isupper()
            and part not in GERMAN_NOT_ADJECTIVES
        ):
            stem = next(
                (part[: -len(e)] for e in ("en", "er", "es", "em", "e") if part.endswith(e)),
                part,
            )
            options.append([stem + e for e in GERMAN_ADJECTIVE_ENDINGS])
        else:
            options.append([part])
    forms = [""]
    for choices in options:
        forms = [f"{f} {c}".strip() for f in forms for c in choices]
    return [f for f in forms if f != term]


def french_plural(word: str) -> str:
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith(("eau", "eu")):
        return word + "x"
    if word.endswith("al") and len(word) > 4:
        return word[:-2] + "aux"
    return word + "s"


def french_forms(term: str) -> list[str]:
    """The plural of a French term's head phrase: "pompe à chaleur" -> "pompes à chaleur"."""
    parts = term.split(" ")
    if len(parts) < 2:
        return []
    plural = []
    for k, part in enumerate(parts):
        if part.casefold() in FRENCH_PREPOSITIONS or "'" in part:
            plural.extend(parts[k:])
            break
        plural.append("-".join(french_plural(p) for p in part.split("-")))
    form = " ".join(plural)
    return [form] if form != term else []


#: How each language adds the inflected forms a text may use beyond the written terms.
FORMS_BY_LANGUAGE = {"de": german_forms, "fr": french_forms}


def terms_with_forms(language: str, terms: list[str]) -> list[str]:
    forms = FORMS_BY_LANGUAGE.get(language)
    if forms is None:
        return terms
    return [*terms, *(form for term in terms for form in forms(term))]


@dataclass(frozen=True)
class Taxonomy:
    version: str
    digest: str
    technologies: dict[str, Technology]
    by_words: dict[tuple[str, ...], str]  # casefolded words of a term -> tech_id
    by_exact_words: dict[tuple[str, ...], str]  # words in exact case -> tech_id
    longest: int  # most words in a term
    #: Casefolded words of terms that name their technology only in context (see ContextRule).
    needs_context: frozenset[tuple[str, ...]] = frozenset()

    @cached_property
    def words_from(self) -> dict[str, int]:
        """Casefolded first word of a term -> most words of a term that starts with it."""
        most: dict[str, int] = {}
        for key in (*self.by_words, *self.by_exact_words):
            first = key[0].casefold()
            most[first] = max(most.get(first, 0), len(key))
        return most

    @cached_property
    def _reach_cache(self) -> dict[str, int]:
        return {}

    def could_start(self, folded: str) -> bool:
        return self.reach(folded) > 0

    def reach(self, folded: str) -> int:
        """How many words a term starting with this word may have; 0 where none starts.

        An inflected word ("Batterien") that begins no term as written can only be a term of
        one word, since only a term's last word is inflected."""
        cache = self._reach_cache
        found = cache.get(folded)
        if found is None:
            found = self.words_from.get(folded, 0) or int(
                any(
                    folded.endswith(suffix) and folded[: -len(suffix)] in self.words_from
                    for suffix in SUFFIXES
                )
            )
            cache[folded] = found
        return found

    def lookup(self, words: list[str], folded: list[str]) -> str | None:
        """The technology these words name, as written or with the last word inflected."""
        found = self.match(words, folded)
        return None if found is None else found[0]

    def match(self, words: list[str], folded: list[str]) -> tuple[str, tuple[str, ...]] | None:
        """(tech_id, casefolded key that matched), as written or with the last word inflected."""
        key = tuple(words)
        exact = self.by_exact_words.get(key)
        if exact is not None:
            return exact, key
        key = tuple(folded)
        found = self.by_words.get(key)
        if found is not None:
            return found, key
        last = folded[-1]
        for suffix in SUFFIXES:
            if last.endswith(suffix) and len(last) > len(suffix) + 1:
                key = (*folded[:-1], last[: -len(suffix)])
                found = self.by_words.get(key)
                if found is None:
                    exact_key = (*words[:-1], words[-1][: -len(suffix)])
                    found = self.by_exact_words.get(exact_key)
                if found is not None:
                    return found, key
        return None

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, tech_id) matches, leftmost-longest; end covers compounds.

        Works on words: at each word, the longest run of up to `longest` words (joined only by
        spaces, hyphens or slashes) that names a technology wins. A term that names its
        technology only in context ("cloud") counts only where its entry's rule allows."""
        found_words = list(WORD.finditer(text))
        spans = [m.span() for m in found_words]
        words = [m.group() for m in found_words]
        folded = [w.casefold() for w in words]
        known, reach_of = self._reach_cache, self.reach
        result: list[tuple[int, int, str]] = []
        i = 0
        # Only words that can begin a term are tried (most cannot); the others are passed by.
        for first in [k for k, f in enumerate(folded) if (known[f] if f in known else reach_of(f))]:
            if first < i:
                continue  # inside the match before
            i = first
            start = spans[i][0]
            most = known[folded[i]]
            if start > 0 and (text[start - 1] in "-_" or text[start - 1].isalnum()):
                continue
            # How far the words from i are joined closely enough to form one term.
            reach = i + 1
            while (
                reach < len(spans)
                and reach - i < most
                and JOINER.fullmatch(text, spans[reach - 1][1], spans[reach][0])
            ):
                reach += 1
            hit = None
            for j in range(reach, i, -1):
                found = self.match(words[i:j], folded[i:j])
                if found is None:
                    continue
                tech_id, key = found
                if key in self.needs_context and not self.in_context(tech_id, text, spans, i, j):
                    continue
                hit = (j, tech_id)
                break
            if hit is None:
                continue
            j, tech_id = hit
            end = spans[j - 1][1]
            tail = COMPOUND_TAIL.match(text, end)
            if tail is not None:
                end = tail.end()
            result.append((start, end, tech_id))
            while i < len(spans) and spans[i][0] < end:
                i += 1
        return result

    def in_context(
        self, tech_id: str, text: str, spans: list[tuple[int, int]], i: int, j: int
    ) -> bool:
        rule = self.technologies[tech_id].context
        if rule is None:
            return True
        folded = [text[a:b].casefold() for a, b in spans[max(0, i - rule.window) : j + rule.window]]
        offset = max(0, i - rule.window)
        compound = COMPOUND_TAIL.match(text, spans[j - 1][1]) is not None
        return rule.allows(folded, i - offset, j - offset, compound)


def language_terms(entry: dict[str, Any], field: str) -> dict[str, list[str]]:
    """A field keyed by language code ({"en": [...], "de": [...]}), checked."""
    value = entry.get(field, {})
    if not isinstance(value, dict) or not all(
        isinstance(v, list) and all(isinstance(t, str) for t in v) for v in value.values()
    ):
        raise ConfigError(
            f"taxonomy entry {entry.get('id')!r}: {field!r} must map language codes to term lists"
        )
    return {str(k): list(v) for k, v in value.items()}


def context_rule(entry: dict[str, Any]) -> tuple[dict[str, list[str]], ContextRule | None]:
    """An entry's context terms and the rule that admits them."""
    context = entry.get("context")
    if context is None:
        return {}, None
    if not isinstance(context, dict):
        raise ConfigError(f"taxonomy entry {entry.get('id')!r}: 'context' must be an object")
    terms = language_terms(context, "terms")
    requires = tuple(str(w).casefold() for w in context.get("requires", []))
    excludes = tuple(str(w).casefold() for w in context.get("excludes", []))
    if not requires and not excludes:
        raise ConfigError(
            f"taxonomy entry {entry.get('id')!r}: a context needs 'requires' or 'excludes' words"
        )
    window = int(context.get("window", DEFAULT_CONTEXT_WINDOW))
    return terms, ContextRule(requires, excludes, window)


def build(data: dict[str, Any]) -> Taxonomy:
    """Validate taxonomy data and build its matcher; errors name the entry and the field."""
    technologies: dict[str, Technology] = {}
    by_words: dict[tuple[str, ...], str] = {}
    by_exact_words: dict[tuple[str, ...], str] = {}
    needs_context: set[tuple[str, ...]] = set()
    for entry in data.get("entries", []):
        tech_id = entry.get("id", "")
        for required in ("id", "category"):
            if not entry.get(required):
                raise ConfigError(f"taxonomy entry {tech_id or entry!r} lacks {required!r}")
        names = entry.get("names")
        if not isinstance(names, dict):
            raise ConfigError(f"taxonomy entry {tech_id!r} lacks 'names'")
        for language in REQUIRED_LANGUAGES:
            if not names.get(language):
                raise ConfigError(f"taxonomy entry {tech_id!r} lacks 'names.{language}'")
        if tech_id in technologies:
            raise ConfigError(f"taxonomy id {tech_id!r} appears twice")
        synonyms = language_terms(entry, "synonyms")
        context_terms, rule = context_rule(entry)
        case_sensitive = bool(entry.get("case_sensitive", False))
        # Required languages first, so that their names win where a word is claimed twice.
        languages = sorted({*names, *synonyms}, key=lambda k: (k not in REQUIRED_LANGUAGES, k))
        terms = [
            term
            for lang in languages
            for term in terms_with_forms(
                lang, [*([names[lang]] if names.get(lang) else []), *synonyms.get(lang, [])]
            )
        ]
        exact = list(entry.get("abbreviations", [])) + (terms if case_sensitive else [])
        folded = [] if case_sensitive else terms
        in_context = [
            term
            for lang, ts in sorted(context_terms.items())
            for term in terms_with_forms(lang, ts)
        ]
        tech = Technology(
            tech_id=tech_id,
            names={str(k): str(v) for k, v in names.items()},
            synonyms={lang: tuple(ts) for lang, ts in synonyms.items()},
            category=entry["category"],
            wikidata_id=entry.get("wikidata_id", ""),
            terms=tuple(folded),
            exact_terms=tuple(exact),
            context_terms=tuple(in_context),
            context=rule,
        )
        technologies[tech_id] = tech
        for term in folded:
            by_words.setdefault(words_of(term.casefold()), tech_id)
        for term in exact:
            by_exact_words.setdefault(words_of(term), tech_id)
        for term in in_context:
            key = words_of(term.casefold())
            if key not in by_words:
                by_words[key] = tech_id
                needs_context.add(key)
    by_words.pop((), None)
    by_exact_words.pop((), None)
    digest = hashlib.sha1(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()[:12]
    return Taxonomy(
        version=str(data.get("version", "")),
        digest=digest,
        technologies=technologies,
        by_words=by_words,
        by_exact_words=by_exact_words,
        longest=max(map(len, [*by_words, *by_exact_words]), default=1),
        needs_context=frozenset(needs_context),
    )


#: Words that make the word before them look like a technology's name.
TECH_HEADS = (
    "technology|technologies|platform|platforms|sensors|sensor|system|systems|solution|solutions"
    "|Technologie|Technologien|Technik|Plattform|Plattformen|Sensoren|Sensor|Sensorik|System"
    "|Systeme|Lösung|Lösungen"
)
CANDIDATE_PATTERN = re.compile(
    # "LiDAR technology", "vehicle-to-grid technology", "Wasserstoff-Technologie", "V2X-Plattform"
    rf"(?<![\w-])(?P<modifier>[^\W_][\w/.+]*(?:-[\w/.+]+)*)(?P<sep>[\s-])(?P<head>{TECH_HEADS})\b"
    # ... unless the head itself modifies a following noun: "chief technology officer"
    r"(?!-?\s?(?:officers?|compan(?:y|ies)|firms?|sector|industry|industries|partners?|parks?"
    r"|providers?|groups?|centres?|centers?|hubs?|clusters?|transfer|Unternehmen|Firm(?:a|en)"
    r"|Konzern|Branche|Partner|Park|Anbieter|Zentrum)\b)"
)
#: Modifiers that do not name a technology ("new technology", "our platform").
CANDIDATE_STOP = frozenset(
    """a an the this that these those our their its his her new latest modern innovative advanced
    key smart digital cutting-edge leading existing current future other own such same different
    various proven open common central entire whole first second next pilot information
    communication communications of and for with in on by to from as is are was be will can
    which who use uses using used based one two three four five six seven eight nine ten eleven
    twelve several many all each city data public historical real-time existing
    urban software hardware management control monitoring operating neue neuen neuer neues
    eine einer einem einen der die das den dem des und mit für von zur zum im in am ein
    moderne modernen moderner digitale digitalen digitaler eigene eigenen gesamte
    bestehende bestehenden innovative innovativen""".split()
)


def ends_sentence_before(text: str, position: int) -> bool:
    """Whether the last character before `position` that is no whitespace ends a sentence
    (what `text[:position].rstrip().endswith((".", "!", "?", ":"))` says, without copying the
    text before it: that made long articles quadratic)."""
    k = position - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    return k >= 0 and text[k] in ".!?:"


def find_candidates(text: str, taxonomy: Taxonomy) -> list[tuple[int, int, str]]:
    """Phrases that look like technologies but are not in the taxonomy: (start, end, term)."""
    found = []
    for match in CANDIDATE_PATTERN.finditer(text):
        modifier = match.group("modifier").strip(".-/+")
        # A name-like modifier: joined by a hyphen ("V2X-Plattform"), an acronym or a name
        # ("LiDAR technology"), or a hyphenated compound ("vehicle-to-grid technology").
        name_like = (
            match.group("sep") == "-"
            or "-" in modifier
            or any(ch.isdigit() for ch in modifier)
            or any(ch.isupper() for ch in modifier[1:])
            or (
                modifier[:1].isupper()
                and match.start() > 0
                and text[match.start() - 1] == " "
                and not ends_sentence_before(text, match.start())
                and not match.group("head")[:1].isupper()
            )
        )
        if (
            not name_like
            or modifier.casefold() in CANDIDATE_STOP
            or len(modifier) < 2
            or not any(ch.isalpha() for ch in modifier)
            or taxonomy.find(modifier)
            or taxonomy.find(match.group(0))
        ):
            continue
        start = match.start("modifier")
        found.append((start, match.end(), text[start : match.end()]))
    return found


@lru_cache(maxsize=1)
def load() -> Taxonomy:
    """The taxonomy shipped in pipeline/data."""
    text = resources.files("pipeline.data").joinpath(TAXONOMY_FILE).read_text(encoding="utf-8")
    return build(json.loads(text))
