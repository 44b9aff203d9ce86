"""The curated technology taxonomy shipped in the package, and the matcher built from it.

Shared by the extract stage (recognition) and the normalize stage (canonical names, categories).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from pipeline.errors import ConfigError

TAXONOMY_FILE = "technologies.json"
#: After a term: an optional inflection, then a word boundary or a hyphenated compound tail.
TAIL = r"(?:s|es|e|en|n)?(?:-[^\W_][\w]*(?:-[\w]+)*)?(?![\w])"


@dataclass(frozen=True)
class Technology:
    tech_id: str
    name_en: str
    name_de: str
    category: str
    wikidata_id: str
    terms: tuple[str, ...]  # matched case-insensitively
    exact_terms: tuple[str, ...]  # matched in this exact case (abbreviations such as AI, KI)


@dataclass(frozen=True)
class Taxonomy:
    version: str
    digest: str
    technologies: dict[str, Technology]
    insensitive: re.Pattern[str] | None
    sensitive: re.Pattern[str] | None
    by_term: dict[str, str]  # casefolded term -> tech_id
    by_exact: dict[str, str]  # exact term -> tech_id

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, tech_id) matches, leftmost-longest; end covers compounds."""
        found: list[tuple[int, int, str, int]] = []
        for pattern, lookup, fold in (
            (self.sensitive, self.by_exact, False),
            (self.insensitive, self.by_term, True),
        ):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                term = " ".join(match.group("term").split())
                tech_id = lookup.get(term.casefold() if fold else term)
                if tech_id is None:
                    continue
                found.append((match.start(), match.end(), tech_id, len(term)))
        found.sort(key=lambda m: (m[0], -m[3]))
        result: list[tuple[int, int, str]] = []
        last_end = -1
        for start, end, tech_id, _ in found:
            if start >= last_end:
                result.append((start, end, tech_id))
                last_end = end
        return result


def _alternation(terms: list[str]) -> str:
    parts = []
    for term in sorted(set(terms), key=lambda t: (-len(t), t)):
        parts.append(r"\s+".join(re.escape(word) for word in term.split()))
    return "|".join(parts)


def _compile(terms: list[str], flags: int) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile(rf"(?<![\w\-])(?P<term>{_alternation(terms)}){TAIL}", flags)


def build(data: dict[str, Any]) -> Taxonomy:
    """Validate taxonomy data and build its matcher; errors name the entry and the field."""
    technologies: dict[str, Technology] = {}
    by_term: dict[str, str] = {}
    by_exact: dict[str, str] = {}
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
            by_term.setdefault(term.casefold(), tech_id)
        for term in exact:
            by_exact.setdefault(term, tech_id)
    digest = hashlib.sha1(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()[:12]
    return Taxonomy(
        version=str(data.get("version", "")),
        digest=digest,
        technologies=technologies,
        insensitive=_compile(list(by_term), re.IGNORECASE),
        sensitive=_compile(list(by_exact), 0),
        by_term=by_term,
        by_exact=by_exact,
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
