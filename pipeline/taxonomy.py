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
#: Words of a term or a text: letters and digits, with inner periods ("4.0") kept.
WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")
#: What may stand between the words of one term in a text.
JOINER = re.compile(r"[\s\-/,&]+")
#: Inflections tried on a term's last word when the word as written is not known.
SUFFIXES = ("es", "en", "s", "e", "n")
#: A hyphenated compound tail after a term: "KI-Lösungen", "5G-Netz".
COMPOUND_TAIL = re.compile(r"(?:-[^\W_][\w]*)+")


@dataclass(frozen=True)
class Technology:
    tech_id: str
    name_en: str
    name_de: str
    category: str
    wikidata_id: str
    terms: tuple[str, ...]  # matched case-insensitively
    exact_terms: tuple[str, ...]  # matched in this exact case (abbreviations such as AI, KI)


def words_of(term: str) -> tuple[str, ...]:
    return tuple(WORD.findall(term))


@dataclass(frozen=True)
class Taxonomy:
    version: str
    digest: str
    technologies: dict[str, Technology]
    by_words: dict[tuple[str, ...], str]  # casefolded words of a term -> tech_id
    by_exact_words: dict[tuple[str, ...], str]  # words in exact case -> tech_id
    longest: int  # most words in a term

    @cached_property
    def first_words(self) -> frozenset[str]:
        """Casefolded first words of every term: where a match can start."""
        return frozenset(k[0].casefold() for k in (*self.by_words, *self.by_exact_words))

    def could_start(self, folded: str) -> bool:
        if folded in self.first_words:
            return True
        return any(
            folded.endswith(suffix) and folded[: -len(suffix)] in self.first_words
            for suffix in SUFFIXES
        )

    def lookup(self, words: list[str], folded: list[str]) -> str | None:
        """The technology these words name, as written or with the last word inflected."""
        exact = self.by_exact_words.get(tuple(words))
        if exact is not None:
            return exact
        found = self.by_words.get(tuple(folded))
        if found is not None:
            return found
        last = folded[-1]
        for suffix in SUFFIXES:
            if last.endswith(suffix) and len(last) > len(suffix) + 1:
                found = self.by_words.get((*folded[:-1], last[: -len(suffix)]))
                if found is None:
                    found = self.by_exact_words.get((*words[:-1], words[-1][: -len(suffix)]))
                if found is not None:
                    return found
        return None

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, tech_id) matches, leftmost-longest; end covers compounds.

        Works on words: at each word, the longest run of up to `longest` words (joined only by
        spaces, hyphens or slashes) that names a technology wins."""
        spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
        words = [text[a:b] for a, b in spans]
        folded = [w.casefold() for w in words]
        result: list[tuple[int, int, str]] = []
        i = 0
        while i < len(spans):
            start = spans[i][0]
            if not self.could_start(folded[i]) or (
                start > 0 and (text[start - 1] in "-_" or text[start - 1].isalnum())
            ):
                i += 1
                continue
            # How far the words from i are joined closely enough to form one term.
            reach = i + 1
            while (
                reach < len(spans)
                and reach - i < self.longest
                and JOINER.fullmatch(text, spans[reach - 1][1], spans[reach][0])
            ):
                reach += 1
            hit = None
            for j in range(reach, i, -1):
                tech_id = self.lookup(words[i:j], folded[i:j])
                if tech_id is not None:
                    hit = (j, tech_id)
                    break
            if hit is None:
                i += 1
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


def build(data: dict[str, Any]) -> Taxonomy:
    """Validate taxonomy data and build its matcher; errors name the entry and the field."""
    technologies: dict[str, Technology] = {}
    by_words: dict[tuple[str, ...], str] = {}
    by_exact_words: dict[tuple[str, ...], str] = {}
    for entry in data.get("entries", []):
        tech_id = entry.get("id", "")
        for required in ("id", "name_en", "name_de", "category"):
            if not entry.get(required):
                raise ConfigError(f"taxonomy entry {tech_id or entry!r} lacks {required!r}")
        if tech_id in technologies:
            raise ConfigError(f"taxonomy id {tech_id!r} appears twice")
        case_sensitive = bool(entry.get("case_sensitive", False))
        names = [
            entry["name_en"],
            entry["name_de"],
            *entry.get("synonyms_en", []),
            *entry.get("synonyms_de", []),
        ]
        exact = list(entry.get("abbreviations", [])) + (names if case_sensitive else [])
        folded = [] if case_sensitive else names
        tech = Technology(
            tech_id=tech_id,
            name_en=entry["name_en"],
            name_de=entry["name_de"],
            category=entry["category"],
            wikidata_id=entry.get("wikidata_id", ""),
            terms=tuple(folded),
            exact_terms=tuple(exact),
        )
        technologies[tech_id] = tech
        for term in folded:
            by_words.setdefault(words_of(term.casefold()), tech_id)
        for term in exact:
            by_exact_words.setdefault(words_of(term), tech_id)
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
                and not text[: match.start()].rstrip().endswith((".", "!", "?", ":"))
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
